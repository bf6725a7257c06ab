"""Who may see and do what. Every view, report, export and API call asks here.

Roles: every active employee sees their own training; a manager sees the units
they lead (or are a deputy for, while the delegation runs) and everything
below; `hr` administers everything; `reporter` reads aggregate reports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import wraps
from typing import Any

import sqlalchemy as sa
from flask import abort, g, has_app_context
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from app import dates
from app.extensions import db, login_manager
from app.models import (
    Attempt,
    Course,
    CourseVersion,
    Employee,
    ManagerRole,
    OrgUnit,
    Progress,
    UnitManager,
)
from app.org import manager_on


def holds_unit(day: date) -> ColumnElement[bool]:
    """SQL condition on UnitManager: the row gives its holder the unit on `day`.

    A chef's row (from HR) holds for its period. A deputy's row holds for its period
    and only while the person who granted it may still delegate the unit
    (grantor_may_delegate). When the HR import ends the chef's role, or the chef
    leaves, their deputies lose the view at once.
    """
    return sa.and_(
        manager_on(day),
        sa.or_(UnitManager.role == ManagerRole.CHEF.value, grantor_may_delegate(day)),
    )


def grantor_may_delegate(day: date) -> ColumnElement[bool]:
    """SQL condition on a deputy's UnitManager row: its grantor may delegate the unit on `day`.

    As can_delegate_unit decides: still employed, and HR or chef of the unit or of a
    unit above it. A row granted by a deputy, or by nobody, fails: a deputy cannot
    pass the view on.
    """
    grantor = aliased(Employee)
    chef_row = aliased(UnitManager)
    chef_unit = aliased(OrgUnit)
    unit = aliased(OrgUnit)
    grantor_leads = (
        sa.select(chef_row.id)
        .join(chef_unit, chef_unit.id == chef_row.unit_id)
        .where(
            chef_row.employee_id == grantor.id,
            chef_row.role == ManagerRole.CHEF.value,
            sa.or_(chef_row.starts_on.is_(None), chef_row.starts_on <= day),
            sa.or_(chef_row.ends_on.is_(None), chef_row.ends_on >= day),
            chef_unit.active.is_(True),
            unit.id == UnitManager.unit_id,
            unit.path.startswith(chef_unit.path),
        )
        .correlate_except(chef_row, chef_unit, unit)
        .exists()
    )
    return (
        sa.select(grantor.id)
        .where(
            grantor.id == UnitManager.granted_by_id,
            grantor.active.is_(True),
            sa.or_(grantor.is_hr.is_(True), grantor_leads),
        )
        .exists()
    )


def managed_units(user: Any, on: date | None = None) -> list[OrgUnit]:
    """The units this person leads or deputises for today (not their subunits)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cache_key = ("managed_units", user.id, on)
    cached = g.get("_access_cache", {}).get(cache_key) if _has_g() else None
    if cached is not None:
        return cached
    today = on or dates.today()
    stmt = (
        sa.select(OrgUnit)
        .join(UnitManager, UnitManager.unit_id == OrgUnit.id)
        .where(
            UnitManager.employee_id == user.id,
            OrgUnit.active.is_(True),
            holds_unit(today),
        )
        .order_by(OrgUnit.path)
    )
    units = list(db.session.scalars(stmt).unique())
    # A unit inside another managed unit adds nothing.
    roots = [u for u in units if not any(o is not u and u.path.startswith(o.path) for o in units)]
    if _has_g():
        g.setdefault("_access_cache", {})[cache_key] = roots
    return roots


def _has_g() -> bool:
    return has_app_context()


def managed_paths(user: Any) -> list[str]:
    return [u.path for u in managed_units(user)]


def is_manager(user: Any) -> bool:
    return bool(managed_units(user))


def is_hr(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_hr)


def is_reporter(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_reporter)


def can_administer(user: Any) -> bool:
    """HR's pages: imports, requirements, people, audit log, exports."""
    return is_hr(user)


def can_view_reports(user: Any) -> bool:
    """Aggregate reports: HR and reporters for everything, managers for their subtree."""
    return is_hr(user) or is_reporter(user) or is_manager(user)


def can_view_evaluation(user: Any) -> bool:
    """The evaluation and knowledge figures of issue 18 (always masked): HR and reporters.

    Managers and staff never: a manager's few people would be the first to be recognised.
    """
    return is_hr(user) or is_reporter(user)


def can_read_evaluation_free_text(user: Any) -> bool:
    """The free-text answers of the anonymous evaluation, in bulk per course: HR only."""
    return is_hr(user)


def can_view_all_units(user: Any) -> bool:
    return is_hr(user) or is_reporter(user)


