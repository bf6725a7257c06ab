"""The status report as a tagged A4 PDF (app/pdf.py: WeasyPrint, PDF/UA-1).

One writer: the report's sections as prepared by reports.services (heading, key figures,
paragraphs, tables, basis) in the page's order, through reports/status_pdf.html and the
pages' data_table macro. Nothing is decided here.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from app import pdf
from app.reports.services import StatusReport


@dataclass(frozen=True)
class Bar:
    label: str
    width: float  # 0–100, the bar's length in per cent
    text: str  # the figure as printed ("66,7 %", "färre än 5", "–")


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    target: float | None  # 0–100, where the target line is drawn


def status_report_pdf(report: StatusReport, *, municipality: str) -> bytes:
    day = report.on.isoformat()
    return pdf.render(
        "reports/status_pdf.html",
        lang="sv",
        title=f"{report.title} {day}",
        author=municipality,
        footer=f"Värna – {municipality} – lägesrapport {day}",
        municipality=municipality,
        report=report,
        bars=_bars(report),
    )


def _bars(report: StatusReport) -> BarChart:
    """Coverage per administration, drawn as bars in the text's reading order (the table after
    it has the same figures; an image's text would be read after the page's)."""
    bars = [
        Bar(row.label, 100 * (f.value or 0), f.text)
        for row in report.matrix.rows
        for f in [row.total.figure]
    ]
    target = 100 * report.target.share if report.target else None
    return BarChart(_("Täckning per förvaltning"), bars, target)
