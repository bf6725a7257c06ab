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
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

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
from app.models.types import UTCDateTime
from app.org import in_subtree_of, in_subtrees
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
            Employee.is_staff.is_(True),  # not an account made only to administer Värna
            sa.or_(req.c.unit_id.is_(None), in_subtree_of(emp_unit.path, req_unit.path)),
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


def _restrict_completions(stmt: sa.Select, scope: Scope) -> sa.Select:
    """Only the completions of the people and courses in scope (the start page reads one)."""
    if scope.employee_ids is not None:
        stmt = stmt.where(Completion.employee_id.in_(list(scope.employee_ids)))
    if scope.course_ids is not None:
        stmt = stmt.where(Completion.course_id.in_(list(scope.course_ids)))
    if scope.unit_paths is not None or scope.levels:
        people = sa.select(Employee.id).join(OrgUnit, OrgUnit.id == Employee.unit_id)
        if scope.unit_paths is not None:
            people = people.where(in_subtrees(OrgUnit.path, scope.unit_paths))
        if scope.levels:
            people = people.where(Employee.level.in_(list(scope.levels)))
        stmt = stmt.where(Completion.employee_id.in_(people))
    return stmt


def pairs_stmt(on: date, scope: Scope = Scope()) -> sa.Select:
    """Every required (employee, course) pair on day `on`, with its status.

    Columns: employee_id, course_id, unit_id, level, due_on, completed_on,
    expires_on, status.
    """
    return _pairs_stmt(
        on,
        datetime.combine(on + timedelta(days=1), time.min, UTC),
        on + timedelta(days=EXPIRING_DAYS),
        scope,
    )


def _pairs_stmt(on: Any, next_midnight: Any, soon: Any, scope: Scope) -> sa.Select:
    """pairs_stmt with its three day bounds given: values, or bind parameters (see below)."""
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
    # The latest completion per (person, course), from the completions alone. A rule's
    # own validity is applied afterwards: adding months never reorders days, so the
    # latest completion also gives the latest expiry.
    # Days are taken of the latest timestamps (the day of a later time is never earlier),
    # and "on or before day d" is "before midnight after d": no function per row.
    done = (
        sa.select(
            Completion.employee_id,
            Completion.course_id,
            utc_date(sa.func.max(Completion.completed_at)).label("completed_on"),
            utc_date(sa.func.max(Completion.expires_at)).label("expires_at"),
            sa.func.max(sa.case((Completion.expires_at.is_(None), 1), else_=0)).label("never"),
        )
        .where(
            Completion.superseded_by_id.is_(None),
            Completion.completed_at < next_midnight,
        )
        .group_by(Completion.employee_id, Completion.course_id)
    )
    done = _restrict_completions(done, scope).subquery("done")
    by_rule = pairs.c.valid_months.is_not(None)
    expires_on = sa.case(
        (by_rule, add_months(done.c.completed_on, pairs.c.valid_months)),
        else_=done.c.expires_at,
    )
    never = sa.and_(~by_rule, done.c.never == 1)
    status = sa.case(
        (never, sa.literal(Status.COMPLETED.value)),
        (expires_on > soon, sa.literal(Status.COMPLETED.value)),
        (expires_on > on, sa.literal(Status.EXPIRING.value)),
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
            sa.case((never, None), else_=expires_on).label("expires_on"),
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


def _check(group_by: Sequence[str], tops: Sequence[OrgUnit] | None) -> None:
    unknown = set(group_by) - set(GROUPINGS)
    if unknown:
        raise ValueError(f"unknown grouping: {sorted(unknown)}")
    if "top" in group_by and tops is None:
        raise ValueError("grouping by 'top' needs tops")


def _grouped_counts(
    pairs: sa.Subquery,
    group_by: Sequence[str],
    tops: Sequence[OrgUnit] | None,
    measure: Any,
    extra: Sequence[Any] = (),
) -> sa.Select:
    """Group the pairs by the keys (and `extra` columns), with `measure` per group.

    Grouping by top first counts per unit, then adds the units up into the tops'
    subtrees: the prefix join then meets a few rows per unit, not every pair. Every
    person sits in one unit, so counts of distinct people add up across units too.
    """
    own = {"unit": pairs.c.unit_id, "level": pairs.c.level, "course": pairs.c.course_id}
    if "top" not in group_by:
        keys = [own[g] for g in group_by]
        return sa.select(*keys, *extra, measure).group_by(*keys, *extra)
    inner_keys = [pairs.c.unit_id] + [own[g] for g in group_by if g not in ("top", "unit")]
    per_unit = (
        sa.select(*inner_keys, *extra, measure.label("n"))
        .group_by(*inner_keys, *extra)
        .subquery("per_unit")
    )
    top = sa.orm.aliased(OrgUnit, name="top")
    unit = sa.orm.aliased(OrgUnit, name="unit")
    cols = {
        "top": top.id,
        "unit": per_unit.c.unit_id,
        "level": per_unit.c.get("level"),
        "course": per_unit.c.get("course_id"),
    }
    keys = [cols[g] for g in group_by]
    extra_cols = [per_unit.c[e.name] for e in extra]
    return (
        sa.select(*keys, *extra_cols, sa.func.sum(per_unit.c.n))
        .select_from(per_unit)
        .join(unit, unit.id == per_unit.c.unit_id)
        .join(top, in_subtree_of(unit.path, top.path))
        .where(top.id.in_([t.id for t in tops or []]))
        .group_by(*keys, *extra_cols)
    )


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
    _check(group_by, tops)
    pairs = pairs_stmt(on, scope).subquery("p")
    stmt = _grouped_counts(pairs, group_by, tops, sa.func.count(), extra=[pairs.c.status])
    totals: dict[tuple, dict[str, int]] = {}
    for row in session.execute(stmt):
        *key, status, n = row
        totals.setdefault(tuple(key), {})[status] = int(n)
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
    _check(group_by, tops)
    pairs = pairs_stmt(on, scope).subquery("p")
    measure = sa.func.count(sa.distinct(pairs.c.employee_id))
    stmt = _grouped_counts(pairs, group_by, tops, measure)
    return {tuple(key): int(n) for *key, n in session.execute(stmt)}


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


@cache
def _one_person_statements() -> tuple[sa.Select, sa.Select]:
    """pairs_stmt and the rules' legal bases for one person, built once with bind parameters.

    The start page asks this on every visit; building the statement in Python cost
    more than running it. The SQL is the same as pairs_stmt's.
    """
    on = sa.bindparam("on", type_=sa.Date())
    next_midnight = sa.bindparam("next_midnight", type_=UTCDateTime())
    soon = sa.bindparam("soon", type_=sa.Date())
    scope = Scope(employee_ids=[sa.bindparam("employee_id", type_=sa.Integer())])
    audience = audience_stmt(on, scope).subquery()
    bases = sa.select(audience.c.course_id, audience.c.legal_basis)
    return _pairs_stmt(on, next_midnight, soon, scope), bases


def employee_statuses(session: Session, employee_id: int, on: date) -> list[PairStatus]:
    """The courses required of one person today, with status, due date and expiry."""
    pairs, legal_bases = _one_person_statements()
    params = {
        "on": on,
        "next_midnight": datetime.combine(on + timedelta(days=1), time.min, UTC),
        "soon": on + timedelta(days=EXPIRING_DAYS),
        "employee_id": employee_id,
    }
    rows = session.execute(pairs, params).all()
    bases: dict[int, set[str]] = {}
    for course_id, basis in session.execute(legal_bases, params):
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
