"""Delegation from the web: a manager for their own units, HR for any; audited; tampering refused."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app import dates
from app.extensions import db
from app.models import AuditEvent, UnitManager
from tests.conftest import csrf_from


def _post(client, url, data):
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def _period():
    today = dates.today()
    return {"starts_on": today.isoformat(), "ends_on": (today + timedelta(days=30)).isoformat()}


def test_a_manager_gives_a_deputy_the_view_of_their_unit(app, client, auth, make):
    root = make.unit("Kommunen")
    unit = make.unit("Hemtjänst 1", parent=root)
    other = make.unit("Förskola 1", parent=root)
    make.employee(unit=unit, email="chef@k.se", level="chef", manages=(unit,))
    deputy = make.employee(unit=unit, email="ersattare@k.se")
    auth.login("chef@k.se")
    response = _post(
        client, "/enheter/delegering", {"unit_id": unit.id, "deputy": "ersattare@k.se", **_period()}
    )
    assert response.status_code == 302
    row = db.session.scalar(sa.select(UnitManager).where(UnitManager.employee_id == deputy.id))
    assert (row.unit_id, row.role) == (unit.id, "delegate")
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action.like("%deleg%")))

    # a unit the manager does not lead, slipped into the form: refused, nothing granted
    tampered = _post(
        client,
        "/enheter/delegering",
        {"unit_id": other.id, "deputy": "ersattare@k.se", **_period()},
    )
    assert tampered.status_code in (200, 400, 403)  # the form refuses a unit not offered
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(UnitManager).where(UnitManager.role == "delegate")
    )
    assert count == 1

    # the deputy now sees the unit
    deputy_client = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(deputy_client).login("ersattare@k.se")
    assert deputy_client.get(f"/enheter/{unit.id}").status_code == 200
    assert deputy_client.get(f"/enheter/{other.id}").status_code == 403


def test_hr_delegates_by_unit_code_and_an_unknown_person_is_named(client, auth, make):
    root = make.unit("Kommunen")
    unit = make.unit("Hemtjänst 1", parent=root, code="VOF-1")
    make.employee(unit=root, email="hr@k.se", is_hr=True)
    make.employee(unit=unit, email="ersattare@k.se")
    auth.login("hr@k.se")
    unknown = _post(
        client, "/admin/delegeringar", {"unit_code": "VOF-1", "deputy": "ingen@k.se", **_period()}
    )
    assert "Ingen person med den e-postadressen eller det numret." in unknown.get_data(as_text=True)
    no_unit = _post(
        client, "/admin/delegeringar", {"unit_code": "X-9", "deputy": "ersattare@k.se", **_period()}
    )
    assert "Det finns ingen enhet med den koden." in no_unit.get_data(as_text=True)
    granted = _post(
        client,
        "/admin/delegeringar",
        {"unit_code": "VOF-1", "deputy": "ersattare@k.se", **_period()},
    )
    assert granted.status_code == 302
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(UnitManager)
            .where(UnitManager.role == "delegate")
        )
        == 1
    )


def test_the_form_refuses_a_long_or_far_off_period_and_a_name_outside_reach(client, auth, make):
    """M1 and L8 of the security review, through the manager's form."""
    root = make.unit("Kommunen")
    unit = make.unit("Hemtjänst 1", parent=root)
    elsewhere = make.unit("Förskola 1", parent=root)
    make.employee(unit=unit, email="chef@k.se", level="chef", manages=(unit,))
    make.employee(unit=unit, email="ersattare@k.se")
    make.employee(unit=elsewhere, email="annan@k.se", first_name="Nils", last_name="Andersson")
    auth.login("chef@k.se")
    today = dates.today()

    too_long = _post(
        client,
        "/enheter/delegering",
        {
            "unit_id": unit.id,
            "deputy": "ersattare@k.se",
            "starts_on": today.isoformat(),
            "ends_on": dates.add_months(today, 12).isoformat(),
        },
    ).get_data(as_text=True)
    latest = dates.add_months(today, 12) - timedelta(days=1)
    assert (
        f"Till och med: En delegering gäller högst 12 månader: ”Till och med” kan vara senast {latest}."
        in too_long
    )

    far_off = _post(
        client,
        "/enheter/delegering",
        {
            "unit_id": unit.id,
            "deputy": "ersattare@k.se",
            "starts_on": (today + timedelta(days=5 * 365)).isoformat(),
            "ends_on": (today + timedelta(days=6 * 365)).isoformat(),
        },
    ).get_data(as_text=True)
    assert "Från och med: ”Från och med” kan ligga högst 3 månader fram" in far_off

    outsider = _post(
        client, "/enheter/delegering", {"unit_id": unit.id, "deputy": "annan@k.se", **_period()}
    ).get_data(as_text=True)
    assert "Ingen person med den e-postadressen eller det numret i de enheter du leder." in outsider
    assert "Andersson" not in outsider
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UnitManager)) == 1
