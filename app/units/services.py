"""The manager's view of a unit: the tree with coverage, the person × course table, history.

Every status comes from app/reports/coverage.py; this module only selects, groups
and pages. A page costs the same number of queries for 5 people as for 10,000.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from app.args import is_id
from app.auth import access
from app.dates import local_day
from app.models import (
    Completion,
    Course,
    Employee,
    Exemption,
    OrgUnit,
    ReminderLog,
    Requirement,
    SessionAttendance,
    Status,
    TrainingSession,
)
from app.org import in_subtree_of, in_subtrees, roll_up
from app.records import audit
from app.reports.coverage import (
    STATUSES,
    Counts,
    Scope,
    as_date,
    employee_statuses,
    pairs_stmt,
    status_counts,
)

TREE_DEPTH = 2  # levels of units shown below the current one


@dataclass(frozen=True)
class UnitRow:
    unit: OrgUnit
    headcount: int  # active people in the unit and everything below it


def subtree_headcounts(session: Session, units: Sequence[OrgUnit]) -> list[UnitRow]:
    """Active headcount of each unit's whole subtree, in one query."""
    if not units:
        return []
    sub = sa.orm.aliased(OrgUnit)
    stmt = (
        sa.select(OrgUnit.id, sa.func.count(Employee.id))
        .select_from(OrgUnit)
        .join(sub, in_subtree_of(sub.path, OrgUnit.path))
        .join(Employee, sa.and_(Employee.unit_id == sub.id, Employee.active.is_(True)))
        .where(OrgUnit.id.in_([u.id for u in units]))
        .group_by(OrgUnit.id)
    )
    counts = dict(session.execute(stmt).all())
    return [UnitRow(unit=u, headcount=counts.get(u.id, 0)) for u in units]


# --- filters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    status: str = ""  # "" or one of STATUSES
    course_id: int | None = None
    level: str = ""
    whole: bool = True  # the whole subtree, or this unit only

    @classmethod
    def parse(cls, args: Any, levels: Sequence[str]) -> Filters:
        status = args.get("status", "")
        status = status if status in {s.value for s in STATUSES} else ""
        course = args.get("kurs", "")
        level = args.get("niva", "")
        return cls(
            status=status,
            course_id=int(course) if is_id(course) else None,
            level=level if level in levels else "",
            whole=args.get("hela", "1") != "0",
        )

    def scope(self, unit: OrgUnit) -> Scope:
        return Scope(
            unit_paths=[unit.path],
            levels=[self.level] if self.level else None,
            course_ids=[self.course_id] if self.course_id else None,
        )

    def args(self, **override: Any) -> dict[str, Any]:
        """Query-string arguments that keep these filters (None = left out)."""
        values = {
            "status": self.status or None,
            "kurs": self.course_id,
            "niva": self.level or None,
            "hela": None if self.whole else 0,
        }
        values.update(override)
        return {k: v for k, v in values.items() if v is not None}


# --- the tree with coverage ---------------------------------------------------------------


@dataclass
class TreeNode:
    unit: OrgUnit
    counts: Counts = field(default_factory=Counts)  # the unit and everything below it
    own: Counts = field(default_factory=Counts)  # people placed in the unit itself
    children: list[TreeNode] = field(default_factory=list)


@dataclass(frozen=True)
class UnitOverview:
    root: TreeNode
    course_counts: dict[int, Counts]  # per course, over the subtree (or the unit only)
    courses: dict[int, Course]

    @property
    def counts(self) -> Counts:
        return self.root.counts


def unit_overview(session: Session, unit: OrgUnit, *, on: date, filters: Filters) -> UnitOverview:
    """The subtree's units with their coverage, and the counts per course: three queries."""
    units = list(
        session.scalars(
            sa.select(OrgUnit)
            .where(
                in_subtrees(OrgUnit.path, [unit.path]),
                OrgUnit.active.is_(True),
                OrgUnit.depth <= unit.depth + TREE_DEPTH,
            )
            .order_by(OrgUnit.depth, OrgUnit.name)
        )
    )
    nodes = {u.id: TreeNode(u) for u in units}
    scope = Filters(level=filters.level, course_id=filters.course_id).scope(unit)
    rows = status_counts(session, on=on, group_by=("unit", "course"), scope=scope)
    per_course: dict[int, Counts] = {}
    paths = {u.id: u.path for u in units}
    unknown_paths = {r.key[0] for r in rows} - paths.keys()
    if unknown_paths:  # units deeper than the tree shows: their paths, in one query
        paths.update(
            session.execute(
                sa.select(OrgUnit.id, OrgUnit.path).where(OrgUnit.id.in_(unknown_paths))
            ).all()
        )
    for row in rows:
        unit_id, course_id = row.key
        if unit_id == unit.id or filters.whole:
            per_course[course_id] = per_course.get(course_id, Counts()) + row.counts
        if unit_id in nodes:
            nodes[unit_id].own = nodes[unit_id].own + row.counts
    subtrees = roll_up(((paths.get(r.key[0], ""), None, r.counts) for r in rows), into=nodes)
    for node_id, node in nodes.items():
        node.counts = subtrees.get((node_id, None), Counts())
    for u in units:
        if u.id != unit.id and u.parent_id in nodes:
            nodes[u.parent_id].children.append(nodes[u.id])
    root = nodes[unit.id]
    if not filters.whole:
        root = TreeNode(unit, counts=root.own, own=root.own, children=root.children)
    courses = {
        c.id: c for c in session.scalars(sa.select(Course).where(Course.id.in_(list(per_course))))
    }
    return UnitOverview(root=root, course_counts=per_course, courses=courses)


