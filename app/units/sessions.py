"""In-person training sessions: who attended, and the completions attendance gives.

A manager may register only people in their own subtrees (HR anyone), never
themself, and a session held at most MAX_BACKDATE_DAYS ago (HR any past day).
Attendees come from ticked boxes or from a CSV of employee numbers; either way the
whole registration is accepted or nothing is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.auth import access
from app.dates import expiry_for
from app.labels import format_day
from app.models import (
    Completion,
    CompletionSource,
    Course,
    Employee,
    OrgUnit,
    SessionAttendance,
    TrainingSession,
)
from app.org import in_subtrees
from app.records import audit, new_verification_code

MAX_CSV_BYTES = 1024 * 1024
# A session is registered soon after it is held; older training is HR's to register,
# so a manager cannot backdate their staff's (or anyone's) mandatory training.
MAX_BACKDATE_DAYS = 30
HEADER_NAMES = {"anställningsnummer", "anstallningsnummer", "anstnr", "employee_number"}


class SessionRejected(Exception):
    """The registration cannot be made; every problem, in Swedish, one per line.

    A problem is its text, or (form field, text) when one field is at fault: the page's
    error summary links it there (`fields`, in the same order as `problems`)."""

    def __init__(self, problems: Sequence[str | tuple[str, str]]) -> None:
        self.problems = [p if isinstance(p, str) else p[1] for p in problems]
        self.fields = [None if isinstance(p, str) else p[0] for p in problems]
        super().__init__("; ".join(self.problems))


class OutsideReach(Exception):
    """Someone outside the registrar's units was named (a tampered form)."""


@dataclass(frozen=True)
class SessionDraft:
    course_id: int | None
    title: str
    held_on: date
    place: str
    trainer: str
    unit_id: int


def register_session(
    session: Session,
    *,
    draft: SessionDraft,
    attendee_ids: Sequence[int],
    actor: Employee,
    reach: Sequence[str] | None,
    today: date,
) -> TrainingSession:
    """Record the session, its attendance and one completion per attendee (source session)."""
    problems = []
    course = session.get(Course, draft.course_id) if draft.course_id else None
    if draft.course_id and course is None:
        problems.append(("course_id", _("Kursen finns inte.")))
    if course is None and not draft.title.strip():
        problems.append(("course_id", _("Välj en kurs eller skriv en rubrik för tillfället.")))
    if draft.held_on > today:
        problems.append(("held_on", _("Tillfället kan inte registreras före det har hållits.")))
    earliest = today - timedelta(days=MAX_BACKDATE_DAYS)
    if draft.held_on < earliest and not access.can_backdate_sessions(actor):
        problems.append(
            (
                "held_on",
                _(
                    "Datum: ett tillfälle kan registreras högst %(n)s dagar i efterhand, "
                    "tidigast %(day)s. Äldre utbildning registreras av HR.",
                    n=MAX_BACKDATE_DAYS,
                    day=format_day(earliest),
                ),
            )
        )
    ids = sorted(set(attendee_ids))
    if not ids:
        problems.append(("attendee", _("Välj minst en deltagare.")))
    if actor.id in ids:
        problems.append(
            (
                "attendee",
                _(
                    "Du kan inte registrera din egen närvaro. "
                    "Be HR eller en annan chef registrera den."
                ),
            )
        )
    if problems:
        raise SessionRejected(problems)
    allowed = _within(session, ids, reach)
    if allowed != set(ids):
        raise OutsideReach()
    ts = TrainingSession(
        course_id=course.id if course else None,
        title=draft.title.strip() or (course.title if course else ""),
        held_on=draft.held_on,
        place=draft.place.strip(),
        trainer=draft.trainer.strip(),
        unit_id=draft.unit_id,
        created_by_id=actor.id,
    )
    session.add(ts)
    session.flush()
    completed_at = datetime.combine(draft.held_on, time(12, 0), UTC)
    expires_at = expiry_for(completed_at, course.valid_months) if course else None
    session.execute(
        sa.insert(SessionAttendance),
        [{"session_id": ts.id, "employee_id": i, "recorded_by_id": actor.id} for i in ids],
    )
    session.execute(
        sa.insert(Completion),
        [
            {
                "employee_id": i,
                "course_id": course.id if course else None,
                "title": ts.title,
                "completed_at": completed_at,
                "expires_at": expires_at,
                "source": CompletionSource.SESSION.value,
                "session_id": ts.id,
                "recorded_by_id": actor.id,
                "verification_code": new_verification_code(),
            }
            for i in ids
        ],
    )
    audit(
        session,
        actor,
        "session.register",
        "training_session",
        ts.id,
        {"course_id": ts.course_id, "title": ts.title, "attendees": ids},
    )
    session.flush()
    return ts


