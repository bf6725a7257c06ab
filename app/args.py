"""Numbers from the query string and the address, read within what the databases can hold.

A page number or id too big for a 64-bit integer reaches SQLite as an OverflowError and
PostgreSQL as a DataError: a 500. These read such a value as absent instead, and an
address with such an id (`/intyg/99999999999999999999.pdf`) is no page: 404.
"""

from __future__ import annotations

from collections.abc import Mapping

from werkzeug.routing import IntegerConverter

MAX_DIGITS = 18  # below 2**63 on every backend


def is_id(value: str) -> bool:
    """A database id as a form or URL gives it: ASCII digits only (not "²", not " 1")."""
    return value.isascii() and value.isdigit() and len(value) <= MAX_DIGITS


def db_id(value: str) -> int:
    """`request.args.get(name, type=db_id)`: an id, or the default for anything else."""
    if not is_id(value):
        raise ValueError(value)
    return int(value)


def page_number(args: Mapping[str, str], name: str = "page") -> int:
    """The page asked for, from 1; a missing, odd or enormous value is page 1."""
    value = args.get(name, "")
    return max(int(value), 1) if is_id(value) else 1


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: at most MAX_DIGITS digits, so a longer number matches no
    route (404) instead of reaching the database. Registered as "int" by app.security."""

    regex = rf"\d{{1,{MAX_DIGITS}}}"
