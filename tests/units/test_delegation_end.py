"""Ending a delegation, by HR and by the unit's chef: the deputy loses the view at once,
the list no longer shows it, the change is audited; nobody ends another unit's delegation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app import dates
from app.auth import access
from app.extensions import db
from app.models import AuditEvent, UnitManager
from tests.conftest import AuthActions, csrf_from


def _delegate(make, *, unit, deputy, granted_by, starts_on=None, ends_on=None) -> UnitManager:
    today = dates.today()
    row = UnitManager(
        unit_id=unit.id,
        employee_id=deputy.id,
        role="delegate",
        starts_on=starts_on or today - timedelta(days=10),
        ends_on=ends_on or today + timedelta(days=30),
        granted_by_id=granted_by.id,
    )
    make.session.add(row)
    make.session.commit()
    return row


def _logged_in(app, email):
    client = app.test_client()
    AuthActions(client).login(email)
    return client


def _end(client, list_url: str, end_url: str):
    token = csrf_from(client.get(list_url).get_data(as_text=True))
    return client.post(end_url, data={"csrf_token": token})


def _row(delegation_id: int) -> UnitManager:
    db.session.expire_all()
    return db.session.get(UnitManager, delegation_id)


def _end_events() -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "delegation.end"))
    )


def _table(html: str) -> str:
    """The delegation table of the page (the form below it names no one)."""
    return html.split("Pågående och kommande delegeringar")[1].split("</table>")[0]


def test_hr_ends_a_delegation_and_the_deputy_loses_the_view(app, client, auth, town, make):
    deputy = town["vera"]
    row = _delegate(make, unit=town["bof"], deputy=deputy, granted_by=town["chef"])
    old_ends_on = row.ends_on
    deputy_client = _logged_in(app, "vera@k.se")
    assert deputy_client.get(f"/enheter/{town['bof'].id}").status_code == 200
    assert "Min enhet" in deputy_client.get("/").get_data(as_text=True)

    auth.login("hr@k.se")
    listed = client.get("/admin/delegeringar").get_data(as_text=True)
    assert deputy.full_name in _table(listed)
    assert f"/admin/delegeringar/{row.id}/avsluta" in listed
    response = _end(client, "/admin/delegeringar", f"/admin/delegeringar/{row.id}/avsluta")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/delegeringar")

    after = client.get("/admin/delegeringar").get_data(as_text=True)
    assert "Delegeringen är avslutad." in after
    assert deputy.full_name not in _table(after)
    assert "Inga delegeringar." in _table(after)

    # the deputy's next request: no unit, no "Min enhet" in the menu
    assert deputy_client.get(f"/enheter/{town['bof'].id}").status_code == 403
    assert deputy_client.get(f"/enheter/personer/{town['bo'].id}").status_code == 403
    assert "Min enhet" not in deputy_client.get("/").get_data(as_text=True)

    today = dates.today()
    assert _row(row.id).ends_on == today - timedelta(days=1)  # kept, not deleted
    (event,) = _end_events()
    assert event.actor_id == town["hr"].id
    assert (event.target_type, event.target_id) == ("unit", str(town["bof"].id))
    assert event.details == {"deputy_id": deputy.id, "old_ends_on": old_ends_on.isoformat()}
    log = client.get("/admin/logg?typ=delegation.end").get_data(as_text=True)
    assert "Hanna" in log.split("<tbody>")[1]


def test_the_chef_ends_a_delegation_of_their_own_unit(app, client, auth, town, make):
    deputy = town["vera"]
    row = _delegate(make, unit=town["bof"], deputy=deputy, granted_by=town["chef"])
    deputy_client = _logged_in(app, "vera@k.se")
    assert deputy_client.get(f"/enheter/{town['bof'].id}").status_code == 200

    auth.login("chef@k.se")
    assert deputy.full_name in _table(client.get("/enheter/delegering").get_data(as_text=True))
    response = _end(client, "/enheter/delegering", f"/enheter/delegering/{row.id}/avsluta")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/enheter/delegering")
    after = client.get("/enheter/delegering").get_data(as_text=True)
    assert "Delegeringen är avslutad." in after
    assert deputy.full_name not in _table(after)

    assert deputy_client.get(f"/enheter/{town['bof'].id}").status_code == 403
    assert _row(row.id).ends_on == dates.today() - timedelta(days=1)
    (event,) = _end_events()
    assert event.actor_id == town["chef"].id
    assert event.details["deputy_id"] == deputy.id
    # the chef's own view of the unit is untouched
    assert client.get(f"/enheter/{town['bof'].id}").status_code == 200


def test_the_head_above_may_end_a_delegation_below(client, auth, town, make):
    row = _delegate(make, unit=town["bof"], deputy=town["vera"], granted_by=town["chef"])
    auth.login("head@k.se")
    response = _end(client, "/enheter/delegering", f"/enheter/delegering/{row.id}/avsluta")
    assert response.status_code == 302
    assert _row(row.id).ends_on == dates.today() - timedelta(days=1)
    assert len(_end_events()) == 1


def test_an_upcoming_delegation_ended_never_starts(client, auth, town, make):
    today = dates.today()
    row = _delegate(
        make,
        unit=town["bof"],
        deputy=town["vera"],
        granted_by=town["chef"],
        starts_on=today + timedelta(days=5),
        ends_on=today + timedelta(days=20),
    )
    auth.login("hr@k.se")
    listed = _table(client.get("/admin/delegeringar").get_data(as_text=True))
    assert "Vera" in listed
    assert "(kommande)" in listed
    _end(client, "/admin/delegeringar", f"/admin/delegeringar/{row.id}/avsluta")
    assert "Vera" not in _table(client.get("/admin/delegeringar").get_data(as_text=True))
    deputy = _row(row.id).employee
    for day in (today, today + timedelta(days=5), today + timedelta(days=20)):
        assert access.managed_units(deputy, on=day) == []


@pytest.mark.parametrize("who", ["chef@k.se", "vera@k.se"])
def test_no_one_ends_a_delegation_outside_the_units_they_lead(app, client, auth, town, make, who):
    """The chef of Barn och familj, and a deputy (who leads nothing), against Vuxen's delegation."""
    _delegate(make, unit=town["bof"], deputy=town["vera"], granted_by=town["chef"])
    other = _delegate(make, unit=town["vux"], deputy=town["bo"], granted_by=town["head"])
    before = _row(other.id).ends_on
    auth.login(who)
    response = _end(client, "/enheter/", f"/enheter/delegering/{other.id}/avsluta")
    assert response.status_code in (403, 404)
    assert _row(other.id).ends_on == before
    assert _end_events() == []
    # Bo still sees Vuxen
    assert _logged_in(app, "bo@k.se").get(f"/enheter/{town['vux'].id}").status_code == 200


