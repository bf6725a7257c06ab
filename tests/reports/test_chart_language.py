"""Chart descriptions are read out in the interface's language, like the rest of the page."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask_babel import force_locale

from app.labels import format_share
from app.reports import charts

HALF, MORE, TARGET = format_share(0.5), format_share(0.6), format_share(0.8)


def _desc(svg) -> str:
    return re.search(r"<desc [^>]*>(.*?)</desc>", str(svg)).group(1)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "en",
            [
                f"Bar chart. Skola: {HALF}. The target {TARGET} is shown as a dashed line.",
                f"Line chart of 2 measurement days from 2026-01-01 ({HALF}) to 2026-02-01 ({MORE}).",
                "Heat map with 1 row and 2 columns; a darker cell = higher coverage. "
                "The same figures are in the table.",
                "No measurements yet.",
            ],
        ),
        (
            "sv",
            [
                f"Stapeldiagram. Skola: {HALF}. Målet {TARGET} visas som streckad linje.",
                f"Linjediagram över 2 mätdagar från 2026-01-01 ({HALF}) till 2026-02-01 ({MORE}).",
                "Värmekarta med 1 rad och 2 kolumner; mörkare ruta = högre täckning. "
                "Samma siffror finns i tabellen.",
                "Inga mätpunkter ännu.",
            ],
        ),
    ],
)
def test_chart_descriptions_follow_the_interface_language(app_ctx, locale, expected):
    points = [charts.Point(date(2026, 1, 1), 0.5), charts.Point(date(2026, 2, 1), 0.6)]
    with force_locale(locale):
        descs = [
            _desc(charts.bar_chart("b", "T", [charts.Bar("Skola", 0.5)], target=0.8)),
            _desc(charts.line_chart("l", "T", points)),
            _desc(charts.heat_map("h", "T", ["Skola"], ["A", "B"], [[(0.5, "x"), (None, "–")]])),
            _desc(charts.line_chart("e", "T", [])),
        ]
    assert descs == expected