# --- the person × course table ------------------------------------------------------------


def people_stmt(unit: OrgUnit, *, whole_subtree: bool = True) -> sa.Select:
    """Active people in a unit (and below), with their unit loaded, sorted by name."""
    stmt = (
        sa.select(Employee)
        .join(OrgUnit, Employee.unit_id == OrgUnit.id)
        .where(Employee.active.is_(True))
        .options(sa.orm.contains_eager(Employee.unit))
        .order_by(Employee.last_name, Employee.first_name, Employee.id)
    )
    if whole_subtree:
        return stmt.where(in_subtrees(OrgUnit.path, [unit.path]))
    return stmt.where(OrgUnit.id == unit.id)


def filtered_people_stmt(unit: OrgUnit, *, on: date, filters: Filters) -> sa.Select:
    """The people of the table: a status or course filter keeps those with such a pair."""
    stmt = people_stmt(unit, whole_subtree=filters.whole)
    if filters.level:
        stmt = stmt.where(Employee.level == filters.level)
    if filters.status or filters.course_id:
        pairs = pairs_stmt(on, filters.scope(unit)).subquery("fp")
        wanted = sa.select(pairs.c.employee_id).distinct()
        if filters.status:
            wanted = wanted.where(pairs.c.status == filters.status)
        # Computed once, then joined: PostgreSQL otherwise re-plans the pairs per person.
        cte = wanted.cte("wanted").prefix_with("MATERIALIZED", dialect="postgresql")
        stmt = stmt.where(Employee.id.in_(sa.select(cte.c.employee_id)))
    return stmt


@dataclass(frozen=True)
class Cell:
    status: str
    due_on: date | None
    completed_on: date | None
    expires_on: date | None


@dataclass(frozen=True)
class PersonRow:
    employee: Employee
    cells: dict[int, Cell]  # course id → status
    reminded_on: date | None  # the latest reminder this week, if any

    @property
    def needs_action(self) -> bool:
        return any(c.status in ACTIONABLE for c in self.cells.values())


ACTIONABLE = frozenset({Status.OVERDUE, Status.EXPIRED, Status.EXPIRING, Status.PENDING})


def person_rows(
    session: Session, people: Sequence[Employee], *, on: date, course_ids: Sequence[int] | None
) -> list[PersonRow]:
    """The statuses of one page of people: two queries, whatever the page size."""
    ids = [e.id for e in people]
    if not ids:
        return []
    scope = Scope(employee_ids=ids, course_ids=list(course_ids) if course_ids else None)
    cells: dict[int, dict[int, Cell]] = {}
    for r in session.execute(pairs_stmt(on, scope)):
        cells.setdefault(r.employee_id, {})[r.course_id] = Cell(
            r.status, as_date(r.due_on), as_date(r.completed_on), as_date(r.expires_on)
        )
    reminded = dict(
        session.execute(
            sa.select(ReminderLog.employee_id, sa.func.max(ReminderLog.sent_on))
            .where(
                ReminderLog.employee_id.in_(ids),
                ReminderLog.course_id.is_not(None),
                ReminderLog.sent_on > on - timedelta(days=7),
            )
            .group_by(ReminderLog.employee_id)
        ).all()
    )
    return [PersonRow(e, cells.get(e.id, {}), as_date(reminded.get(e.id))) for e in people]


# --- one person's history ----------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    completion: Completion
    recorded_by: str
    session_title: str
    # HR's note on a manual record: empty unless the viewer may read HR's notes.
    note: str = ""
    # A session completion registered by someone who is not HR (a manager): HR sees it as such.
    by_manager: bool = False
    registered_on: date | None = None  # the day the session was registered, if later than held


class ExemptionEntry(NamedTuple):
    exemption: Exemption
    requirement: Requirement
    granted_by: str
    reason: str | None  # None unless the viewer may read HR's notes: managers never see why


