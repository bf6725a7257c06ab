"""Calendar arithmetic shared by Python code and its SQL twin (app/reports/sqlfunc.py)."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 -> 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def expiry_for(completed_at: datetime, valid_months: int | None) -> datetime | None:
    """When a completion stops counting: midnight UTC, valid_months after the completion day."""
    if valid_months is None:
        return None
    day = add_months(completed_at.astimezone(UTC).date(), valid_months)
    return datetime.combine(day, time.min, UTC)
