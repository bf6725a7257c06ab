"""Personal data: what Värna holds about a person (GDPR art. 15), and gallring.

Gallring follows the municipality's deletion decision (gallringsbeslut): the
personal data of people who left more than RETENTION_YEARS ago is removed. The
training records stay, tied to an anonymous person with the same unit and level,
so the reports' counts and trends do not change.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import mail
from app.admin.imports import uploads
from app.admin.requirements import evidence
from app.dates import add_months
from app.models import (
    Attempt,
    AuditEvent,
    Completion,
    Course,
    Employee,
    EmployeeTag,
    EvaluationReceipt,
    Exemption,
    FollowupSent,
    PasswordReset,
    Pretest,
    PretestAnswer,
    Progress,
    ReminderLog,
    Requirement,
    ScormRuntime,
    SessionAttendance,
    SignInLetter,
    UnitManager,
)
from app.records import audit

log = logging.getLogger(__name__)
ANONYMOUS = "Gallrad"


def export_self(session: Session, employee: Employee) -> dict[str, Any]:
    """The person's own download of everything Värna holds about them; audited."""
    data = personal_data(session, employee)
    audit(session, employee, "privacy.export_self", "employee", employee.id)
    return data


# Events whose action ends so are someone looking at the person's record.
LOOK_SUFFIX = ".view"


