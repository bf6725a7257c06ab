"""Requirement rules, exemptions and manual records. Each change is an AuditEvent.

Nothing here deletes a completion: ending or changing a rule only changes who is
required to take the course from now on; the records stay as they were.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app import dates
from app.admin.requirements import evidence
from app.dates import expiry_for
from app.models import (
    Completion,
    CompletionSource,
    Course,
    Employee,
    Exemption,
    Level,
    OrgUnit,
    Requirement,
    RequirementLevel,
    RequirementTag,
    utcnow,
)
from app.org import in_subtree_of
from app.records import audit, new_verification_code
from app.reports.coverage import audience_stmt


class Rejected(Exception):
    """A change HR asked for that cannot be made; the message is for HR, in Swedish."""


@dataclass(frozen=True)
class RequirementDraft:
    course_id: int
    name: str = ""
    levels: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    unit_id: int | None = None
    due_days: int = 90
    valid_months: int | None = None
    legal_basis: str = ""
    starts_on: date = field(default_factory=dates.today)
    ends_on: date | None = None

    def as_dict(self) -> dict:
        return {
            "course_id": self.course_id,
            "name": self.name,
            "levels": list(self.levels),
            "tags": list(self.tags),
            "unit_id": self.unit_id,
            "due_days": self.due_days,
            "valid_months": self.valid_months,
            "legal_basis": self.legal_basis,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat() if self.ends_on else None,
        }


def draft_of(req: Requirement) -> RequirementDraft:
    return RequirementDraft(
        course_id=req.course_id,
        name=req.name,
        levels=tuple(sorted(lv.level for lv in req.levels)),
        tags=tuple(sorted(t.tag for t in req.tags)),
        unit_id=req.unit_id,
        due_days=req.due_days,
        valid_months=req.valid_months,
        legal_basis=req.legal_basis,
        starts_on=req.starts_on,
        ends_on=req.ends_on,
    )


def normalise_tags(text: str) -> tuple[str, ...]:
    """Occupation tags typed as "lärare, kurator" → ("kurator", "lärare")."""
    return tuple(
        sorted({t.strip().lower() for t in text.replace(";", ",").split(",") if t.strip()})
    )


def _check(session: Session, draft: RequirementDraft) -> None:
    if session.get(Course, draft.course_id) is None:
        raise Rejected(_("Kursen finns inte."))
    if draft.unit_id is not None and session.get(OrgUnit, draft.unit_id) is None:
        raise Rejected(_("Enheten finns inte."))
    unknown = set(draft.levels) - {lv.value for lv in Level}
    if unknown:
        raise Rejected(_("Okänd nivå: %(levels)s.", levels=", ".join(sorted(unknown))))
    if draft.ends_on is not None and draft.ends_on < draft.starts_on:
        raise Rejected(_("Slutdatum kan inte vara före startdatum."))


def _apply(req: Requirement, draft: RequirementDraft) -> None:
    req.course_id = draft.course_id
    req.name = draft.name
    req.unit_id = draft.unit_id
    req.due_days = draft.due_days
    req.valid_months = draft.valid_months
    req.legal_basis = draft.legal_basis
    req.starts_on = draft.starts_on
    req.ends_on = draft.ends_on
    req.levels = [RequirementLevel(level=lv) for lv in draft.levels]
    req.tags = [RequirementTag(tag=t) for t in draft.tags]


def create_requirement(
    session: Session, *, draft: RequirementDraft, actor: Employee | None
) -> Requirement:
    _check(session, draft)
    req = Requirement(created_by_id=actor.id if actor else None)
    _apply(req, draft)
    session.add(req)
    session.flush()
    audit(session, actor, "requirement.create", "requirement", req.id, {"new": draft.as_dict()})
    return req


def update_requirement(
    session: Session, *, requirement: Requirement, draft: RequirementDraft, actor: Employee | None
) -> Requirement:
    """Change a rule. Completions are untouched; the audit keeps the rule as it was."""
    _check(session, draft)
    before = draft_of(requirement)
    if before == draft:
        return requirement
    # Child rows are replaced: flush the removal first so the primary keys are free again.
    requirement.levels = []
    requirement.tags = []
    session.flush()
    _apply(requirement, draft)
    session.flush()
    audit(
        session,
        actor,
        "requirement.update",
        "requirement",
        requirement.id,
        {"old": before.as_dict(), "new": draft.as_dict()},
    )
    return requirement


def end_requirement(
    session: Session, *, requirement: Requirement, ends_on: date, actor: Employee | None
) -> Requirement:
    """The rule stops requiring anything after `ends_on`. No completion is touched."""
    if ends_on < requirement.starts_on:
        raise Rejected(_("Slutdatum kan inte vara före startdatum."))
    old = requirement.ends_on
    requirement.ends_on = ends_on
    session.flush()
    audit(
        session,
        actor,
        "requirement.end",
        "requirement",
        requirement.id,
        {"old_ends_on": old.isoformat() if old else None, "ends_on": ends_on.isoformat()},
    )
    return requirement


# --- preview: who a rule reaches --------------------------------------------------------


@dataclass(frozen=True)
class PreviewRow:
    label: str
    people: int


@dataclass(frozen=True)
class Preview:
    on: date
    total: int
    rows: list[PreviewRow]


def preview(session: Session, *, draft: RequirementDraft, on: date) -> Preview:
    """How many people the rule would reach, per administration, before it is saved.

    The draft is written in a transaction of its own that is always rolled back,
    so the count comes from the same audience SQL that coverage uses.
    """
    _check(session, draft)
    day = max(on, draft.starts_on)
    with session.get_bind().connect() as conn:
        trans = conn.begin()
        try:
            with Session(bind=conn) as scratch:
                req = Requirement()
                _apply(req, draft)
                req.ends_on = None
                scratch.add(req)
                scratch.flush()
                audience = audience_stmt(day).subquery("aud")
                unit = sa.orm.aliased(OrgUnit, name="unit")
                top = sa.orm.aliased(OrgUnit, name="top")
                stmt = (
                    sa.select(top.name, sa.func.count(sa.distinct(audience.c.employee_id)))
                    .select_from(audience)
                    .join(Employee, Employee.id == audience.c.employee_id)
                    .join(unit, unit.id == Employee.unit_id)
                    .outerjoin(top, sa.and_(top.depth == 1, in_subtree_of(unit.path, top.path)))
                    .where(audience.c.requirement_id == req.id)
                    .group_by(top.name)
                )
                counts = scratch.execute(stmt).all()
        finally:
            trans.rollback()
    rows = sorted(
        (PreviewRow(name or _("Direkt under kommunen"), n) for name, n in counts),
        key=lambda r: (-r.people, r.label),
    )
    return Preview(on=day, total=sum(r.people for r in rows), rows=rows)


# --- the list of rules ----------------------------------------------------------------


@dataclass(frozen=True)
class RuleRow:
    requirement: Requirement
    reach: int  # people the rule reaches today
    active: bool


def rule_rows(session: Session, *, on: date) -> list[RuleRow]:
    """Every rule with the number of people it reaches today (one grouped query)."""
    audience = audience_stmt(on).subquery("aud")
    reach = dict(
        session.execute(
            sa.select(
                audience.c.requirement_id, sa.func.count(sa.distinct(audience.c.employee_id))
            ).group_by(audience.c.requirement_id)
        ).all()
    )
    reqs = session.scalars(
        sa.select(Requirement)
        .options(sa.orm.joinedload(Requirement.course), sa.orm.joinedload(Requirement.unit))
        .order_by(Requirement.starts_on.desc(), Requirement.id.desc())
    ).unique()
    return [
        RuleRow(
            requirement=r,
            reach=reach.get(r.id, 0),
            active=r.starts_on <= on and (r.ends_on is None or r.ends_on >= on),
        )
        for r in reqs
    ]


# --- exemptions ----------------------------------------------------------------------------


# The reason codes HR chooses between. "Personliga skäl" is neutral: it needs no text, so
# nobody has to say why (review 2026-11 §3.5). Stored as the Swedish words, like HR's text.
REASON_PERSONAL = "personliga"
REASON_OTHER = "annat"
PERSONAL_REASON_TEXT = "Personliga skäl"


def exempt(
    session: Session,
    *,
    employee: Employee,
    requirement: Requirement,
    reason: str,
    actor: Employee | None,
    reason_code: str | None = None,
) -> Exemption:
    reason = (reason or "").strip()
    if reason_code == REASON_PERSONAL:
        reason = f"{PERSONAL_REASON_TEXT}: {reason}" if reason else PERSONAL_REASON_TEXT
    else:
        reason_code = REASON_OTHER
    if not reason:
        raise Rejected(_("Ange ett skäl till undantaget."))
    current = session.scalar(
        sa.select(Exemption).where(
            Exemption.employee_id == employee.id,
            Exemption.requirement_id == requirement.id,
            Exemption.revoked_at.is_(None),
        )
    )
    if current is not None:
        raise Rejected(_("Personen är redan undantagen från den regeln."))
    exemption = Exemption(
        employee_id=employee.id,
        requirement_id=requirement.id,
        reason=reason,
        created_by_id=actor.id if actor else None,
    )
    session.add(exemption)
    session.flush()
    audit(
        session,
        actor,
        "exemption.create",
        "employee",
        employee.id,
        # That a reason was given and its code, never its text (it may be health data):
        # the row has it.
        {
            "exemption_id": exemption.id,
            "requirement_id": requirement.id,
            "reason_given": True,
            "reason_code": reason_code,
        },
    )
    return exemption


def revoke_exemption(
    session: Session, *, exemption: Exemption, actor: Employee | None
) -> Exemption:
    if exemption.revoked_at is not None:
        raise Rejected(_("Undantaget är redan återkallat."))
    exemption.revoked_at = utcnow()
    exemption.revoked_by_id = actor.id if actor else None
    session.flush()
    audit(
        session,
        actor,
        "exemption.revoke",
        "employee",
        exemption.employee_id,
        {"exemption_id": exemption.id, "requirement_id": exemption.requirement_id},
    )
    return exemption


# --- manual records -------------------------------------------------------------------------


def record_external(
    session: Session,
    *,
    employee: Employee,
    course: Course | None,
    title: str,
    completed_on: date,
    reason: str,
    evidence_path: str | None,
    actor: Employee | None,
    today: date,
) -> Completion:
    """A completion done elsewhere (e.g. the national web course), registered by HR."""
    reason = reason.strip()
    title = title.strip()
    if not reason:
        raise Rejected(_("Ange vad registreringen grundar sig på."))
    if course is None and not title:
        raise Rejected(_("Välj en kurs eller skriv utbildningens namn."))
    if completed_on > today:
        raise Rejected(_("Datumet kan inte ligga i framtiden."))
    completed_at = datetime.combine(completed_on, time(12, 0), UTC)
    completion = Completion(
        employee_id=employee.id,
        course_id=course.id if course else None,
        title=title,
        completed_at=completed_at,
        expires_at=expiry_for(completed_at, course.valid_months) if course else None,
        source=CompletionSource.EXTERNAL.value,
        recorded_by_id=actor.id if actor else None,
        note=reason,
        evidence_path=evidence_path,
        verification_code=new_verification_code(),
    )
    session.add(completion)
    session.flush()
    audit(
        session,
        actor,
        "completion.external",
        "employee",
        employee.id,
        {
            "completion_id": completion.id,
            "course_id": completion.course_id,
            "title": title,
            "completed_on": completed_on.isoformat(),
            "reason_given": True,  # the text stays on the record, out of the audit log
            "evidence": bool(evidence_path),
        },
    )
    return completion


def view_evidence(
    session: Session, *, completion: Completion, viewer: Employee, upload_dir: str
) -> Path | None:
    """The stored certificate of a manual record, or None; HR's look at it is logged."""
    return evidence.open_audited(
        session, completion, viewer=viewer, action="evidence.view", upload_dir=upload_dir
    )


def courses(session: Session) -> Sequence[Course]:
    return list(session.scalars(sa.select(Course).order_by(Course.title)))
