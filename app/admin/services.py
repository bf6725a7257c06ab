"""Queries behind HR's pages, and HR's look at a person (logged)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, contains_eager

from app.models import AuditEvent, Course, Employee, OrgUnit
from app.records import audit


@dataclass(frozen=True)
class Overview:
    units: int
    active_employees: int
    inactive_employees: int
    courses: int


def overview(session: Session) -> Overview:
    active = sa.func.count().filter(Employee.active.is_(True))
    inactive = sa.func.count().filter(Employee.active.is_(False))
    act, inact = session.execute(sa.select(active, inactive).select_from(Employee)).one()
    units = session.scalar(sa.select(sa.func.count()).select_from(OrgUnit)) or 0
    courses = session.scalar(sa.select(sa.func.count()).select_from(Course)) or 0
    return Overview(units=units, active_employees=act, inactive_employees=inact, courses=courses)


def people_stmt(query: str = "", *, include_inactive: bool = False) -> sa.Select:
    stmt = (
        sa.select(Employee)
        .join(OrgUnit, Employee.unit_id == OrgUnit.id)
        .options(contains_eager(Employee.unit))
        .order_by(Employee.last_name, Employee.first_name, Employee.id)
    )
    if not include_inactive:
        stmt = stmt.where(Employee.active.is_(True))
    query = query.strip()
    if query:
        # The typed text is matched as text: % and _ are not wildcards.
        like = query.lower()
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(Employee.first_name + " " + Employee.last_name).contains(
                    like, autoescape=True
                ),
                sa.func.lower(Employee.email).contains(like, autoescape=True),
                Employee.employee_number == query,
            )
        )
    return stmt


def view_person(session: Session, *, viewer: Employee, employee: Employee) -> Employee:
    """HR's look at a person's record: the look itself is an audit event (privacy)."""
    audit(session, viewer, "person.view", "employee", employee.id)
    return employee


def audit_stmt(action: str = "") -> sa.Select:
    stmt = sa.select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if action:
        stmt = stmt.where(AuditEvent.action.startswith(action, autoescape=True))
    return stmt.options(sa.orm.joinedload(AuditEvent.actor))


def record_search(
    session: Session,
    *,
    viewer: Employee,
    shown: Sequence[Employee],
    page: int,
    include_inactive: bool,
) -> None:
    """HR's people search is a read of personal data: who was shown is an audit event.

    The ids, not the typed text: the text is often a name, which would outlive the
    person's gallring in the audit log, and the ids say exactly who was disclosed.
    """
    details = {"shown": [e.id for e in shown], "page": page, "include_inactive": include_inactive}
    audit(session, viewer, "person.search", details=details)


def record_audit_log_view(session: Session, *, viewer: Employee, action: str, page: int) -> None:
    """Reading the audit log is itself logged: it holds who looked at whom."""
    audit(session, viewer, "audit.view", details={"action": action, "page": page})