def test_a_deputy_cannot_end_their_own_delegation_or_hr_s_page(client, auth, town, make):
    row = _delegate(make, unit=town["bof"], deputy=town["vera"], granted_by=town["chef"])
    auth.login("vera@k.se")
    assert _end(client, "/enheter/", f"/enheter/delegering/{row.id}/avsluta").status_code == 403
    assert _end(client, "/enheter/", f"/admin/delegeringar/{row.id}/avsluta").status_code == 403
    assert _row(row.id).ends_on > dates.today()
    assert _end_events() == []


def test_a_chef_row_is_not_a_delegation(app, client, auth, town, make):
    """The id of a chef's own (HR-given) row: 404 on both pages, and the chef keeps the unit."""
    chef_row = db.session.scalar(
        sa.select(UnitManager).where(UnitManager.employee_id == town["chef"].id)
    )
    auth.login("hr@k.se")
    assert (
        _end(
            client, "/admin/delegeringar", f"/admin/delegeringar/{chef_row.id}/avsluta"
        ).status_code
        == 404
    )
    assert (
        _end(client, "/enheter/", f"/enheter/delegering/{chef_row.id}/avsluta").status_code == 404
    )
    assert _end(client, "/enheter/", "/enheter/delegering/999999/avsluta").status_code == 404
    assert _row(chef_row.id).ends_on is None
    assert _end_events() == []
    assert _logged_in(app, "chef@k.se").get(f"/enheter/{town['bof'].id}").status_code == 200


def test_ending_without_a_csrf_token_changes_nothing(client, auth, town, make):
    row = _delegate(make, unit=town["bof"], deputy=town["vera"], granted_by=town["chef"])
    auth.login("hr@k.se")
    assert client.post(f"/admin/delegeringar/{row.id}/avsluta").status_code == 400
    assert _row(row.id).ends_on > dates.today()
    assert _end_events() == []


def test_ending_a_delegation_that_is_already_over_keeps_its_history(client, auth, town, make):
    """A delegation that ended long ago is not stretched to yesterday by a second 'end'."""
    row = _delegate(
        make,
        unit=town["bof"],
        deputy=town["vera"],
        granted_by=town["chef"],
        starts_on=date(2024, 1, 1),
        ends_on=date(2024, 2, 1),
    )
    auth.login("hr@k.se")
    _end(client, "/admin/delegeringar", f"/admin/delegeringar/{row.id}/avsluta")
    assert _row(row.id).ends_on == date(2024, 2, 1)
    assert _end_events() == []
