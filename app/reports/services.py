"""Headcounts per administration and level (coverage arrives with requirements)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from app.auth.access import in_subtrees
from app.models import Employee, Level, OrgUnit

SMALL_GROUP = 5  # aggregates below this are not shown to the reporter role


@dataclass(frozen=True)
class HeadcountMatrix:
    levels: list[str]
    rows: list[tuple[OrgUnit, dict[str, int]]]


def administrations(session: Session, within: list[str] | None = None) -> list[OrgUnit]:
    """The units directly under the root (förvaltningar), or the given subtrees' tops."""
    if within is not None:
        stmt = sa.select(OrgUnit).where(in_subtrees(OrgUnit.path, within), OrgUnit.active)
        units = list(session.scalars(stmt.order_by(OrgUnit.path)))
        return [u for u in units if u.path in within]
    stmt = sa.select(OrgUnit).where(OrgUnit.depth == 1, OrgUnit.active.is_(True))
    return list(session.scalars(stmt.order_by(OrgUnit.name)))


def headcount_matrix(session: Session, tops: list[OrgUnit]) -> HeadcountMatrix:
    """Active people per top unit's subtree × level, in one grouped query."""
    levels = [lvl.value for lvl in Level]
    if not tops:
        return HeadcountMatrix(levels=levels, rows=[])
    top = aliased(OrgUnit)
    stmt = (
        sa.select(top.id, Employee.level, sa.func.count(Employee.id))
        .select_from(top)
        .join(OrgUnit, OrgUnit.path.startswith(top.path))
        .join(Employee, sa.and_(Employee.unit_id == OrgUnit.id, Employee.active.is_(True)))
        .where(top.id.in_([t.id for t in tops]))
        .group_by(top.id, Employee.level)
    )
    counts: dict[int, dict[str, int]] = {t.id: dict.fromkeys(levels, 0) for t in tops}
    for top_id, level, n in session.execute(stmt):
        counts[top_id][level] = n
    return HeadcountMatrix(levels=levels, rows=[(t, counts[t.id]) for t in tops])