@dataclass(frozen=True)
class PersonHistory:
    employee: Employee
    statuses: list  # coverage.PairStatus
    courses: dict[int, Course]
    completions: list[HistoryEntry]
    exemptions: list[ExemptionEntry]
    reminders: list[ReminderLog]


def person_history(
    session: Session, employee: Employee, *, on: date, hr_notes: bool = False
) -> PersonHistory:
    """Status, date and pass of each record, as what it is; never quiz answers.

    Exemption reasons and HR's notes (they may reveal health or that a person has been
    a victim) are in the history only with `hr_notes` (access.can_read_hr_notes).
    """
    statuses = employee_statuses(session, employee.id, on)
    completions = list(
        session.scalars(
            sa.select(Completion)
            .options(joinedload(Completion.course))
            .where(Completion.employee_id == employee.id)
            .order_by(Completion.completed_at.desc(), Completion.id.desc())
        )
    )
    recorder_ids = {c.recorded_by_id for c in completions if c.recorded_by_id}
    exemptions = list(
        session.execute(
            sa.select(Exemption, Requirement)
            .join(Requirement, Requirement.id == Exemption.requirement_id)
            .where(Exemption.employee_id == employee.id)
            .order_by(Exemption.created_at.desc())
        ).all()
    )
    recorder_ids |= {x.created_by_id for x, _ in exemptions if x.created_by_id}
    recorders = {
        i: (f"{f} {last}", bool(is_hr))
        for i, f, last, is_hr in session.execute(
            sa.select(Employee.id, Employee.first_name, Employee.last_name, Employee.is_hr).where(
                Employee.id.in_(recorder_ids)
            )
        )
    }
    session_ids = {c.session_id for c in completions if c.session_id}
    held = {
        i: (title, held_on, local_day(created_at) if created_at else None)
        for i, title, held_on, created_at in session.execute(
            sa.select(
                TrainingSession.id,
                TrainingSession.title,
                TrainingSession.held_on,
                TrainingSession.created_at,
            ).where(TrainingSession.id.in_(session_ids))
        )
    }
    reminders = list(
        session.scalars(
            sa.select(ReminderLog)
            .where(ReminderLog.employee_id == employee.id, ReminderLog.course_id.is_not(None))
            .order_by(ReminderLog.sent_at.desc())
            .limit(20)
        )
    )
    course_ids = (
        {s.course_id for s in statuses}
        | {r.course_id for _, r in exemptions}
        | {r.course_id for r in reminders if r.course_id}
    )
    courses = {c.id: c for c in session.scalars(sa.select(Course).where(Course.id.in_(course_ids)))}

    def entry(c: Completion) -> HistoryEntry:
        name, by_hr = recorders.get(c.recorded_by_id, ("", False))
        title, held_on, registered_on = held.get(c.session_id, ("", None, None))
        return HistoryEntry(
            c,
            name,
            title,
            note=(c.note or "") if hr_notes else "",
            by_manager=bool(c.session_id and c.recorded_by_id and not by_hr),
            registered_on=registered_on if registered_on and registered_on != held_on else None,
        )

    return PersonHistory(
        employee=employee,
        statuses=statuses,
        courses=courses,
        completions=[entry(c) for c in completions],
        exemptions=[
            ExemptionEntry(
                x, r, recorders.get(x.created_by_id, ("", False))[0], x.reason if hr_notes else None
            )
            for x, r in exemptions
        ],
        reminders=reminders,
    )


def view_person(
    session: Session, *, viewer: Employee, employee: Employee, on: date
) -> PersonHistory:
    """A person's history as their manager or HR opens it: the look is an audit event (privacy)."""
    history = person_history(session, employee, on=on, hr_notes=access.can_read_hr_notes(viewer))
    audit(session, viewer, "person.view", "employee", employee.id)
    return history


def sessions_for_unit(session: Session, unit: OrgUnit, *, limit: int = 20) -> list[tuple]:
    """Recent in-person sessions registered for a unit and below, with attendee counts."""
    count = (
        sa.select(sa.func.count())
        .where(SessionAttendance.session_id == TrainingSession.id)
        .correlate(TrainingSession)
        .scalar_subquery()
    )
    stmt = (
        sa.select(TrainingSession, count)
        .join(OrgUnit, OrgUnit.id == TrainingSession.unit_id)
        .options(joinedload(TrainingSession.course))
        .where(in_subtrees(OrgUnit.path, [unit.path]))
        .order_by(TrainingSession.held_on.desc(), TrainingSession.id.desc())
        .limit(limit)
    )
    return list(session.execute(stmt).all())


def record_people_list(
    session: Session, *, viewer: Employee, unit: OrgUnit, shown: Sequence[Employee], page: int
) -> None:
    """A unit's person table names people and their status: who was shown is an audit event."""
    details = {"shown": [e.id for e in shown], "page": page}
    audit(session, viewer, "unit.people_view", "unit", unit.id, details)
