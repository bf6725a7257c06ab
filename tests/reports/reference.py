"""A plain-Python reading of the coverage definition, to check the SQL against."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from app.dates import add_months


@dataclass
class Person:
    id: int
    path: str
    level: str
    tags: set[str]
    start_date: date | None
    placed_on: date | None
    active: bool = True


@dataclass
class Exempt:
    employee_id: int
    created_at: datetime  # UTC
    revoked_at: datetime | None = None

    def holds_on(self, on: date) -> bool:
        """Made on or before day `on` and not revoked by then (days in UTC, as stored)."""
        made = self.created_at.astimezone(UTC).date() <= on
        revoked = self.revoked_at is not None and self.revoked_at.astimezone(UTC).date() <= on
        return made and not revoked


@dataclass
class Rule:
    id: int
    course_id: int
    unit_path: str | None
    levels: set[str]
    tags: set[str]
    due_days: int
    valid_months: int | None
    starts_on: date
    ends_on: date | None
    exempt: list[Exempt] = field(default_factory=list)


@dataclass
class Done:
    employee_id: int
    course_id: int | None  # None: training with a free title, no course
    completed_at: datetime
    expires_at: datetime | None


def statuses(
    people: list[Person], rules: list[Rule], completions: list[Done], on: date
) -> dict[tuple[int, int], str]:
    pairs: dict[tuple[int, int], tuple[date, list[int]]] = {}
    for p in people:
        if not p.active:
            continue
        for r in rules:
            if r.starts_on > on or (r.ends_on is not None and r.ends_on < on):
                continue
            if r.unit_path is not None and not p.path.startswith(r.unit_path):
                continue
            if r.levels and p.level not in r.levels:
                continue
            if r.tags and not (r.tags & p.tags):
                continue
            if any(x.employee_id == p.id and x.holds_on(on) for x in r.exempt):
                continue
            entered = max(p.placed_on or p.start_date or r.starts_on, r.starts_on)
            due = entered + timedelta(days=r.due_days)
            key = (p.id, r.course_id)
            old_due, months = pairs.get(key, (due, []))
            if r.valid_months is not None:
                months = [*months, r.valid_months]
            pairs[key] = (min(old_due, due), months)
    result = {}
    for (emp, course), (due, months) in pairs.items():
        vm = min(months) if months else None
        expiries = []
        for c in completions:
            if (c.employee_id, c.course_id) != (emp, course) or c.completed_at.astimezone(
                UTC
            ).date() > on:
                continue
            if vm is not None:
                expiries.append(add_months(c.completed_at.astimezone(UTC).date(), vm))
            else:
                expiries.append(c.expires_at.date() if c.expires_at else None)
        if not expiries:
            result[(emp, course)] = "overdue" if due < on else "pending"
        elif any(e is None for e in expiries):
            result[(emp, course)] = "completed"
        else:
            last = max(expiries)
            if last > on + timedelta(days=30):
                result[(emp, course)] = "completed"
            elif last > on:
                result[(emp, course)] = "expiring"
            else:
                result[(emp, course)] = "expired"
    return result
