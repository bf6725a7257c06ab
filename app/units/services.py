"""Reading the unit tree: subtrees, headcounts, the people in a subtree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.auth.access import in_subtrees
from app.models import Employee, OrgUnit


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
        .join(sub, sub.path.startswith(OrgUnit.path))
        .join(Employee, sa.and_(Employee.unit_id == sub.id, Employee.active.is_(True)))
        .where(OrgUnit.id.in_([u.id for u in units]))
        .group_by(OrgUnit.id)
    )
    counts = dict(session.execute(stmt).all())
    return [UnitRow(unit=u, headcount=counts.get(u.id, 0)) for u in units]


def child_units(session: Session, unit: OrgUnit) -> list[OrgUnit]:
    return list(
        session.scalars(
            sa.select(OrgUnit)
            .where(OrgUnit.parent_id == unit.id, OrgUnit.active.is_(True))
            .order_by(OrgUnit.name)
        )
    )


def ancestors(session: Session, unit: OrgUnit) -> list[OrgUnit]:
    ids = unit.ancestor_ids[:-1]
    if not ids:
        return []
    by_id = {u.id: u for u in session.scalars(sa.select(OrgUnit).where(OrgUnit.id.in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]


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
