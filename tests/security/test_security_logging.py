"""Issue 15, L4: logins (success and failure), logouts and the reads that list people are
audit events, with the client's address; no password, and nothing typed for an e-mail that
is no account. (remote_addr itself: tests/foundation/test_audit.py.)"""

from __future__ import annotations

import sqlalchemy as sa

from app import dates
from app.extensions import db
from app.models import AuditEvent, SessionAttendance, TrainingSession
from tests.conftest import PASSWORD, AuthActions

ADDRESS = "192.0.2.44"


def _events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    stmt = sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.session.scalars(stmt))


def _everything_stored() -> str:
    """Every audit column of every event, as one text to search."""
    db.session.expire_all()
    return repr(
        [
            (e.action, e.target_type, e.target_id, e.details, e.remote_addr)
            for e in db.session.scalars(sa.select(AuditEvent))
        ]
    )


def _login(client, email: str, password: str = PASSWORD):
    client.environ_base["REMOTE_ADDR"] = ADDRESS
    return AuthActions(client).login(email, password)


def test_a_login_and_a_logout_are_audit_events(client, make):
    anna = make.employee(email="anna@k.se")
    assert _login(client, "anna@k.se").status_code == 302
    (login,) = _events("auth.login")
    assert (login.actor_id, login.target_id, login.remote_addr) == (anna.id, str(anna.id), ADDRESS)
    AuthActions(client).logout()
    (logout,) = _events("auth.logout")
    assert (logout.actor_id, logout.remote_addr) == (anna.id, ADDRESS)
    assert PASSWORD not in _everything_stored()


def test_failed_logins_are_audit_events_without_the_password(client, make):
    anna = make.employee(email="anna@k.se")
    make.employee(email="slutat@k.se", active=False)
    assert _login(client, "Anna@k.se", "fel-losenord-ett").status_code == 200
    assert _login(client, "slutat@k.se").status_code == 200
    # An e-mail that is no account: a typo of someone's address, or a password typed into
    # the wrong field. Nothing typed is kept, only that it happened, from where.
    assert _login(client, "hemligt-losenord-i-fel-falt", "x" * 12).status_code == 200

    wrong, inactive, unknown = _events("auth.login_failed")
    assert (wrong.actor_id, wrong.target_id, wrong.details) == (
        None,
        str(anna.id),
        {"reason": "wrong_password"},
    )
    assert inactive.details == {"reason": "inactive"}
    assert (unknown.target_type, unknown.target_id, unknown.details) == (
        None,
        None,
        {"reason": "no_account"},
    )
    assert {e.remote_addr for e in (wrong, inactive, unknown)} == {ADDRESS}
    stored = _everything_stored()
    for typed in ("fel-losenord-ett", PASSWORD, "hemligt-losenord-i-fel-falt", "x" * 12):
        assert typed not in stored
    assert _events("auth.login") == []


def test_hr_s_people_search_records_who_was_shown(client, town):
    _login(client, "hr@k.se")
    page = client.get("/admin/personal?q=ek")
    assert "Anna" in page.get_data(as_text=True)
    (event,) = _events("person.search")
    assert event.actor_id == town["hr"].id
    assert event.remote_addr == ADDRESS
    assert event.details["shown"] == [town["anna"].id]
    assert "ek" not in repr(event.details)  # the ids say who was shown; the text is not kept


def test_reading_the_audit_log_is_itself_logged(client, town):
    _login(client, "hr@k.se")
    assert client.get("/admin/logg?typ=auth").status_code == 200
    (event,) = _events("audit.view")
    assert (event.actor_id, event.details) == (town["hr"].id, {"action": "auth", "page": 1})
    # the next look shows the first one
    assert "audit.view" in client.get("/admin/logg").get_data(as_text=True)


def test_a_unit_s_person_table_records_who_was_shown(client, town):
    _login(client, "chef@k.se")
    assert client.get(f"/enheter/{town['bof'].id}").status_code == 200
    (event,) = _events("unit.people_view")
    assert (event.actor_id, event.target_type, event.target_id) == (
        town["chef"].id,
        "unit",
        str(town["bof"].id),
    )
    assert set(event.details["shown"]) >= {town["anna"].id, town["bo"].id}
    assert town["olle"].id not in event.details["shown"]


def test_a_session_s_attendee_list_records_who_was_shown(client, town):
    ts = TrainingSession(title="APT", held_on=dates.today(), unit_id=town["bof"].id)
    db.session.add(ts)
    db.session.flush()
    db.session.add(SessionAttendance(session_id=ts.id, employee_id=town["bo"].id))
    db.session.commit()
    _login(client, "chef@k.se")
    assert client.get(f"/enheter/tillfallen/{ts.id}").status_code == 200
    (event,) = _events("session.attendees_view")
    assert (event.target_type, event.target_id) == ("session", str(ts.id))
    assert event.details["shown"] == [town["bo"].id]


def test_the_list_of_people_with_nothing_completed_records_who_was_shown(client, town):
    _login(client, "hr@k.se")
    assert client.get("/rapporter/utan-genomford").status_code == 200
    (event,) = _events("report.nothing_completed_view")
    assert event.actor_id == town["hr"].id
    assert town["bo"].id in event.details["shown"]
    assert town["anna"].id not in event.details["shown"]  # she has completed


def test_someone_else_s_certificate_download_is_logged_one_s_own_is_not(client, town, make):
    completion = make.completion(town["bo"], town["course"], on=dates.today())
    _login(client, "bo@k.se")
    assert client.get(f"/intyg/{completion.id}.pdf").status_code == 200
    assert _events("certificate.download") == []
    AuthActions(client).logout()
    _login(client, "chef@k.se")
    assert client.get(f"/intyg/{completion.id}.pdf").status_code == 200
    (event,) = _events("certificate.download")
    assert (event.actor_id, event.target_type, event.target_id) == (
        town["chef"].id,
        "completion",
        str(completion.id),
    )
    assert event.details == {"employee_id": town["bo"].id}
