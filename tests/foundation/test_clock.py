"""The one clock: "today" is the Stockholm calendar day, and the suite's moved clock."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine

from app import dates
from tests.clock import moved_to


@pytest.mark.parametrize(
    ("utc", "stockholm_day"),
    [
        (datetime(2026, 11, 30, 22, 59, tzinfo=UTC), date(2026, 11, 30)),  # 23:59 CET
        (datetime(2026, 11, 30, 23, 0, tzinfo=UTC), date(2026, 12, 1)),  # 00:00 CET
        (datetime(2027, 6, 30, 21, 59, tzinfo=UTC), date(2027, 6, 30)),  # 23:59 CEST
        (datetime(2027, 6, 30, 22, 0, tzinfo=UTC), date(2027, 7, 1)),  # 00:00 CEST
    ],
)
def test_today_is_the_stockholm_day(utc, stockholm_day):
    with time_machine.travel(utc, tick=False):
        assert dates.today() == stockholm_day
        assert dates.now() == utc
        assert dates.local_day(dates.now()) == stockholm_day


def test_moved_clock_specs():
    real = datetime(2028, 2, 29, 15, 30, tzinfo=dates.STOCKHOLM)
    assert moved_to("+1y", real) == datetime(2029, 2, 28, 15, 30, tzinfo=dates.STOCKHOLM)
    two = moved_to("+2y@00:05", real)
    assert (two.date(), two.hour, two.minute) == (date(2030, 2, 28), 0, 5)
    assert two.astimezone(UTC).date() == date(2030, 2, 27)  # the UTC day is still yesterday
    assert moved_to("+45d", real).date() == date(2028, 4, 14)
    exact = moved_to("2027-03-28T00:30:00+01:00", real)
    assert exact.astimezone(UTC) == datetime(2027, 3, 27, 23, 30, tzinfo=UTC)
    for bad in ("+1w", "tomorrow", "2027-03-28T00:30"):
        with pytest.raises(pytest.UsageError):
            moved_to(bad, real)


def test_the_product_reads_the_time_from_one_clock():
    """Only app/dates.py asks the system for the date or time (tests/clock.py moves it)."""
    app_dir = Path(__file__).resolve().parents[2] / "app"
    calls = re.compile(
        r"\b(?:date\.today|datetime\.(?:now|utcnow|today))\(|\bdefault=date\.today\b"
    )
    found = [
        f"{path.relative_to(app_dir)}:{n}"
        for path in sorted(app_dir.rglob("*.py"))
        if path.name != "dates.py" or path.parent != app_dir
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if calls.search(line)
    ]
    assert not found, f"use app.dates.today()/now() instead: {found}"
