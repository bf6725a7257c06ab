"""Delegation: a deputy gets a manager's view of a unit for a period. Audited.

The one home of delegation: HR's page (admin/requirements/routes.py, any unit by
its code) and the manager's page (units/routes.py, the units they lead) both
grant, end and list through here, with one form (units/forms.py DelegationForm).

A delegation is for a period of at most MAX_MONTHS, starting within
MAX_LEAD_MONTHS; it gives the view only while its grantor may still delegate the
unit (access.holds_unit decides, on every request). A chef names deputies among
the people they lead (access.deputy_reach); anyone else is HR's to appoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, joinedload

from app.auth import access
from app.dates import add_months
from app.labels import format_day
from app.models import Employee, ManagerRole, OrgUnit, UnitManager
from app.org import in_subtrees, manager_on
from app.records import audit

MAX_MONTHS = 12  # a delegation is for a period, not for ever
MAX_LEAD_MONTHS = 3  # and starts soon: no dormant access granted years ahead


class DelegationRejected(Exception):
    """The delegation cannot be given; the message, in Swedish, belongs to `field` of the form."""

    def __init__(self, message: str, *, field: str = "ends_on") -> None:
        super().__init__(message)
        self.field = field


def find_person(session: Session, key: str, *, within: list[str] | None) -> Employee | None:
    """A person by e-mail address or employee number, among the people in `within` (None: all).

    Someone outside is not found, with the same answer as no one at all: the form
    tells a chef no name they could not already see.
    """
    key = key.strip()
    if not key:
        return None
    stmt = sa.select(Employee).where(
        sa.or_(sa.func.lower(Employee.email) == key.lower(), Employee.employee_number == key)
    )
    if within is not None:
        stmt = stmt.join(OrgUnit, OrgUnit.id == Employee.unit_id).where(
            in_subtrees(OrgUnit.path, within)
        )
    return session.scalar(stmt)


def find(session: Session, delegation_id: int) -> UnitManager | None:
    """A deputy's row by id; a chef's own row (from HR) is not a delegation."""
    row = session.get(UnitManager, delegation_id)
    return row if row is not None and row.role == ManagerRole.DELEGATE.value else None


def grant(
    session: Session,
    *,
    unit: OrgUnit,
    deputy_key: str,
    starts_on: date,
    ends_on: date,
    actor: Employee,
    today: date,
) -> UnitManager:
    """Give the person with this e-mail address or employee number the view of `unit`.

    Used by HR's page and the manager's page alike; the caller has checked that the
    actor may delegate the unit (access.can_delegate_unit), and commits.
    """
    within = access.deputy_reach(actor, today)
    deputy = find_person(session, deputy_key, within=within)
    if deputy is None:
        if within is None:
            message = _("Ingen person med den e-postadressen eller det numret.")
        else:
            message = _(
                "Ingen person med den e-postadressen eller det numret i de enheter du leder. "
                "En ställföreträdare från en annan enhet utses av HR."
            )
        raise DelegationRejected(message, field="deputy")
    if not deputy.active:
        raise DelegationRejected(_("Personen har ingen aktiv anställning."))
    if deputy.id == actor.id and not actor.is_hr:
        raise DelegationRejected(_("Du kan inte delegera till dig själv."))
    if ends_on < starts_on:
        raise DelegationRejected(_("Slutdatum kan inte vara före startdatum."))
    if ends_on < today:
        raise DelegationRejected(_("Perioden har redan tagit slut."))
    latest_start = add_months(today, MAX_LEAD_MONTHS)
    if starts_on > latest_start:
        raise DelegationRejected(
            _(
                "”Från och med” kan ligga högst %(n)s månader fram, senast %(day)s.",
                n=MAX_LEAD_MONTHS,
                day=format_day(latest_start),
            ),
            field="starts_on",
        )
    latest_end = add_months(starts_on, MAX_MONTHS) - timedelta(days=1)
    if ends_on > latest_end:
        raise DelegationRejected(
            _(
                "En delegering gäller högst %(n)s månader: ”Till och med” kan vara senast %(day)s.",
                n=MAX_MONTHS,
                day=format_day(latest_end),
            )
        )
    row = session.scalar(
        sa.select(UnitManager).where(
            UnitManager.unit_id == unit.id,
            UnitManager.employee_id == deputy.id,
            UnitManager.role == ManagerRole.DELEGATE.value,
        )
    )
    if row is None:
        row = UnitManager(unit_id=unit.id, employee_id=deputy.id, role=ManagerRole.DELEGATE.value)
        session.add(row)
    row.starts_on, row.ends_on, row.granted_by_id = starts_on, ends_on, actor.id
    session.flush()
    audit(
        session,
        actor,
        "delegation.grant",
        "unit",
        unit.id,
        {
            "deputy_id": deputy.id,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
        },
    )
    return row


def end(session: Session, *, delegation: UnitManager, actor: Employee, today: date) -> None:
    """The deputy loses the view from today.

    A delegation already over stays as it was: its end is history, not moved to yesterday.
    """
    old = delegation.ends_on
    if old is not None and old < today:
        return
    delegation.ends_on = today - timedelta(days=1)
    session.flush()
    audit(
        session,
        actor,
        "delegation.end",
        "unit",
        delegation.unit_id,
        {"deputy_id": delegation.employee_id, "old_ends_on": old.isoformat() if old else None},
    )


@dataclass(frozen=True)
class DelegationRow:
    delegation: UnitManager
    current: bool
    # The grantor may no longer delegate the unit (left, or no longer its chef):
    # the row gives nothing (access.holds_unit); it is listed so it can be ended.
    lapsed: bool = False


def delegations(session: Session, *, within: list[str] | None, today: date) -> list[DelegationRow]:
    """Delegations not yet over, for units in the given subtrees (None: all)."""
    stmt = (
        sa.select(UnitManager, access.grantor_may_delegate(today))
        .join(OrgUnit, OrgUnit.id == UnitManager.unit_id)
        .options(joinedload(UnitManager.unit), joinedload(UnitManager.employee))
        .where(
            UnitManager.role == ManagerRole.DELEGATE.value,
            manager_on(today, or_later=True),
        )
        .order_by(OrgUnit.name, UnitManager.starts_on)
    )
    if within is not None:
        stmt = stmt.where(in_subtrees(OrgUnit.path, within))
    return [
        DelegationRow(d, d.starts_on is None or d.starts_on <= today, lapsed=not backed)
        for d, backed in session.execute(stmt)
    ]
