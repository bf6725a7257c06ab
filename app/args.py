"""Numbers from the query string and the address, read within what the databases can hold.

Every id column is an INTEGER: 32 bits on PostgreSQL, 64 on SQLite. A bigger page number
or id reached SQLite as an OverflowError and PostgreSQL as a DataError ("integer out of
range"): a 500. These read such a value as absent instead, and an address with such an id
(`/intyg/99999999999999999999.pdf`) is no page: 404.
"""

from __future__ import annotations

from collections.abc import Mapping

from werkzeug.routing import IntegerConverter, ValidationError

MAX_ID = 2**31 - 1  # PostgreSQL's integer; SQLite holds more
MAX_DIGITS = len(str(MAX_ID))


def is_id(value: str) -> bool:
    """A database id as a form or URL gives it: ASCII digits only (not "²", not " 1"),
    no bigger than an id column holds."""
    return value.isascii() and value.isdigit() and len(value) <= MAX_DIGITS and int(value) <= MAX_ID


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
    """`<int:...>` in every route (registered as "int" by app.security): a number bigger
    than an id column holds matches no route, a 404, instead of reaching the database."""

    regex = rf"\d{{1,{MAX_DIGITS}}}"

    def to_python(self, value: str) -> int:
        if not is_id(value):
            raise ValidationError()
        return int(value)
