"""In-person sessions: attendance makes completions; nobody outside the registrar's units."""

from __future__ import annotations

import io
from datetime import timedelta

import sqlalchemy as sa

from app import dates
from app.dates import local_day
from app.extensions import db
from app.models import AuditEvent, Completion, SessionAttendance, TrainingSession
from app.reports.coverage import employee_statuses
from tests.conftest import csrf_from


def _form(client, unit_id: int, **data):
    url = f"/enheter/{unit_id}/tillfallen/nytt"
    token = csrf_from(client.get(url).get_data(as_text=True))
    base = {
        "csrf_token": token,
        "course_id": "0",
        "held_on": dates.today().isoformat(),
        "place": "Stora salen",
        "trainer": "Kim",
    }
    return client.post(url, data={**base, **data}, content_type="multipart/form-data")


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_ticked_attendees_complete_the_course(client, auth, town, app):
    auth.login("chef@k.se")
    response = _form(
        client,
        town["bof"].id,
        course_id=str(town["course"].id),
        attendee=[str(town["bo"].id), str(town["anna"].id)],
    )
    assert response.status_code == 302
    with app.app_context():
        rows = db.session.scalars(sa.select(Completion).where(Completion.source == "session")).all()
        assert sorted(c.employee_id for c in rows) == sorted([town["bo"].id, town["anna"].id])
        assert all(c.expires_at is not None and c.session_id for c in rows)
        assert employee_statuses(db.session, town["bo"].id, dates.today())[0].status == "completed"
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).where(AuditEvent.action == "session.register")
            )
            == 1
        )
    assert "Stora salen" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_free_title_session_without_a_course(client, auth, town, app):
    auth.login("chef@k.se")
    response = _form(
        client, town["bof"].id, title="APT: våld i nära relationer", attendee=[str(town["bo"].id)]
    )
    assert response.status_code == 302
    with app.app_context():
        c = db.session.scalar(sa.select(Completion).where(Completion.source == "session"))
        assert c.course_id is None
        assert c.title == "APT: våld i nära relationer"


def test_tampered_attendee_outside_the_subtree_is_403_and_nothing_changes(client, auth, town, app):
    auth.login("chef@k.se")
    response = _form(
        client,
        town["bof"].id,
        course_id=str(town["course"].id),
        attendee=[str(town["bo"].id), str(town["vera"].id)],
    )
    assert response.status_code == 403
    assert _form(client, town["bof"].id, attendee=["abc"]).status_code == 400
    assert _form(client, town["vux"].id, attendee=[str(town["vera"].id)]).status_code == 403
    with app.app_context():
        assert _count(TrainingSession) == 0
        assert _count(SessionAttendance) == 0
        assert (
            db.session.scalar(sa.select(sa.func.count()).where(Completion.source == "session")) == 0
        )


def test_future_sessions_and_empty_lists_are_refused(client, auth, town, app):
    auth.login("chef@k.se")
    tomorrow = (dates.today() + timedelta(days=1)).isoformat()
    response = _form(
        client, town["bof"].id, title="X", held_on=tomorrow, attendee=[str(town["bo"].id)]
    )
    assert response.status_code == 400
    assert "innan det har hållits" in response.get_data(
        as_text=True
    ) or "före det har hållits" in response.get_data(as_text=True)
    response = _form(client, town["bof"].id, title="X")
    assert "Välj minst en deltagare." in response.get_data(as_text=True)
    with app.app_context():
        assert _count(TrainingSession) == 0


def _csv(client, town, text: str, encoding="utf-8"):
    return _form(
        client,
        town["bof"].id,
        course_id=str(town["course"].id),
        attendees_csv=(io.BytesIO(text.encode(encoding)), "deltagare.csv"),
    )


def test_csv_of_attendees(client, auth, town, app):
    auth.login("chef@k.se")
    text = f"anställningsnummer\r\n{town['bo'].employee_number}\r\n{town['anna'].employee_number};x\r\n"
    response = _csv(client, town, "\ufeff" + text)
    assert response.status_code == 302
    with app.app_context():
        assert _count(SessionAttendance) == 2


