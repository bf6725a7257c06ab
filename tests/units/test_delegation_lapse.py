"""M1 (security review 2026-11): a delegation gives the view only while the person who
granted it may still delegate the unit. When the HR import ends the chef's role, the chef
leaves or HR loses its role, the deputy loses the view at once; a row granted by a deputy
gives nothing; the lists show such a delegation as no longer in force."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import g

from app import dates
from app.auth import access
from app.extensions import db
from app.models import Employee, UnitManager
from tests.conftest import AuthActions, csrf_from
from tests.hr_import.helpers import TODAY, UNITS, employee, files, run, unit


def _delegate(make, *, unit, deputy, granted_by, today=None) -> UnitManager:
    today = today or dates.today()
    row = UnitManager(
        unit_id=unit.id,
        employee_id=deputy.id,
        role="delegate",
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=30),
        granted_by_id=granted_by.id if granted_by else None,
    )
    make.session.add(row)
    make.session.commit()
    return row


def _sees(app, email: str, unit) -> int:
    client = app.test_client()
    AuthActions(client).login(email)
    g.pop("_access_cache", None)
    return client.get(f"/enheter/{unit.id}").status_code


def _managed(person, on) -> list:
    g.pop("_access_cache", None)
    return access.managed_units(person, on=on)


def test_the_hr_import_ending_the_chefs_role_ends_their_deputies_view(make):
    run(files())
    soc, bo, deputy = unit("SOC"), employee("2"), employee("4")
    _delegate(make, unit=soc, deputy=deputy, granted_by=bo, today=TODAY)
    assert [u.id for u in _managed(deputy, TODAY)] == [soc.id]

    units = [row[:] for row in UNITS]
    units[1][4] = "3"  # Cia heads Socialförvaltningen instead of Bo
    run(files(units=units))

    assert _managed(employee("2"), TODAY) == []
    assert _managed(employee("4"), TODAY) == []  # the deputy row is still there, and gives nothing
    assert db.session.scalar(
        sa.select(sa.func.count()).select_from(UnitManager).where(UnitManager.role == "delegate")
    )


@pytest.mark.parametrize("change", ["role ended", "left", "moved"])
def test_the_deputy_loses_the_view_when_the_chef_does(app, town, make, change):
    _delegate(make, unit=town["bof"], deputy=town["vera"], granted_by=town["chef"])
    assert _sees(app, "vera@k.se", town["bof"]) == 200

    chef_row = db.session.scalar(
        sa.select(UnitManager).where(UnitManager.employee_id == town["chef"].id)
    )
    if change == "role ended":
        chef_row.ends_on = dates.today() - timedelta(days=1)
    elif change == "left":
        town["chef"].active = False
    else:
        chef_row.unit_id = town["vux"].id  # the chef now leads another unit only
    db.session.commit()

    assert _sees(app, "vera@k.se", town["bof"]) == 403


def test_a_delegation_by_the_head_above_lasts_while_the_head_leads(app, town, make):
    _delegate(make, unit=town["bof"], deputy=town["vera"], granted_by=town["head"])
    assert _sees(app, "vera@k.se", town["bof"]) == 200
    # The unit's own chef leaving changes nothing: the head above granted it.
    town["chef"].active = False
    db.session.commit()
    assert _sees(app, "vera@k.se", town["bof"]) == 200
    db.session.execute(sa.delete(UnitManager).where(UnitManager.employee_id == town["head"].id))
    db.session.commit()
    assert _sees(app, "vera@k.se", town["bof"]) == 403


def test_a_delegation_by_hr_lasts_while_the_grantor_is_hr(app, town, make):
    _delegate(make, unit=town["fsk"], deputy=town["vera"], granted_by=town["hr"])
    assert _sees(app, "vera@k.se", town["fsk"]) == 200
    town["hr"].is_hr = False
    db.session.commit()
    assert _sees(app, "vera@k.se", town["fsk"]) == 403


@pytest.mark.parametrize("grantor", ["deputy", "nobody", "colleague"])
def test_a_row_not_granted_by_someone_who_may_delegate_gives_nothing(app, town, make, grantor):
    """A deputy cannot delegate further, even if a row says so; nor can a chef elsewhere."""
    _delegate(make, unit=town["bof"], deputy=town["bo"], granted_by=town["chef"])
    granted_by: Employee | None = {
        "deputy": town["bo"],
        "nobody": None,
        "colleague": make.employee(unit=town["fsk"], level="chef", manages=(town["fsk"],)),
    }[grantor]
    _delegate(make, unit=town["bof"], deputy=town["vera"], granted_by=granted_by)
    assert _sees(app, "bo@k.se", town["bof"]) == 200
    assert _sees(app, "vera@k.se", town["bof"]) == 403


def test_the_lists_show_a_delegation_whose_grantor_left_as_not_in_force(app, town, make):
    _delegate(make, unit=town["bof"], deputy=town["vera"], granted_by=town["chef"])
    _delegate(make, unit=town["bof"], deputy=town["bo"], granted_by=town["head"])
    town["chef"].active = False
    db.session.commit()

    client = app.test_client()
    AuthActions(client).login("hr@k.se")
    html = client.get("/admin/delegeringar").get_data(as_text=True)
    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")
    (vera,) = [r for r in rows if "Vera" in r]
    (bo,) = [r for r in rows if "Bo Al" in r]
    assert "Gäller inte: den som gav behörigheten får inte längre delegera enheten." in vera
    assert "Gäller inte" not in bo


def test_a_deputy_cannot_delegate_further(app, town, make):
    _delegate(make, unit=town["bof"], deputy=town["vera"], granted_by=town["chef"])
    client = app.test_client()
    AuthActions(client).login("vera@k.se")
    g.pop("_access_cache", None)
    assert client.get("/enheter/delegering").status_code == 403
    today = dates.today()
    data = {
        "unit_id": town["bof"].id,
        "deputy": "bo@k.se",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=7)).isoformat(),
        "csrf_token": csrf_from(client.get("/").get_data(as_text=True)),
    }
    assert client.post("/enheter/delegering", data=data).status_code == 403
    assert not db.session.scalar(
        sa.select(UnitManager).where(UnitManager.employee_id == town["bo"].id)
    )
