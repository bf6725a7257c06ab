"""Each role sees its own navigation and nothing outside its reach."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.auth import access
from app.extensions import db
from app.models import AuditEvent


@pytest.fixture
def org(make):
    """kommun → two förvaltningar, each with an enhet; a manager for one of them."""
    root = make.unit("Kommunen")
    soc = make.unit("Socialförvaltningen", parent=root, kind="förvaltning")
    soc_unit = make.unit("Barn och familj", parent=soc)
    utb = make.unit("Utbildningsförvaltningen", parent=root, kind="förvaltning")
    utb_unit = make.unit("Förskola", parent=utb)
    people = {
        "staff": make.employee(unit=soc_unit, email="staff@k.se"),
        "manager": make.employee(
            unit=soc_unit, level="chef", email="chef@k.se", manages=(soc_unit,)
        ),
        "head": make.employee(unit=soc, level="ledning", email="head@k.se", manages=(soc,)),
        "hr": make.employee(unit=root, email="hr@k.se", is_hr=True),
        "reporter": make.employee(unit=root, email="rapport@k.se", is_reporter=True),
        "other": make.employee(unit=utb_unit, email="other@k.se"),
    }
    return {
        "root": root,
        "soc": soc,
        "soc_unit": soc_unit,
        "utb": utb,
        "utb_unit": utb_unit,
        **people,
    }


NAV = {
    "staff": {"Min utbildning"},
    "manager": {"Min utbildning", "Min enhet", "Rapporter"},
    "head": {"Min utbildning", "Min enhet", "Rapporter"},
    "hr": {"Min utbildning", "Min enhet", "Rapporter", "Administration"},
    "reporter": {"Min utbildning", "Rapporter"},
}
ALL_NAV = {"Min utbildning", "Min enhet", "Rapporter", "Administration"}


@pytest.mark.parametrize("role", NAV)
def test_each_role_sees_its_own_navigation(client, auth, org, role):
    auth.login(org[role].email)
    html = client.get("/").get_data(as_text=True)
    nav = html[html.index('aria-label="Huvudmeny"') :]
    nav = nav[: nav.index("</nav>")]
    shown = {label for label in ALL_NAV if f">{label}</a>" in nav}
    assert shown == NAV[role]


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        ("staff", "/admin/", 403),
        ("staff", "/admin/personal", 403),
        ("staff", "/enheter/", 403),
        ("staff", "/rapporter/", 403),
        ("reporter", "/admin/", 403),
        ("reporter", "/enheter/", 403),
        ("reporter", "/rapporter/", 200),
        ("manager", "/admin/logg", 403),
        ("manager", "/rapporter/", 200),
        ("hr", "/admin/", 200),
        ("hr", "/admin/personal", 200),
        ("hr", "/admin/logg", 200),
    ],
)
def test_pages_by_role(client, auth, org, role, path, status):
    auth.login(org[role].email)
    assert client.get(path).status_code == status


def test_anonymous_is_sent_to_login(client, org):
    for path in ("/", "/admin/", "/enheter/", "/rapporter/", f"/enheter/{org['soc'].id}"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/logga-in" in response.headers["Location"]


def test_manager_sees_own_subtree_but_not_other_units(client, auth, org):
    auth.login(org["manager"].email)
    own = client.get(f"/enheter/{org['soc_unit'].id}")
    assert own.status_code == 200
    assert org["staff"].full_name in own.get_data(as_text=True)
    assert client.get(f"/enheter/{org['soc'].id}").status_code == 403  # the level above
    assert client.get(f"/enheter/{org['utb_unit'].id}").status_code == 403  # another branch
    assert client.get("/enheter/999999").status_code == 404


def test_head_of_administration_sees_the_whole_administration(client, auth, org):
    auth.login(org["head"].email)
    whole = client.get(f"/enheter/{org['soc'].id}").get_data(as_text=True)
    assert org["staff"].full_name in whole
    assert org["other"].full_name not in whole
    assert client.get(f"/enheter/{org['utb'].id}").status_code == 403


def test_hr_may_see_any_person_but_an_employee_may_not(client, auth, org):
    other = org["other"]
    auth.login(org["hr"].email)
    seen = client.get(f"/admin/personal/{other.id}")
    assert seen.status_code == 200
    assert other.full_name in seen.get_data(as_text=True)
    assert client.get("/admin/personal/999999").status_code == 404
    auth.logout()

    auth.login(org["staff"].email)
    for url in (
        f"/admin/personal/{other.id}",  # HR's view of the person
        f"/enheter/personer/{other.id}",  # a manager's view of the person
        f"/admin/personal/{org['manager'].id}",  # not their own chef either
        f"/enheter/personer/{org['staff'].id}",  # their own record is under "Min utbildning"
        "/admin/personal/999999",  # no such person: refused before anything is looked up
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert other.full_name not in response.get_data(as_text=True), url
    # only HR's look was logged
    viewers = [
        e.actor_id
        for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "person.view"))
    ]
    assert viewers == [org["hr"].id]


def test_access_rules_directly(app_ctx, org):
    assert access.can_view_unit(org["manager"], org["soc_unit"])
    assert not access.can_view_unit(org["manager"], org["soc"])
    assert access.can_view_unit(org["head"], org["soc_unit"])
    assert not access.can_view_unit(org["reporter"], org["soc_unit"])
    assert access.can_view_unit_aggregates(org["reporter"], org["soc_unit"])
    assert access.can_view_employee(org["manager"], org["staff"])
    assert not access.can_view_employee(org["manager"], org["other"])
    assert access.can_view_employee(org["staff"], org["staff"])
    assert not access.can_view_employee(org["staff"], org["manager"])