def personal_data(session: Session, employee: Employee) -> dict[str, Any]:
    """Everything Värna holds about one person, as plain JSON-able data.

    Exemptions with their reasons, the evidence files behind external records, and every
    event about the person with who did it and its details (art. 15: who has looked at
    the record, too).
    """
    completions = session.scalars(
        sa.select(Completion)
        .where(Completion.employee_id == employee.id)
        .options(sa.orm.joinedload(Completion.course), sa.orm.joinedload(Completion.course_version))
        .order_by(Completion.completed_at)
    ).all()
    attempts = session.scalars(
        sa.select(Attempt).where(Attempt.employee_id == employee.id).order_by(Attempt.started_at)
    ).all()
    progress = session.scalars(sa.select(Progress).where(Progress.employee_id == employee.id)).all()
    pretests = session.scalars(
        sa.select(Pretest).where(Pretest.employee_id == employee.id).order_by(Pretest.started_at)
    ).all()
    own = [c.id for c in completions]
    evaluated = set(
        session.scalars(
            sa.select(EvaluationReceipt.completion_id).where(
                EvaluationReceipt.completion_id.in_(own)
            )
        )
    )
    followed_up = set(
        session.scalars(
            sa.select(FollowupSent.completion_id).where(FollowupSent.completion_id.in_(own))
        )
    )
    reminders = session.scalars(
        sa.select(ReminderLog).where(ReminderLog.employee_id == employee.id)
    ).all()
    sessions = session.scalars(
        sa.select(SessionAttendance)
        .where(SessionAttendance.employee_id == employee.id)
        .options(sa.orm.joinedload(SessionAttendance.session))
    ).all()
    managed = session.scalars(
        sa.select(UnitManager)
        .where(UnitManager.employee_id == employee.id)
        .options(sa.orm.joinedload(UnitManager.unit))
    ).all()
    granted = session.scalars(
        sa.select(UnitManager)
        .where(UnitManager.granted_by_id == employee.id)
        .options(sa.orm.joinedload(UnitManager.unit), sa.orm.joinedload(UnitManager.employee))
        .order_by(UnitManager.created_at)
    ).all()
    exemptions = session.execute(
        sa.select(Exemption, Requirement, Course)
        .join(Requirement, Requirement.id == Exemption.requirement_id)
        .join(Course, Course.id == Requirement.course_id)
        .where(Exemption.employee_id == employee.id)
        .order_by(Exemption.created_at)
    ).all()
    events = session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.target_type == "employee", AuditEvent.target_id == str(employee.id))
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    ).all()
    people = _people(
        session,
        [e.actor_id for e in events]
        + [c.recorded_by_id for c in completions]
        + [x.created_by_id for x, _, _ in exemptions]
        + [x.revoked_by_id for x, _, _ in exemptions],
    )

    def who(person_id: int | None) -> dict[str, Any] | None:
        return _who(people.get(person_id), employee) if person_id is not None else None

    def about(e: AuditEvent) -> dict[str, Any]:
        return {
            "occurred_at": _iso(e.occurred_at),
            "action": e.action,
            "by": who(e.actor_id),
            "details": e.details or {},
        }

    return {
        "person": {
            "employee_number": employee.employee_number,
            "first_name": employee.first_name,
            "last_name": employee.last_name,
            "email": employee.email,
            "title": employee.title,
            "level": employee.level,
            "occupation_tags": employee.occupation_tags,
            "unit": {"code": employee.unit.code, "name": employee.unit.name},
            "active": employee.active,
            "start_date": _iso(employee.start_date),
            "end_date": _iso(employee.end_date),
            "roles": [
                r for r, on in (("hr", employee.is_hr), ("reporter", employee.is_reporter)) if on
            ],
            "last_login_at": _iso(employee.last_login_at),
            "created_at": _iso(employee.created_at),
        },
        "leads_units": [
            {
                "unit": m.unit.name,
                "role": m.role,
                "starts_on": _iso(m.starts_on),
                "ends_on": _iso(m.ends_on),
            }
            for m in managed
        ],
        "delegations_granted": [
            {
                "unit": m.unit.name,
                "to": m.employee.full_name,
                "starts_on": _iso(m.starts_on),
                "ends_on": _iso(m.ends_on),
            }
            for m in granted
        ],
        "completions": [
            {
                "id": c.id,
                "course": c.course.title if c.course else c.title,
                "version": c.course_version.version if c.course_version else None,
                "completed_at": _iso(c.completed_at),
                "expires_at": _iso(c.expires_at),
                "score": c.score,
                "source": c.source,
                "note": c.note,
                "recorded_by": who(c.recorded_by_id),
                "evidence_file": evidence_name(c),
                "verification_code": c.verification_code,
                "superseded": c.superseded_by_id is not None,
            }
            for c in completions
        ],
        "exemptions": [
            {
                "course": course.title,
                "requirement": requirement.name,
                "reason": x.reason,
                "created_at": _iso(x.created_at),
                "created_by": who(x.created_by_id),
                "revoked_at": _iso(x.revoked_at),
                "revoked_by": who(x.revoked_by_id),
            }
            for x, requirement, course in exemptions
        ],
        "quiz_attempts": [
            {
                "course_version_id": a.course_version_id,
                "started_at": _iso(a.started_at),
                "submitted_at": _iso(a.submitted_at),
                "answers": a.answers,
                "score": a.score,
                "passed": a.passed,
            }
            for a in attempts
        ],
        # Issue 18: the knowledge check before a course is the person's own; the anonymous
        # evaluation and follow-up answers are not (they cannot be found), only the fact
        # that a completion has given its evaluation or been sent its follow-up.
        "pretests": [
            {
                "course_version_id": t.course_version_id,
                "started_at": _iso(t.started_at),
                "submitted_at": _iso(t.submitted_at),
                "skipped": t.skipped,
                "answers": [
                    {"question": a.question_id, "objective": a.objective, "correct": a.correct}
                    for a in t.answers
                ],
            }
            for t in pretests
        ],
        "evaluation_given_for_completions": sorted(evaluated),
        "followup_sent_for_completions": sorted(followed_up),
        "progress": [
            {
                "course_version_id": p.course_version_id,
                "module_index": p.module_index,
                "started_at": _iso(p.started_at),
                "updated_at": _iso(p.updated_at),
            }
            for p in progress
        ],
        "in_person_sessions": [
            {
                "title": a.session.title,
                "held_on": _iso(a.session.held_on),
                "place": a.session.place,
            }
            for a in sessions
        ],
        "reminders": [{"kind": r.kind, "sent_on": _iso(r.sent_on)} for r in reminders],
        "looked_at_my_record": [about(e) for e in events if e.action.endswith(LOOK_SUFFIX)],
        "events_about_me": [about(e) for e in events],
    }


def own_evidence(session: Session, employee: Employee, completion_id: int) -> Completion | None:
    """One of the person's own records that has an evidence file, or None."""
    return session.scalar(
        sa.select(Completion).where(
            Completion.id == completion_id,
            Completion.employee_id == employee.id,
            Completion.evidence_path.is_not(None),
        )
    )


