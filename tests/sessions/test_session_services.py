"""In-person sessions as services (app/units/sessions.py), called directly, no HTML."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Completion, SessionAttendance, TrainingSession
from app.units import sessions

TODAY = date(2025, 6, 10)


def _draft(town, **changes) -> sessions.SessionDraft:
    values = {
        "course_id": town["course"].id,
        "title": "",
        "held_on": date(2025, 6, 2),
        "place": " Stora salen ",
        "trainer": "Kim",
        "unit_id": town["bof"].id,
    }
    return sessions.SessionDraft(**{**values, **changes})


def _register(town, ids, *, reach=("bof",), actor="chef", **changes) -> TrainingSession:
    return sessions.register_session(
        db.session,
        draft=_draft(town, **changes),
        attendee_ids=ids,
        actor=town[actor],
        reach=None if reach is None else [town[r].path for r in reach],
        today=TODAY,
    )


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_attendance_makes_one_completion_each_and_an_audit_event(town):
    bo, anna = town["bo"], town["anna"]
    before = _count(Completion)
    ts = _register(town, [bo.id, anna.id, bo.id])  # a double tick counts once
    assert (ts.title, ts.place, ts.created_by_id) == ("Grundkurs", "Stora salen", town["chef"].id)
    made = db.session.scalars(
        sa.select(Completion).where(Completion.session_id == ts.id).order_by(Completion.employee_id)
    ).all()
    assert [c.employee_id for c in made] == sorted([bo.id, anna.id])
    assert _count(Completion) == before + 2
    (first, second) = made
    assert first.source == "session"
    assert first.completed_at == datetime(2025, 6, 2, 12, tzinfo=UTC)
    assert first.expires_at == datetime(2028, 6, 2, tzinfo=UTC)  # the course's 36 months
    assert first.recorded_by_id == town["chef"].id
    assert first.verification_code != second.verification_code
    assert _count(SessionAttendance) == 2
    (event,) = db.session.scalars(sa.select(AuditEvent)).all()
    assert (event.action, event.target_id) == ("session.register", str(ts.id))
    assert event.details["attendees"] == sorted([bo.id, anna.id])


def test_a_session_without_a_course_has_its_own_title_and_no_expiry(town):
    ts = _register(town, [town["bo"].id], course_id=None, title="  APT: samtal om våld ")
    assert ts.title == "APT: samtal om våld"
    (made,) = db.session.scalars(sa.select(Completion).where(Completion.session_id == ts.id))
    assert (made.course_id, made.title, made.expires_at) == (None, ts.title, None)


def test_every_problem_is_named_at_once_and_nothing_is_written(town):
    with pytest.raises(sessions.SessionRejected) as refused:
        _register(town, [], course_id=None, title=" ", held_on=TODAY + timedelta(days=1))
    assert refused.value.problems == [
        "Välj en kurs eller skriv en rubrik för tillfället.",
        "Tillfället kan inte registreras före det har hållits.",
        "Välj minst en deltagare.",
    ]
    with pytest.raises(sessions.SessionRejected, match="Kursen finns inte."):
        _register(town, [town["bo"].id], course_id=999_999)
    assert _count(TrainingSession) == 0


def test_only_active_people_within_reach(town, make):
    outside = town["olle"]  # Förskola, not under Barn och familj
    with pytest.raises(sessions.OutsideReach):
        _register(town, [town["bo"].id, outside.id])
    gone = make.employee(unit=town["bof"], active=False)
    with pytest.raises(sessions.OutsideReach):
        _register(town, [gone.id])
    assert _count(TrainingSession) == 0
    # HR (reach None) may register anyone active.
    ts = _register(town, [town["bo"].id, outside.id], reach=None, actor="hr")
    assert _count(SessionAttendance) == 2
    found, people = sessions.session_detail(db.session, ts.id)
    assert found == ts
    assert [p.first_name for p in people] == ["Bo", "Olle"]  # by last name: Al, Ut
    assert sessions.session_detail(db.session, 999_999) is None


def test_attendees_from_a_csv(town):
    reach = [town["soc"].path]
    data = f"anställningsnummer\r\n{town['bo'].employee_number}\r\n\r\n{town['vera'].employee_number};x\r\n"
    ids = sessions.attendees_from_csv(db.session, data.encode("utf-8-sig"), reach=reach)
    assert ids == [town["bo"].id, town["vera"].id]
    # Windows-1252 and comma work too.
    ids = sessions.attendees_from_csv(
        db.session, f"{town['anna'].employee_number},Anna Ek\n".encode("cp1252"), reach=reach
    )
    assert ids == [town["anna"].id]


def test_a_csv_with_problems_is_refused_whole_with_line_numbers(town, make):
    gone = make.employee(unit=town["bof"], active=False)
    rows = [
        town["bo"].employee_number,
        town["olle"].employee_number,  # outside the reach: said as "not among yours"
        "E-FINNS-INTE",
        town["bo"].employee_number,
        gone.employee_number,
        "x" * 65,
    ]
    with pytest.raises(sessions.SessionRejected) as refused:
        sessions.attendees_from_csv(db.session, "\n".join(rows).encode(), reach=[town["soc"].path])
    problems = refused.value.problems
    assert [p.split(":")[0] for p in problems] == ["Rad 2", "Rad 3", "Rad 4", "Rad 5", "Rad 6"]
    # The same words for "no such person" and "not among yours": nothing leaks.
    assert all("finns inte bland de personer du kan registrera" in p for p in problems[:2])
    assert "finns redan på rad 1" in problems[2]
    assert "avslutad anställning" in problems[3]
    assert "för långt" in problems[4]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "inga anställningsnummer"),
        (b"anstnr\r\n", "inga anställningsnummer"),
        (b"\x00\x01binary", "inte en textfil"),
        (b"1\n" * (sessions.MAX_CSV_BYTES // 2 + 1), "för stor"),
    ],
)
def test_files_that_are_no_list_of_numbers(town, data, message):
    with pytest.raises(sessions.SessionRejected) as refused:
        sessions.attendees_from_csv(db.session, data, reach=None)
    assert message in refused.value.problems[0]


@pytest.mark.parametrize("actor", ["chef", "head", "hr"])
def test_nobody_registers_their_own_attendance(town, actor):
    """M4 of the security review: a manager certified their own mandatory training."""
    with pytest.raises(sessions.SessionRejected) as refused:
        _register(town, [town["bo"].id, town[actor].id], reach=None, actor=actor)
    assert refused.value.problems == [
        "Du kan inte registrera din egen närvaro. Be HR eller en annan chef registrera den."
    ]
    assert (_count(TrainingSession), _count(Completion)) == (0, 1)  # the town's one completion


def test_a_manager_registers_a_session_at_most_30_days_back_hr_any_day(town):
    """M4: backdating by managers is limited; older training is HR's to register."""
    with pytest.raises(sessions.SessionRejected) as refused:
        _register(town, [town["bo"].id], held_on=TODAY - timedelta(days=31))
    assert refused.value.problems == [
        "Datum: ett tillfälle kan registreras högst 30 dagar i efterhand, tidigast 2025-05-11. "
        "Äldre utbildning registreras av HR."
    ]
    assert _count(TrainingSession) == 0
    assert _register(town, [town["bo"].id], held_on=TODAY - timedelta(days=30)).id
    old = _register(town, [town["anna"].id], reach=None, actor="hr", held_on=date(2024, 1, 9))
    assert old.held_on == date(2024, 1, 9)
