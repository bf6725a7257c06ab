"""Värna's one clock and the calendar arithmetic shared by Python code and its SQL twin
(app/reports/sqlfunc.py).

Every date a person sees, and every "today" a rule is judged on, is the Stockholm
calendar day: call `today()`, never `date.today()` (the server's zone) or the UTC date.
Times are stored in UTC (`now()`), and shown as the Stockholm day with `local_day()`.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def now() -> datetime:
    """This moment, timezone-aware in UTC (how times are stored)."""
    return datetime.now(UTC)


def today() -> date:
    """The calendar day in Stockholm now: what "today" means everywhere in Värna."""
    return datetime.now(STOCKHOLM).date()


def local_day(moment: datetime) -> date:
    """The Stockholm calendar day of a stored (UTC) moment, as a person sees it."""
    return moment.astimezone(STOCKHOLM).date()


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