def can_view_people_reports(user: Any) -> bool:
    """Reports that name people (e.g. nothing completed): HR, and managers for their subtree."""
    return is_hr(user) or is_manager(user)


def can_export(user: Any) -> bool:
    """Audited exports of training records and coverage, and the API tokens: HR."""
    return is_hr(user)


def may_keep_api_tokens(user: Any) -> bool:
    """An API token works only while the person who made it is active and may export."""
    return user is not None and bool(user.active) and can_export(user)


def can_take_course(user: Any, version: Any) -> bool:
    """Take (play) a course version: any active employee, on an active course's current
    version, or on the version they already started (learners keep their version).

    A bought-in package's files are served only to whom this allows: the content
    origin's launch token is issued after this check, and the content origin asks
    may_take_course again on every file (app/scorm_content.py).
    """
    if not getattr(user, "is_authenticated", False) or version is None:
        return False
    return may_take_course(db.session, user.id, version.id)


def may_take_course(session: Any, employee_id: int, version_id: int) -> bool:
    """can_take_course by ids, in any session (the content origin has no Flask-SQLAlchemy)."""
    started = sa.select(Progress.id).where(
        Progress.employee_id == employee_id, Progress.course_version_id == version_id
    )
    run = sa.select(Attempt.id).where(
        Attempt.employee_id == employee_id, Attempt.course_version_id == version_id
    )
    allowed = (
        sa.select(CourseVersion.id)
        .join(Course, Course.id == CourseVersion.course_id)
        .where(
            CourseVersion.id == version_id,
            Course.active.is_(True),
            sa.or_(CourseVersion.is_current.is_(True), started.exists(), run.exists()),
            sa.select(Employee.id)
            .where(Employee.id == employee_id, Employee.active.is_(True))
            .exists(),
        )
    )
    return session.scalar(allowed) is not None


def can_view_unit(user: Any, unit: OrgUnit) -> bool:
    """See the people of a unit (names and statuses): HR, or a manager above it."""
    if is_hr(user):
        return True
    return any(unit.path.startswith(p) for p in managed_paths(user))


def can_view_unit_aggregates(user: Any, unit: OrgUnit) -> bool:
    """See counts and coverage of a unit (no names): reporters too."""
    return is_reporter(user) or can_view_unit(user, unit)


def can_view_employee(user: Any, employee: Employee) -> bool:
    """See a person's training status and history (never their quiz answers)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.id == employee.id or is_hr(user):
        return True
    return can_view_unit(user, employee.unit)


def can_manage_unit(user: Any, unit: OrgUnit) -> bool:
    """Remind people and register session attendance for a unit."""
    return can_view_unit(user, unit)


def can_print_letter(user: Any, employee: Employee) -> bool:
    """Print a sign-in letter for this person (app/auth/letters.py): HR for anyone active; a
    manager for active staff in their subtree, never for themselves.

    A letter lets whoever holds it choose the account's password, so it must give its
    printer nothing they could not already do: a manager cannot print for an account with
    more rights than the manager has over it (HR, reporter, an administrator account that is
    not staff), nor for someone who leads or deputises for a unit outside the manager's
    subtrees.
    """
    if not getattr(user, "is_authenticated", False) or not employee.active:
        return False
    if is_hr(user):
        return True
    if employee.id == user.id or employee.is_hr or employee.is_reporter or not employee.is_staff:
        return False
    return employee.id in letter_printable_ids(user, [employee])


def letter_printable_ids(user: Any, employees: Iterable[Employee]) -> set[int]:
    """Those of these people the user may print a sign-in letter for (can_print_letter):
    the rule for a whole page of people, in one query whatever their number."""
    people = [e for e in employees if e.active]
    if not getattr(user, "is_authenticated", False) or not people:
        return set()
    if is_hr(user):
        return {e.id for e in people}
    paths = managed_paths(user)
    candidates = {
        e.id
        for e in people
        if e.id != user.id
        and not e.is_hr
        and not e.is_reporter
        and e.is_staff
        and any(e.unit.path.startswith(p) for p in paths)
    }
    if not candidates:
        return set()
    # Whoever leads or deputises for a unit outside the user's subtrees is out of reach.
    inside = sa.or_(*(OrgUnit.path.startswith(p) for p in paths))
    beyond = db.session.scalars(
        sa.select(UnitManager.employee_id)
        .join(OrgUnit, OrgUnit.id == UnitManager.unit_id)
        .where(
            UnitManager.employee_id.in_(candidates),
            OrgUnit.active.is_(True),
            holds_unit(dates.today()),
            sa.not_(inside),
        )
    )
    return candidates - set(beyond)


def can_backdate_sessions(user: Any) -> bool:
    """Register an in-person session held longer ago than sessions.MAX_BACKDATE_DAYS: HR."""
    return is_hr(user)


def can_read_hr_notes(user: Any) -> bool:
    """Read why a person is exempted and HR's notes on a record (may be health data): HR.

    Managers see that an exemption exists and since when, never why.
    """
    return is_hr(user)


def led_units(user: Any, on: date | None = None) -> list[OrgUnit]:
    """The units this person leads as chef (from HR) today; a deputy's units are not here."""
    if not getattr(user, "is_authenticated", False):
        return []
    today = on or dates.today()
    stmt = (
        sa.select(OrgUnit)
        .join(UnitManager, UnitManager.unit_id == OrgUnit.id)
        .where(
            UnitManager.employee_id == user.id,
            UnitManager.role == ManagerRole.CHEF.value,
            OrgUnit.active.is_(True),
            manager_on(today),
        )
    )
    return list(db.session.scalars(stmt))


