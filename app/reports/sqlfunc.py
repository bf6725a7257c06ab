"""Small date functions that SQLite and PostgreSQL spell differently."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


class add_days(FunctionElement[Any]):  # noqa: N801 (reads as SQL)
    """date + n days -> date."""

    type = sa.Date()
    inherit_cache = True
    name = "add_days"


@compiles(add_days)
def _add_days_default(element: add_days, compiler: Any, **kw: Any) -> str:
    day, n = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(CAST({day} AS DATE) + CAST({n} AS INTEGER))"


@compiles(add_days, "sqlite")
def _add_days_sqlite(element: add_days, compiler: Any, **kw: Any) -> str:
    day, n = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"date({day}, '+' || ({n}) || ' days')"


class add_months(FunctionElement[Any]):  # noqa: N801
    """date + n months -> date, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""

    type = sa.Date()
    inherit_cache = True
    name = "add_months"


@compiles(add_months)
def _add_months_default(element: add_months, compiler: Any, **kw: Any) -> str:
    day, n = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(CAST({day} AS DATE) + make_interval(months => CAST({n} AS INTEGER)) AS DATE)"


@compiles(add_months, "sqlite")
def _add_months_sqlite(element: add_months, compiler: Any, **kw: Any) -> str:
    day, n = (compiler.process(arg, **kw) for arg in element.clauses)
    same_day = (
        f"date({day}, 'start of month', '+' || ({n}) || ' months', "
        f"'+' || (CAST(strftime('%d', {day}) AS INTEGER) - 1) || ' days')"
    )
    month_end = f"date({day}, 'start of month', '+' || (({n}) + 1) || ' months', '-1 days')"
    return f"min({same_day}, {month_end})"


class utc_date(FunctionElement[Any]):  # noqa: N801
    """The UTC calendar day of a stored UTC timestamp."""

    type = sa.Date()
    inherit_cache = True
    name = "utc_date"


@compiles(utc_date)
def _utc_date_default(element: utc_date, compiler: Any, **kw: Any) -> str:
    (ts,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(({ts} AT TIME ZONE 'UTC') AS DATE)"


@compiles(utc_date, "sqlite")
def _utc_date_sqlite(element: utc_date, compiler: Any, **kw: Any) -> str:
    (ts,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"date({ts})"


class greatest(FunctionElement[Any]):  # noqa: N801
    inherit_cache = True
    name = "greatest"


@compiles(greatest)
def _greatest_default(element: greatest, compiler: Any, **kw: Any) -> str:
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "sqlite")
def _greatest_sqlite(element: greatest, compiler: Any, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"
