"""The organisation tree: units, their materialised paths, and sums over subtrees.

A unit's path is its parent's path plus its own id, "/1/4/17/", so "a unit and
everything below it" is every unit whose path starts with its path: one prefix
condition in SQL. Paths are built, parsed and compared here and nowhere else.
Who may see which subtree is decided in app/auth/access.py, which asks here.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping
from datetime import date
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.models import OrgUnit, UnitManager

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# The HR import refuses control characters in every value, so no stored code has one.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


# --- paths ----------------------------------------------------------------------------------


def child_path(parent_path: str | None, unit_id: int) -> str:
    """The path of unit `unit_id` under a unit with `parent_path` (None: a root)."""
    return f"{parent_path or '/'}{unit_id}/"


def ancestor_ids(path: str) -> list[int]:
    """The ids on a path from the root down, the unit itself last: "/1/4/17/" → [1, 4, 17]."""
    return [int(part) for part in path.split("/") if part]


def place(unit: OrgUnit, parent: OrgUnit | None) -> OrgUnit:
    """Put a unit under `parent` (None: make it a root): its parent_id, path and depth.

    The unit needs its id, so add and flush it first. Units already below it keep
    their paths: moving a whole branch is build_paths' work (the HR import).
    """
    if unit.id is None:
        raise ValueError("place() needs the unit's id: add and flush the unit first")
    unit.parent_id = parent.id if parent is not None else None
    unit.path = child_path(parent.path if parent is not None else None, unit.id)
    unit.depth = parent.depth + 1 if parent is not None else 0
    return unit


def build_paths(parents: Mapping[int, int | None]) -> dict[int, tuple[str, int]]:
    """(path, depth) of every unit, from each unit's parent id (None: a root), in one pass.

    For the HR import, which places every unit of the file at once. A parent that is
    not among the units, or a loop, is a ValueError (the import checks its file first).
    """
    placed: dict[int, tuple[str, int]] = {}
    for start in parents:
        chain: list[int] = []
        seen: set[int] = set()
        unit_id: int | None = start
        while unit_id is not None and unit_id not in placed:
            if unit_id in seen:
                raise ValueError(f"the units {chain} form a loop")
            if unit_id not in parents:
                raise ValueError(f"unit {chain[-1]} has a parent {unit_id} that is not a unit")
            seen.add(unit_id)
            chain.append(unit_id)
            unit_id = parents[unit_id]
        for unit_id in reversed(chain):
            parent_id = parents[unit_id]
            if parent_id is None:
                placed[unit_id] = (child_path(None, unit_id), 0)
            else:
                above, depth = placed[parent_id]
                placed[unit_id] = (child_path(above, unit_id), depth + 1)
    return placed


# --- SQL conditions -------------------------------------------------------------------------


def in_subtrees(path_column: Any, paths: Iterable[str]) -> ColumnElement[bool]:
    """SQL condition: the unit path lies in one of the given subtrees."""
    conditions = [path_column.startswith(p, autoescape=True) for p in paths]
    if not conditions:
        return sa.false()
    return sa.or_(*conditions)


def in_subtree_of(path_column: Any, root_path_column: Any) -> ColumnElement[bool]:
    """SQL condition between two units' paths: the first is the second or lies below it."""
    return path_column.startswith(root_path_column)


def manager_on(day: date, *, or_later: bool = False) -> ColumnElement[bool]:
    """SQL condition on UnitManager: the chef or deputy holds the unit on `day`.

    With or_later, also those whose period starts after `day`: every row not yet over.
    """
    not_over = sa.or_(UnitManager.ends_on.is_(None), UnitManager.ends_on >= day)
    if or_later:
        return not_over
    started = sa.or_(UnitManager.starts_on.is_(None), UnitManager.starts_on <= day)
    return sa.and_(started, not_over)


# --- look-ups ---------------------------------------------------------------------------------


def normalise_code(code: str) -> str:
    """A unit code as the HR import stores it: surrounding whitespace dropped, case kept."""
    return code.strip()


def unit_by_code(session: Session, code: str) -> OrgUnit | None:
    """The unit with this code, as typed by a person or a program (see normalise_code).

    Codes are case-sensitive: the import keeps them as HR's file has them, and
    "SOC" and "soc" may be two units.
    """
    code = normalise_code(code)
    if not code or _CONTROL.search(code):
        return None
    return session.scalar(sa.select(OrgUnit).where(OrgUnit.code == code))


def children(session: Session, unit: OrgUnit) -> list[OrgUnit]:
    """The active units directly under `unit`, by name."""
    stmt = sa.select(OrgUnit).where(OrgUnit.parent_id == unit.id, OrgUnit.active.is_(True))
    return list(session.scalars(stmt.order_by(OrgUnit.name)))


def ancestors(session: Session, unit: OrgUnit) -> list[OrgUnit]:
    """The unit's ancestors from the root down (not the unit itself)."""
    ids = ancestor_ids(unit.path)[:-1]
    if not ids:
        return []
    found = {u.id: u for u in session.scalars(sa.select(OrgUnit).where(OrgUnit.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def administrations(session: Session, within: list[str] | None = None) -> list[OrgUnit]:
    """The units directly under the root (förvaltningar), or the given subtrees' tops."""
    if within is not None:
        stmt = sa.select(OrgUnit).where(in_subtrees(OrgUnit.path, within), OrgUnit.active)
        units = list(session.scalars(stmt.order_by(OrgUnit.path)))
        return [u for u in units if u.path in within]
    stmt = sa.select(OrgUnit).where(OrgUnit.depth == 1, OrgUnit.active.is_(True))
    return list(session.scalars(stmt.order_by(OrgUnit.name)))


# --- sums over subtrees -----------------------------------------------------------------------


def roll_up(rows: Iterable[tuple[str, K, V]], *, into: Iterable[int]) -> dict[tuple[int, K], V]:
    """Add per-unit figures up into subtrees.

    `rows` are (unit path, key, value); the result maps (u, key) to the sum of the
    values of the rows in u's subtree, u's own rows included, for each unit id u of
    `into`. A row below two of them (one inside the other) counts in both. Values
    add with `+` (Counts, int). Each distinct path is parsed once.
    """
    targets = set(into)
    above: dict[str, list[int]] = {}
    totals: dict[tuple[int, K], Any] = {}
    for path, key, value in rows:
        tops = above.get(path)
        if tops is None:
            tops = above[path] = [i for i in ancestor_ids(path) if i in targets]
        for top in tops:
            k = (top, key)
            totals[k] = totals[k] + value if k in totals else value
    return totals