def test_csv_is_all_or_nothing_with_line_numbers(client, auth, town, app, make):
    auth.login("chef@k.se")
    gone = make.employee(unit=town["bof"], active=False)
    text = "\n".join(
        [
            town["bo"].employee_number,
            town["vera"].employee_number,  # outside the chef's unit
            "E999999",  # no such person
            town["bo"].employee_number,  # twice
            gone.employee_number,
        ]
    )
    response = _csv(client, town, text)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert f"Rad 2: anställningsnummer {town['vera'].employee_number} finns inte bland" in body
    assert "Rad 3: anställningsnummer E999999 finns inte bland" in body
    assert f"Rad 4: anställningsnummer {town['bo'].employee_number} finns redan på rad 1." in body
    assert "Rad 5:" in body
    assert "avslutad" in body
    assert body.index("Rad 2:") < body.index("Rad 3:") < body.index("Rad 4:")
    with app.app_context():
        assert _count(TrainingSession) == 0
        assert _count(Completion) == 1


def test_hr_can_register_anyone(client, auth, town, app):
    """Olle is in Förskola, where no manager in the fixture reaches: HR registers him."""
    olle, today = town["olle"], dates.today()
    auth.login("hr@k.se")
    before = client.get(f"/enheter/personer/{olle.id}").get_data(as_text=True)
    assert "Försenad" in before
    assert "Inga registreringar." in before
    response = _form(
        client,
        town["fsk"].id,
        course_id=str(town["course"].id),
        title="Workshop om våld i nära relationer",
        attendee=[str(olle.id)],
    )
    assert response.status_code == 302
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tillfället är registrerat med 1 deltagare." in shown
    assert "<h1>Workshop om våld i nära relationer</h1>" in shown
    assert olle.full_name in shown
    assert "Stora salen" in shown

    with app.app_context():
        ts = db.session.scalar(sa.select(TrainingSession))
        assert (ts.unit_id, ts.course_id, ts.held_on) == (
            town["fsk"].id,
            town["course"].id,
            today,
        )
        (attendance,) = db.session.scalars(sa.select(SessionAttendance)).all()
        assert (attendance.session_id, attendance.employee_id) == (ts.id, olle.id)
        assert attendance.recorded_by_id == town["hr"].id
        (completion,) = db.session.scalars(
            sa.select(Completion).where(Completion.employee_id == olle.id)
        ).all()
        assert (completion.source, completion.session_id) == ("session", ts.id)
        assert completion.recorded_by_id == town["hr"].id
        assert local_day(completion.completed_at) == today
        (status,) = employee_statuses(db.session, olle.id, today)
        assert status.status == "completed"
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "session.register")
        )
        assert event.actor_id == town["hr"].id
        assert event.details["attendees"] == [olle.id]

    # Olle's record: the course done today, through the session, registered by HR
    history = client.get(f"/enheter/personer/{olle.id}").get_data(as_text=True)
    required = history.split("<h2>Krävda kurser</h2>")[1].split("</table>")[0]
    assert "Genomförd" in required
    assert today.isoformat() in required
    record = history.split("<h2>Utbildningshistorik</h2>")[1].split("</table>")[0]
    assert "1 registrering<" in record
    assert f'href="/enheter/tillfallen/{ts.id}"' in record
    assert "Workshop om våld i nära relationer" in record
    assert "Utbildningstillfälle" in record
    assert "registrerad av Hanna" in record
    assert "Deltog" in record


def test_manager_sees_only_own_sessions(client, auth, town, app):
    auth.login("hr@k.se")
    response = _form(client, town["fsk"].id, title="Workshop", attendee=[str(town["olle"].id)])
    location = response.headers["Location"]
    auth.logout()
    auth.login("chef@k.se")
    assert client.get(location).status_code == 403
