"""Coverage: the one definition of status that every page, export, API and chart uses.

For an active employee e and a requirement r whose audience includes e, the
status of e for r's course on day d is exactly one of completed, expiring,
expired, overdue, pending (DESIGN.md). Several rules may require the same
course of the same person: the strictest applies (earliest due date, shortest
validity). Everything here is set-based SQL: one statement gives the status of
every (employee, course) pair, and counts are aggregates over it.

Days are UTC calendar days. A completion counts from the day it was made; it
stops counting on its expiry day: `Completion.expires_at`, or, when a rule
sets its own `valid_months`, that many months after the completion day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.auth.access import in_subtrees
from app.models import (
    Completion,
    Course,
    Employee,
    EmployeeTag,
    Exemption,
    OrgUnit,
    Requirement,
    RequirementLevel,
    RequirementTag,
    Status,
)
from app.reports.sqlfunc import add_days, add_months, greatest, utc_date

EXPIRING_DAYS = 30
STATUSES: tuple[Status, ...] = (
    Status.COMPLETED,
    Status.EXPIRING,
    Status.EXPIRED,
    Status.OVERDUE,
    Status.PENDING,
)
COVERED = frozenset({Status.COMPLETED, Status.EXPIRING})


@dataclass(frozen=True)
class Scope:
    """Which pairs to look at. Empty parts mean no restriction."""

    unit_paths: Sequence[str] | None = None  # subtrees (materialised paths)
    levels: Sequence[str] | None = None
    course_ids: Sequence[int] | None = None
    employee_ids: Sequence[int] | None = None


def _active_requirements(on: date) -> sa.Select:
    return sa.select(Requirement).where(
        Requirement.starts_on <= on,
        sa.or_(Requirement.ends_on.is_(None), Requirement.ends_on >= on),
    )


def audience_stmt(on: date, scope: Scope = Scope()) -> sa.Select:
    """One row per (active employee, active requirement) where the rule reaches the person."""
    req = _active_requirements(on).subquery("req")
    emp_unit = sa.orm.aliased(OrgUnit, name="emp_unit")
    req_unit = sa.orm.aliased(OrgUnit, name="req_unit")

    has_levels = sa.exists().where(RequirementLevel.requirement_id == req.c.id)
    level_match = sa.exists().where(
        RequirementLevel.requirement_id == req.c.id, RequirementLevel.level == Employee.level
    )
    has_tags = sa.exists().where(RequirementTag.requirement_id == req.c.id)
    tag_match = sa.exists().where(
        RequirementTag.requirement_id == req.c.id,
        EmployeeTag.employee_id == Employee.id,
        EmployeeTag.tag == RequirementTag.tag,
    )
    exempt = sa.exists().where(
        Exemption.employee_id == Employee.id,
        Exemption.requirement_id == req.c.id,
        utc_date(Exemption.created_at) <= on,
        sa.or_(Exemption.revoked_at.is_(None), utc_date(Exemption.revoked_at) > on),
    )
    entered = greatest(
        sa.func.coalesce(Employee.placed_on, Employee.start_date, req.c.starts_on),
        req.c.starts_on,
    )
    stmt = (
        sa.select(
            Employee.id.label("employee_id"),
            req.c.id.label("requirement_id"),
            req.c.course_id.label("course_id"),
            add_days(entered, req.c.due_days).label("due_on"),
            req.c.valid_months.label("valid_months"),
            req.c.legal_basis.label("legal_basis"),
        )
        .select_from(Employee)
        .join(emp_unit, emp_unit.id == Employee.unit_id)
        .join(req, sa.true())
        .outerjoin(req_unit, req_unit.id == req.c.unit_id)
        .where(
            Employee.active.is_(True),
            sa.or_(req.c.unit_id.is_(None), emp_unit.path.startswith(req_unit.path)),
            sa.or_(~has_levels, level_match),
            sa.or_(~has_tags, tag_match),
            ~exempt,
        )
    )
    return _restrict(stmt, scope, emp_unit, req.c.course_id)


def _restrict(stmt: sa.Select, scope: Scope, unit: type[OrgUnit], course_col) -> sa.Select:
    if scope.unit_paths is not None:
        stmt = stmt.where(in_subtrees(unit.path, scope.unit_paths))
    if scope.levels:
        stmt = stmt.where(Employee.level.in_(list(scope.levels)))
    if scope.course_ids is not None:
        stmt = stmt.where(course_col.in_(list(scope.course_ids)))
    if scope.employee_ids is not None:
        stmt = stmt.where(Employee.id.in_(list(scope.employee_ids)))
    return stmt


def pairs_stmt(on: date, scope: Scope = Scope()) -> sa.Select:
    """Every required (employee, course) pair on day `on`, with its status.

    Columns: employee_id, course_id, unit_id, level, due_on, completed_on,
    expires_on, status.
    """
    audience = audience_stmt(on, scope).subquery("audience")
    pairs = (
        sa.select(
            audience.c.employee_id,
            audience.c.course_id,
            sa.func.min(audience.c.due_on).label("due_on"),
            sa.func.min(audience.c.valid_months).label("valid_months"),
        )
        .group_by(audience.c.employee_id, audience.c.course_id)
        .subquery("pairs")
    )
    completed_on = utc_date(Completion.completed_at)
    # Each completion's last valid day + 1; NULL = never expires.
    expiry = sa.case(
        (
            pairs.c.valid_months.is_not(None),
            add_months(completed_on, pairs.c.valid_months),
        ),
        else_=utc_date(Completion.expires_at),
    )
    never = sa.func.max(sa.case((expiry.is_(None), 1), else_=0))
    done = (
        sa.select(
            pairs.c.employee_id,
            pairs.c.course_id,
            sa.func.max(completed_on).label("completed_on"),
            sa.func.max(expiry).label("expires_on"),
            never.label("never_expires"),
        )
        .join(
            Completion,
            sa.and_(
                Completion.employee_id == pairs.c.employee_id,
                Completion.course_id == pairs.c.course_id,
            ),
        )
        .where(Completion.superseded_by_id.is_(None), completed_on <= on)
        .group_by(pairs.c.employee_id, pairs.c.course_id)
        .subquery("done")
    )
    soon = on + timedelta(days=EXPIRING_DAYS)
    status = sa.case(
        (done.c.never_expires == 1, sa.literal(Status.COMPLETED.value)),
        (done.c.expires_on > soon, sa.literal(Status.COMPLETED.value)),
        (done.c.expires_on > on, sa.literal(Status.EXPIRING.value)),
        (done.c.completed_on.is_not(None), sa.literal(Status.EXPIRED.value)),
        (pairs.c.due_on < on, sa.literal(Status.OVERDUE.value)),
        else_=sa.literal(Status.PENDING.value),
    )
    return (
        sa.select(
            pairs.c.employee_id,
            pairs.c.course_id,
            Employee.unit_id,
            Employee.level,
            pairs.c.due_on,
            done.c.completed_on,
            sa.case((done.c.never_expires == 1, None), else_=done.c.expires_on).label("expires_on"),
            status.label("status"),
        )
        .select_from(pairs)
        .join(Employee, Employee.id == pairs.c.employee_id)
        .outerjoin(
            done,
            sa.and_(
                done.c.employee_id == pairs.c.employee_id, done.c.course_id == pairs.c.course_id
            ),
        )
    )


# --- counts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    completed: int = 0
    expiring: int = 0
    expired: int = 0
    overdue: int = 0
    pending: int = 0

    @property
    def total(self) -> int:
        return self.completed + self.expiring + self.expired + self.overdue + self.pending

    @property
    def covered(self) -> int:
        return self.completed + self.expiring

    @property
    def coverage(self) -> float | None:
        """Share of pairs completed or expiring, 0–1; None when there are no pairs."""
        return self.covered / self.total if self.total else None

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            *(getattr(self, s.value) + getattr(other, s.value) for s in STATUSES)  # type: ignore[arg-type]
        )

    def as_dict(self) -> dict[str, int]:
        return {s.value: getattr(self, s.value) for s in STATUSES}


@dataclass(frozen=True)
class CountRow:
    key: tuple
    counts: Counts = field(default_factory=Counts)


GROUPINGS = ("top", "unit", "level", "course")


def _grouped(pairs, group_by: Sequence[str], tops: Sequence[OrgUnit] | None):
    """FROM clause, key columns and extra condition for grouping the pairs subquery."""
    unknown = set(group_by) - set(GROUPINGS)
    if unknown:
        raise ValueError(f"unknown grouping: {sorted(unknown)}")
    if "top" in group_by and tops is None:
        raise ValueError("grouping by 'top' needs tops")
    stmt_from = pairs
    condition = sa.true()
    if "top" in group_by:
        top = sa.orm.aliased(OrgUnit, name="top")
        unit = sa.orm.aliased(OrgUnit, name="unit")
        stmt_from = pairs.join(unit, unit.id == pairs.c.unit_id).join(
            top, unit.path.startswith(top.path)
        )
        condition = top.id.in_([t.id for t in tops or []])
    columns = {
        "unit": pairs.c.unit_id,
        "level": pairs.c.level,
        "course": pairs.c.course_id,
    }
    if "top" in group_by:
        columns["top"] = top.id
    return stmt_from, [columns[g] for g in group_by], condition


def status_counts(
    session: Session,
    *,
    on: date,
    group_by: Sequence[str] = (),
    tops: Sequence[OrgUnit] | None = None,
    scope: Scope = Scope(),
) -> list[CountRow]:
    """Pairs per status, grouped by any of: top (one of `tops`' subtrees), unit, level, course.

    One grouped query, whatever the size of the organisation.
    """
    pairs = pairs_stmt(on, scope).subquery("p")
    stmt_from, keys, condition = _grouped(pairs, group_by, tops)
    stmt = (
        sa.select(*keys, pairs.c.status, sa.func.count())
        .select_from(stmt_from)
        .where(condition)
        .group_by(*keys, pairs.c.status)
    )
    totals: dict[tuple, dict[str, int]] = {}
    for row in session.execute(stmt):
        *key, status, n = row
        totals.setdefault(tuple(key), {})[status] = n
    return [CountRow(key=k, counts=Counts(**v)) for k, v in sorted(totals.items(), key=_sort_key)]


def people_counts(
    session: Session,
    *,
    on: date,
    group_by: Sequence[str] = (),
    tops: Sequence[OrgUnit] | None = None,
    scope: Scope = Scope(),
) -> dict[tuple, int]:
    """Distinct people with at least one required course, per group (same groupings).

    Pairs count people once per course; this is the head count behind a group,
    used to hide groups of fewer than five people from the reporter role.
    """
    pairs = pairs_stmt(on, scope).subquery("p")
    stmt_from, keys, condition = _grouped(pairs, group_by, tops)
    stmt = (
        sa.select(*keys, sa.func.count(sa.distinct(pairs.c.employee_id)))
        .select_from(stmt_from)
        .where(condition)
        .group_by(*keys)
    )
    return {tuple(key): n for *key, n in session.execute(stmt)}


def _sort_key(item: tuple[tuple, dict]) -> tuple:
    return tuple("" if k is None else str(k) for k in item[0])


def total_counts(session: Session, *, on: date, scope: Scope = Scope()) -> Counts:
    rows = status_counts(session, on=on, scope=scope)
    return rows[0].counts if rows else Counts()


def course_ids_for_prevention_level(session: Session, level: str) -> list[int]:
    """Courses that work on a prevention level (a course may work on several)."""
    courses = session.execute(sa.select(Course.id, Course.prevention_levels)).all()
    return [cid for cid, levels in courses if level in (levels or [])]


# --- one person's statuses ---------------------------------------------------------------


@dataclass(frozen=True)
class PairStatus:
    course_id: int
    status: Status
    due_on: date | None
    completed_on: date | None
    expires_on: date | None
    legal_basis: str = ""

    @property
    def covered(self) -> bool:
        return self.status in COVERED


def employee_statuses(session: Session, employee_id: int, on: date) -> list[PairStatus]:
    """The courses required of one person today, with status, due date and expiry."""
    scope = Scope(employee_ids=[employee_id])
    rows = session.execute(pairs_stmt(on, scope)).all()
    audience = audience_stmt(on, scope).subquery()
    bases: dict[int, set[str]] = {}
    for course_id, basis in session.execute(
        sa.select(audience.c.course_id, audience.c.legal_basis)
    ):
        if basis:
            bases.setdefault(course_id, set()).add(basis)
    return [
        PairStatus(
            course_id=r.course_id,
            status=Status(r.status),
            due_on=as_date(r.due_on),
            completed_on=as_date(r.completed_on),
            expires_on=as_date(r.expires_on),
            legal_basis="; ".join(sorted(bases.get(r.course_id, ()))),
        )
        for r in rows
    ]


def pair_statuses(session: Session, *, on: date, scope: Scope) -> list[sa.Row]:
    """Rows of pairs_stmt for a scope (e.g. one unit's people): use for person × course tables."""
    return list(session.execute(pairs_stmt(on, scope)))


def as_date(value: date | datetime | str | None) -> date | None:
    """A date from a computed column (SQLite hands computed dates back as text)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


__all__ = [
    "COVERED",
    "STATUSES",
    "CountRow",
    "Counts",
    "PairStatus",
    "Scope",
    "as_date",
    "audience_stmt",
    "course_ids_for_prevention_level",
    "employee_statuses",
    "pair_statuses",
    "pairs_stmt",
    "people_counts",
    "status_counts",
    "total_counts",
]
