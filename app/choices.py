"""Required dropdowns start with an empty "Välj …", so nothing is ever chosen silently.

A SelectField of ids uses `coerce=optional_int` and `InputRequired(<a Swedish message naming
the field>)`; its choices are `with_placeholder(label, choices)`. Left on "Välj …", the form
says what to choose; the first real choice is no longer preselected.
"""

from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def optional_int(value: object) -> int | None:
    """An id from a dropdown; None for the empty "Välj …" choice."""
    if value is None or value == "":
        return None
    return int(value)  # type: ignore[arg-type]


def with_placeholder(label: str, choices: Iterable[SelectChoice]) -> list[SelectChoice]:
    return [SelectChoice("", label), *choices]
