"""Run the suite with the clock moved: VARNA_TEST_CLOCK proves no test depends on its day.

    VARNA_TEST_CLOCK=+1y          one year ahead, same time of day
    VARNA_TEST_CLOCK=+2y@00:05    two years ahead, at 00:05 in Stockholm (just after midnight)
    VARNA_TEST_CLOCK=+45d         45 days ahead
    VARNA_TEST_CLOCK=2027-03-28T00:30:00+01:00    an exact moment

The clock keeps ticking from there (time-machine, tick=True), in this process and in the
live server's threads (the browser tests). A plugin of the root conftest: it travels at
configure time, before any test module is collected (so nothing may read the clock when a
conftest is imported). Subprocesses that a test starts (the killed import, `courses
validate`) run on the real clock.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, time

import pytest

from app.dates import STOCKHOLM, add_months

ENV = "VARNA_TEST_CLOCK"
_SHIFT = re.compile(r"^\+(?P<n>\d+)(?P<unit>[yd])(?:@(?P<hh>\d{2}):(?P<mm>\d{2}))?$")

_traveller = None


def moved_to(spec: str, real_now: datetime) -> datetime:
    """The moment VARNA_TEST_CLOCK names, in Stockholm time."""
    match = _SHIFT.match(spec)
    if not match:
        try:
            moment = datetime.fromisoformat(spec)
        except ValueError:
            raise pytest.UsageError(
                f"{ENV}={spec!r}: use +Ny, +Nd (optionally @HH:MM, Stockholm time) "
                "or an ISO date and time with offset"
            ) from None
        if moment.tzinfo is None:
            raise pytest.UsageError(f"{ENV}={spec!r}: give the offset, e.g. +01:00")
        return moment.astimezone(STOCKHOLM)
    here = real_now.astimezone(STOCKHOLM)
    n = int(match["n"])
    if match["unit"] == "y":
        day = add_months(here.date(), 12 * n)
    else:
        day = here.date().fromordinal(here.date().toordinal() + n)
    at = time(int(match["hh"]), int(match["mm"])) if match["hh"] else here.time()
    return datetime.combine(day, at, STOCKHOLM)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config) -> None:
    global _traveller
    spec = os.environ.get(ENV, "").strip()
    if not spec:
        return
    import time_machine

    destination = moved_to(spec, datetime.now(STOCKHOLM))
    _traveller = time_machine.travel(destination, tick=True)
    _traveller.start()


def pytest_report_header(config) -> str | None:
    if _traveller is None:
        return None
    return f"clock moved ({ENV}={os.environ[ENV]}): now {datetime.now(STOCKHOLM):%Y-%m-%d %H:%M %Z}"


def pytest_unconfigure(config) -> None:
    global _traveller
    if _traveller is not None:
        _traveller.stop()
        _traveller = None


def offset_seconds() -> float:
    """How far the moved clock is ahead of the real one (0 when it is not moved).

    A process a test starts that must agree with the app on the time — an identity provider
    that signs tokens and assertions valid for minutes — is given this offset and shifts its
    own clock by it.
    """
    if _traveller is None:
        return 0.0
    import time

    from time_machine import escape_hatch

    return time.time() - escape_hatch.time.time()