def _within(session: Session, ids: Sequence[int], reach: Sequence[str] | None) -> set[int]:
    stmt = sa.select(Employee.id).where(Employee.id.in_(list(ids)), Employee.active.is_(True))
    if reach is not None:
        stmt = stmt.join(OrgUnit, OrgUnit.id == Employee.unit_id).where(
            in_subtrees(OrgUnit.path, reach)
        )
    return set(session.scalars(stmt))


def attendees_from_csv(session: Session, data: bytes, *, reach: Sequence[str] | None) -> list[int]:
    """Employee numbers, one per line (first column; a header line is allowed) → ids.

    Every problem is reported with its line number; one problem rejects the file.
    """
    if len(data) > MAX_CSV_BYTES:
        raise SessionRejected([("attendees_csv", _("Filen är för stor (högst 1 MB)."))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise SessionRejected([("attendees_csv", _("Filen är inte en textfil (CSV)."))])
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max((";", ",", "\t"), key=first.count) if first else ";"
    numbers: list[tuple[int, str]] = []
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for line_no, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        value = row[0].strip() if row else ""
        if not value:
            continue
        if line_no == 1 and value.lower() in HEADER_NAMES:
            continue
        if len(value) > 64:
            problems.append(
                (
                    line_no,
                    _("Rad %(n)s: värdet är för långt för ett anställningsnummer.", n=line_no),
                )
            )
            continue
        if value in seen:
            problems.append(
                (
                    line_no,
                    _(
                        "Rad %(n)s: anställningsnummer %(number)s finns redan på rad %(first)s.",
                        n=line_no,
                        number=value,
                        first=seen[value],
                    ),
                )
            )
            continue
        seen[value] = line_no
        numbers.append((line_no, value))
    if not numbers and not problems:
        raise SessionRejected([("attendees_csv", _("Filen innehåller inga anställningsnummer."))])
    found: dict[str, tuple[int, bool]] = {}
    if numbers:
        stmt = sa.select(Employee.employee_number, Employee.id, Employee.active).where(
            Employee.employee_number.in_([n for _line, n in numbers])
        )
        if reach is not None:
            stmt = stmt.join(OrgUnit, OrgUnit.id == Employee.unit_id).where(
                in_subtrees(OrgUnit.path, reach)
            )
        found = {n: (i, a) for n, i, a in session.execute(stmt)}
    ids = []
    for line_no, number in numbers:
        if number not in found:
            # The same words for "no such person" and "not in your units": nothing leaks.
            problems.append(
                (
                    line_no,
                    _(
                        "Rad %(n)s: anställningsnummer %(number)s finns inte bland de personer du kan registrera.",
                        n=line_no,
                        number=number,
                    ),
                )
            )
        elif not found[number][1]:
            problems.append(
                (
                    line_no,
                    _(
                        "Rad %(n)s: anställningsnummer %(number)s tillhör en avslutad anställning.",
                        n=line_no,
                        number=number,
                    ),
                )
            )
        else:
            ids.append(found[number][0])
    if problems:
        raise SessionRejected(
            [("attendees_csv", message) for _line, message in sorted(problems, key=lambda p: p[0])]
        )
    return ids


def session_detail(
    session: Session, session_id: int
) -> tuple[TrainingSession, list[Employee]] | None:
    ts = session.get(TrainingSession, session_id)
    if ts is None:
        return None
    people = list(
        session.scalars(
            sa.select(Employee)
            .join(SessionAttendance, SessionAttendance.employee_id == Employee.id)
            .where(SessionAttendance.session_id == ts.id)
            .options(sa.orm.joinedload(Employee.unit))
            .order_by(Employee.last_name, Employee.first_name)
        )
    )
    return ts, people


def record_attendee_view(
    session: Session,
    *,
    viewer: Employee,
    training_session: TrainingSession,
    shown: Sequence[Employee],
) -> None:
    """A session's attendee list names people: who was shown is an audit event."""
    details = {"shown": [e.id for e in shown]}
    audit(session, viewer, "session.attendees_view", "session", training_session.id, details)
