"""Applying a Plan of the HR import: set-based writes, in chunks, in the caller's transaction.

No ORM object per row and no query per row: executemany INSERT and UPDATE
statements of CHUNK rows each, so 100,000 people take seconds and memory stays
flat (docs/benchmarks.md). Only flushes; the caller commits.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import org
from app.admin.imports.plan import EMPLOYEES, MANAGERS, UNITS, Plan, units_by_code
from app.models import ManagerRole, utcnow

CHUNK = 2000


def _chunks(rows: Iterable[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _executemany(session: Session, stmt: Any, rows: Iterable[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        session.execute(stmt, chunk)


def apply_plan(session: Session, plan: Plan, *, today: date) -> list[int]:
    now = utcnow()
    _apply_units(session, plan, now)
    unit_ids = dict(session.execute(sa.select(UNITS.c.code, UNITS.c.id)).all())
    created = _apply_employees(session, plan, unit_ids, now)
    _apply_managers(session, plan, unit_ids)
    session.flush()
    return created


def _apply_units(session: Session, plan: Plan, now: datetime) -> None:
    _executemany(
        session,
        sa.insert(UNITS),
        (
            {
                "code": u.code,
                "name": u.name,
                "kind": u.kind,
                "parent_id": None,
                "path": "/",
                "depth": 0,
                "active": True,
                "created_at": now,
                "updated_at": now,
            }
            for u in plan.unit_inserts
        ),
    )
    current = units_by_code(session)
    code_of = {r.id: r.code for r in current.values()}
    file_units = {u.code: u for u in plan.checked.units}
    gone = {r.code for r in plan.units_gone}
    parent: dict[str, str | None] = {}
    for code, row in current.items():
        u = file_units.get(code)
        parent[code] = u.parent_code if u else code_of.get(row.parent_id)

    parent_ids = {
        row.id: current[parent[code]].id if parent[code] else None for code, row in current.items()
    }
    paths = org.build_paths(parent_ids)

    updates = []
    for code, row in current.items():
        u = file_units.get(code)
        path, depth = paths[row.id]
        parent_id = parent_ids[row.id]
        name = u.name if u else row.name
        kind = u.kind if u else row.kind
        active = bool(u) or (row.active and code not in gone)
        if (name, kind, parent_id, path, depth, active) != (
            row.name,
            row.kind,
            row.parent_id,
            row.path,
            row.depth,
            row.active,
        ):
            updates.append(
                {
                    "_id": row.id,
                    "name": name,
                    "kind": kind,
                    "parent_id": parent_id,
                    "path": path,
                    "depth": depth,
                    "active": active,
                    "updated_at": now,
                }
            )
    _executemany(session, sa.update(UNITS).where(UNITS.c.id == sa.bindparam("_id")), updates)


def _apply_employees(
    session: Session, plan: Plan, unit_ids: dict[str, int], now: datetime
) -> list[int]:
    by_id = sa.update(EMPLOYEES).where(EMPLOYEES.c.id == sa.bindparam("_id"))
    # Addresses that move between people are cleared first, so the unique index never
    # sees one address twice halfway through.
    clear = [
        {"_id": old.id, "email": None}
        for old, s, _, _ in plan.emp_updates
        if old.email is not None and old.email != s.email
    ] + [{"_id": old.id, "email": None} for old in plan.emails_freed]
    _executemany(session, by_id, clear)
    _executemany(
        session,
        sa.insert(EMPLOYEES),
        (
            {
                "employee_number": s.employee_number,
                "first_name": s.first_name,
                "last_name": s.last_name,
                "email": s.email,
                "unit_id": unit_ids[s.unit_code],
                "title": s.title,
                "level": s.level,
                "active": True,
                "start_date": s.start_date,
                "end_date": s.end_date,
                "placed_on": s.start_date,
                "session_token": secrets.token_hex(16),
                "is_hr": False,
                "is_reporter": False,
                "created_at": now,
                "updated_at": now,
            }
            for s in plan.emp_inserts
        ),
    )
    updates, placed, tokens = [], [], []
    for old, s, active, placed_on in plan.emp_updates:
        updates.append(
            {
                "_id": old.id,
                "employee_number": s.employee_number,
                "first_name": s.first_name,
                "last_name": s.last_name,
                "email": s.email,
                "unit_id": unit_ids[s.unit_code],
                "title": s.title,
                "level": s.level,
                "active": active,
                "start_date": s.start_date,
                "end_date": s.end_date,
                "updated_at": now,
            }
        )
        if placed_on is not None:
            placed.append({"_id": old.id, "placed_on": placed_on})
        if old.active and not active:
            tokens.append({"_id": old.id, "session_token": secrets.token_hex(16)})
    _executemany(session, by_id, updates)
    _executemany(session, by_id, placed)
    _executemany(
        session,
        by_id,
        ({"_id": old.id, "active": False, "updated_at": now} for old in plan.emp_gone),
    )
    # Leaving ends every session at once (Employee.end_all_sessions, set-based).
    tokens += [{"_id": old.id, "session_token": secrets.token_hex(16)} for old in plan.emp_gone]
    _executemany(session, by_id, tokens)
    if not plan.emp_inserts:
        return []
    new_numbers = {s.employee_number for s in plan.emp_inserts}
    rows = session.execute(sa.select(EMPLOYEES.c.employee_number, EMPLOYEES.c.id))
    return [emp_id for number, emp_id in rows if number in new_numbers]


def _apply_managers(session: Session, plan: Plan, unit_ids: dict[str, int]) -> None:
    _executemany(
        session,
        sa.delete(MANAGERS).where(MANAGERS.c.id == sa.bindparam("_id")),
        ({"_id": row_id} for row_id in plan.manager_removals),
    )
    if not plan.manager_adds:
        return
    numbers = {n for _, n in plan.manager_adds}
    stmt = sa.select(EMPLOYEES.c.employee_number, EMPLOYEES.c.id).where(
        EMPLOYEES.c.employee_number.in_(sa.bindparam("numbers", expanding=True))
    )
    ids = dict(session.execute(stmt, {"numbers": sorted(numbers)}).all())
    _executemany(
        session,
        sa.insert(MANAGERS),
        (
            {
                "unit_id": unit_ids[code],
                "employee_id": ids[number],
                "role": ManagerRole.CHEF.value,
                "created_at": utcnow(),
            }
            for code, number in plan.manager_adds
        ),
    )