def download_own_evidence(
    session: Session, employee: Employee, completion: Completion, upload_dir: str
) -> Path | None:
    """The stored file behind one of the person's own records; the download is audited."""
    if completion.employee_id != employee.id:
        return None
    return evidence.open_audited(
        session, completion, viewer=employee, action="privacy.evidence_self", upload_dir=upload_dir
    )


def evidence_name(completion: Completion) -> str | None:
    """The name the person's download of an evidence file gets."""
    if not completion.evidence_path:
        return None
    return f"intyg-{completion.id}{Path(completion.evidence_path).suffix}"


def _people(session: Session, ids: list[int | None]) -> dict[int, Employee]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    found = session.scalars(sa.select(Employee).where(Employee.id.in_(wanted))).all()
    return {p.id: p for p in found}


def _who(actor: Employee | None, me: Employee) -> dict[str, Any]:
    """Who did something: a name and the roles they hold now (or that it was the person)."""
    if actor is None:
        return {"name": None, "roles": []}
    if actor.id == me.id:
        return {"name": actor.full_name, "roles": ["self"]}
    roles = [r for r, on in (("hr", actor.is_hr), ("reporter", actor.is_reporter)) if on]
    return {"name": actor.full_name, "roles": roles}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class GallringPlan:
    cutoff: date
    employee_ids: list[int]

    @property
    def count(self) -> int:
        return len(self.employee_ids)


def plan_gallring(session: Session, *, today: date, years: int) -> GallringPlan:
    """People who left before the cutoff and still have personal data."""
    cutoff = add_months(today, -12 * years)
    ids = session.scalars(
        sa.select(Employee.id)
        .where(
            Employee.active.is_(False),
            Employee.end_date.is_not(None),
            Employee.end_date < cutoff,
            Employee.first_name != ANONYMOUS,
        )
        .order_by(Employee.id)
    ).all()
    return GallringPlan(cutoff=cutoff, employee_ids=list(ids))


def carry_out_gallring(
    session: Session, plan: GallringPlan, *, actor_id: int | None, upload_dir: str
) -> int:
    """Remove the personal data; keep anonymous training records for the statistics.

    Besides the person's own row: their evidence files on disk, their exemptions'
    reasons, the text of audit events about them (what was done and when stays; ids,
    counts and flags stay) and any other audit detail that names them by e-mail,
    employee number or full name. HR-import uploads older than a day (whole staff lists,
    refused or never confirmed) are removed on every run, whoever is in them.
    """
    uploads.remove_old(upload_dir)
    ids = plan.employee_ids
    if not ids:
        return 0
    chunks = [ids[start : start + 1000] for start in range(0, len(ids), 1000)]
    # One pass over the audit trail for everyone, before their names are gone.
    _scrub_audit_details(session, {str(i) for i in ids}, _naming_pattern(session, chunks))
    for chunk in chunks:
        _forget(session, chunk, upload_dir)
    audit(
        session,
        None,
        "privacy.gallring",
        details={"people": len(ids), "cutoff": plan.cutoff.isoformat()},
        actor_id=actor_id,
    )
    session.flush()
    log.info(
        "gallring: personal data removed for %s people who left before %s", len(ids), plan.cutoff
    )
    return len(ids)