def can_delegate_unit(user: Any, unit: OrgUnit) -> bool:
    """Give a deputy the view of a unit: HR, or its chef (or a chef above); never a deputy."""
    if is_hr(user):
        return True
    return any(unit.path.startswith(u.path) for u in led_units(user))


def deputy_reach(user: Any, on: date | None = None) -> list[str] | None:
    """Whom this person may name as a deputy (and see the name of on the delegation form).

    HR anyone (None); a chef the people in the subtrees they lead. Someone from
    elsewhere in the municipality is HR's to appoint.
    """
    if is_hr(user):
        return None
    return [u.path for u in led_units(user, on)]


def reach_paths(user: Any) -> list[str] | None:
    """The subtrees whose people this person may act on; None means everyone (HR)."""
    return reach(user, people=True).within


# --- the viewer policy: what a person may reach, and how figures are shown to them ----------

SMALL_GROUP = 5  # a group of 1–4 people is shown to a masked viewer as "färre än 5"


@dataclass(frozen=True)
class Reach:
    """Everything (`units` is None), these subtrees, or nothing (no units)."""

    units: tuple[OrgUnit, ...] | None

    @property
    def everything(self) -> bool:
        return self.units is None

    @property
    def nothing(self) -> bool:
        return self.units == ()

    @property
    def within(self) -> list[str] | None:
        """The subtrees' paths for a Scope or a query; None means no limit."""
        return None if self.units is None else [u.path for u in self.units]


def reach(user: Any, *, people: bool = False) -> Reach:
    """The units whose figures (or, with `people`, whose people) this person may see.

    HR reaches everything; reporters every figure but nobody's name; a manager the
    subtrees they lead or deputise for.
    """
    if is_hr(user) or (not people and is_reporter(user)):
        return Reach(None)
    return Reach(tuple(managed_units(user)))


class Disclosure(StrEnum):
    NAMES = "names"  # figures and the people behind them (HR, managers in their reach)
    COUNTS = "counts"  # every figure, no names
    MASKED = "masked"  # figures, with groups of 1 to SMALL_GROUP - 1 people masked


def disclosure(user: Any) -> Disclosure:
    """How report figures are shown to this person: the reporter role sees small groups masked."""
    if is_reporter(user) and not is_hr(user):
        return Disclosure.MASKED
    if is_hr(user) or is_manager(user):
        return Disclosure.NAMES
    return Disclosure.COUNTS


def require(predicate: Callable[[Any], bool]) -> Callable:
    """Decorator for views: 403 unless predicate(current_user) holds."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not predicate(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def require_unit(user: Any, unit: OrgUnit | None, *, aggregates: bool = False) -> OrgUnit:
    """404 for no such unit, 403 for a unit outside the caller's reach."""
    if unit is None:
        abort(404)
    allowed = can_view_unit_aggregates(user, unit) if aggregates else can_view_unit(user, unit)
    if not allowed:
        abort(403)
    return unit


def require_employee(user: Any, employee: Employee | None) -> Employee:
    if employee is None:
        abort(404)
    if not can_view_employee(user, employee):
        abort(403)
    return employee


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str


def navigation(user: Any) -> list[NavItem]:
    """The menu a person sees: only what they may use."""
    if not getattr(user, "is_authenticated", False):
        return []
    items = [NavItem("learning.index", _l("Min utbildning"))]
    if is_manager(user) or is_hr(user):
        items.append(NavItem("units.index", _l("Min enhet")))
    if can_view_reports(user):
        items.append(NavItem("reports.index", _l("Rapporter")))
    if can_administer(user):
        items.append(NavItem("admin.index", _l("Administration")))
    return items