def _forget(session: Session, chunk: list[int], upload_dir: str) -> None:
    evidence_paths = session.scalars(
        sa.select(Completion.evidence_path).where(
            Completion.employee_id.in_(chunk), Completion.evidence_path.is_not(None)
        )
    ).all()
    # A SCORM package's run-time data (suspend data, answers) refers to the run (Attempt).
    session.execute(sa.delete(ScormRuntime).where(ScormRuntime.employee_id.in_(chunk)))
    # An attempt that gave a completion stays as its key (Completion.attempt_id), without the
    # answers; every other attempt goes.
    counted = sa.select(Completion.attempt_id).where(
        Completion.employee_id.in_(chunk), Completion.attempt_id.is_not(None)
    )
    session.execute(
        sa.update(Attempt)
        .where(Attempt.employee_id.in_(chunk), Attempt.id.in_(counted))
        .values(answers=None, option_order={})
        .execution_options(synchronize_session=False)
    )
    session.execute(
        sa.delete(Attempt)
        .where(Attempt.employee_id.in_(chunk), Attempt.id.not_in(counted))
        .execution_options(synchronize_session=False)
    )
    pretest_ids = sa.select(Pretest.id).where(Pretest.employee_id.in_(chunk))
    session.execute(sa.delete(PretestAnswer).where(PretestAnswer.pretest_id.in_(pretest_ids)))
    session.execute(sa.delete(Pretest).where(Pretest.employee_id.in_(chunk)))
    session.execute(sa.delete(Progress).where(Progress.employee_id.in_(chunk)))
    session.execute(sa.delete(ReminderLog).where(ReminderLog.employee_id.in_(chunk)))
    session.execute(sa.delete(EmployeeTag).where(EmployeeTag.employee_id.in_(chunk)))
    session.execute(sa.delete(PasswordReset).where(PasswordReset.employee_id.in_(chunk)))
    session.execute(sa.delete(SignInLetter).where(SignInLetter.employee_id.in_(chunk)))
    mail.forget(session, chunk)  # the outbox's addresses and subjects, refusals included
    session.execute(
        sa.update(Completion)
        .where(Completion.employee_id.in_(chunk))
        .values(note="", evidence_path=None)
    )
    # The exemption stays (it counts in the reports); why it was given goes.
    session.execute(sa.update(Exemption).where(Exemption.employee_id.in_(chunk)).values(reason=""))
    # What they did stays in the audit trail; where they did it from goes.
    session.execute(
        sa.update(AuditEvent)
        .where(
            sa.or_(
                AuditEvent.actor_id.in_(chunk),
                # failed logins to their account: the address someone tried from
                sa.and_(
                    AuditEvent.target_type == "employee",
                    AuditEvent.target_id.in_([str(i) for i in chunk]),
                ),
            ),
            AuditEvent.remote_addr.is_not(None),
        )
        .values(remote_addr=None)
    )
    session.execute(
        sa.update(Employee)
        .where(Employee.id.in_(chunk))
        .values(
            first_name=ANONYMOUS,
            last_name="",
            email=None,
            employee_number=sa.literal("gallrad-") + sa.cast(Employee.id, sa.String),
            title="",
            password_hash=None,
            start_date=None,
            last_login_at=None,
            locale=None,
        )
    )
    for relative in evidence_paths:
        found = evidence.resolve(upload_dir, relative)
        if found is not None:
            found.unlink(missing_ok=True)


def _naming_pattern(session: Session, chunks: list[list[int]]) -> re.Pattern[str] | None:
    """What names these people in free text: e-mail, employee number, full name (as whole
    words, any case)."""
    texts: set[str] = set()
    for chunk in chunks:
        rows = session.execute(
            sa.select(
                Employee.email, Employee.employee_number, Employee.first_name, Employee.last_name
            ).where(Employee.id.in_(chunk))
        ).all()
        for email, number, first, last in rows:
            full_name = f"{first} {last}".strip() if last else ""
            texts.update(t for t in (email, number, full_name) if t and len(t) >= 3)
    if not texts:
        return None
    either = "|".join(re.escape(t) for t in sorted(texts, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{either})(?!\w)", re.IGNORECASE)


def _scrub_audit_details(session: Session, people: set[str], names: re.Pattern[str] | None) -> None:
    """Text in the details of events about these people goes (ids, counts and flags stay);
    so does any text elsewhere in the trail that names one of them."""
    rows = session.execute(
        sa.select(AuditEvent.id, AuditEvent.target_type, AuditEvent.target_id, AuditEvent.details)
        .where(AuditEvent.details.is_not(None))
        .execution_options(yield_per=2000)
    )
    changed: list[tuple[int, dict[str, Any]]] = []
    for event_id, target_type, target_id, details in rows:
        if not details:
            continue
        is_about = target_type == "employee" and target_id in people
        scrubbed = _scrubbed(details, names, drop_text=is_about)
        if scrubbed != details:
            changed.append((event_id, scrubbed))
    for event_id, scrubbed in changed:
        session.execute(
            sa.update(AuditEvent).where(AuditEvent.id == event_id).values(details=scrubbed)
        )


def _scrubbed(value: Any, names: re.Pattern[str] | None, *, drop_text: bool) -> Any:
    if isinstance(value, dict):
        return {k: _scrubbed(v, names, drop_text=drop_text) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v, names, drop_text=drop_text) for v in value]
    if isinstance(value, str) and (drop_text or (names is not None and names.search(value))):
        return None
    return value
