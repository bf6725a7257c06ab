"""Charts as server-rendered SVG: no script, no inline style (the CSP forbids both).

Each chart has a <title> and a <desc> that says what it shows in words (in the
interface's language, like the title the page passes in), and the page
puts the same numbers in a table beside it. Colours come from classes in
static/reports.css; the shapes print as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape

from app.labels import format_share


def _target(target: float) -> str:
    return _("Målet %(target)s visas som streckad linje.", target=format_share(target))


WIDTH = 640


def _svg(chart_id: str, title: str, desc: str, height: int, body: list[str], cls: str) -> Markup:
    # Every piece of text inside is escaped above; the rest is numbers and fixed markup.
    return Markup(  # noqa: S704
        f'<svg class="chart {cls}" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d" '
        f'preserveAspectRatio="xMinYMin meet" focusable="false">'
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-d">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # 0–1; None: no data or hidden
    note: str = ""  # shown instead of the value (e.g. "färre än 5")


def bar_chart(
    chart_id: str, title: str, bars: list[Bar], *, target: float | None = None, desc: str = ""
) -> Markup:
    """Horizontal bars, one per group, 0–100 %, with the target as a dashed line."""
    label_w, bar_x, bar_w, row_h, top = 230, 240, 330, 30, 28
    height = top + row_h * len(bars) + 10
    body = []
    for tick in (0, 25, 50, 75, 100):
        x = bar_x + bar_w * tick / 100
        body.append(
            f'<line class="grid" x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 8}"/>'
            f'<text class="axis" x="{x:.1f}" y="{top - 10}" text-anchor="middle">{tick}\u00a0%</text>'
        )
    for i, bar in enumerate(bars):
        y = top + i * row_h
        label = bar.label if len(bar.label) <= 32 else bar.label[:31] + "…"
        body.append(
            f'<text class="label" x="{label_w}" y="{y + 19}" text-anchor="end">{escape(label)}</text>'
        )
        if bar.value is not None:
            w = max(bar_w * bar.value, 1)
            body.append(
                f'<rect class="bar" x="{bar_x}" y="{y + 5}" width="{w:.1f}" height="{row_h - 10}"/>'
            )
            text = format_share(bar.value)
            body.append(
                f'<text class="value" x="{bar_x + w + 4:.1f}" y="{y + 19}">{escape(text)}</text>'
            )
        else:
            body.append(
                f'<text class="value muted" x="{bar_x + 4}" y="{y + 19}">'
                f"{escape(bar.note or '–')}</text>"
            )
    if target is not None:
        x = bar_x + bar_w * target
        body.append(
            f'<line class="target" x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 8}" '
            f'stroke-dasharray="6 4"/>'
        )
    if not desc:
        shown = [b for b in bars if b.value is not None]
        parts = [f"{b.label}: {format_share(b.value)}" for b in shown]
        desc = (
            _("Stapeldiagram. %(bars)s.", bars="; ".join(parts)) if parts else _("Inga uppgifter.")
        )
        if target is not None:
            desc += " " + _target(target)
    return _svg(chart_id, title, desc, height, body, "bar-chart")


@dataclass(frozen=True)
class Point:
    day: date
    value: float | None
    rebuilt: bool = False


def line_chart(
    chart_id: str, title: str, points: list[Point], *, target: float | None = None
) -> Markup:
    """Coverage over time; rebuilt days are hollow dots."""
    left, right, top, bottom = 56, 20, 16, 40
    height = 260
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    shown = [p for p in points if p.value is not None]
    body = []
    for tick in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - tick / 100)
        body.append(
            f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}"/>'
            f'<text class="axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}\u00a0%</text>'
        )
    if shown:
        first, last = shown[0].day.toordinal(), shown[-1].day.toordinal()
        span = max(last - first, 1)

        def xy(p: Point) -> tuple[float, float]:
            x = left + plot_w * ((p.day.toordinal() - first) / span if len(shown) > 1 else 0.5)
            return x, top + plot_h * (1 - (p.value or 0))

        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in map(xy, shown))
        body.append(f'<polyline class="line" fill="none" points="{coords}"/>')
        for p in shown:
            x, y = xy(p)
            cls = "dot rebuilt" if p.rebuilt else "dot"
            body.append(f'<circle class="{cls}" cx="{x:.1f}" cy="{y:.1f}" r="3.5"/>')
        step = max(1, len(shown) // 5)
        labelled = shown[::step]
        if shown[-1] not in labelled:
            labelled.append(shown[-1])
        for p in labelled:
            x, _y = xy(p)
            body.append(
                f'<text class="axis" x="{x:.1f}" y="{height - 16}" text-anchor="middle">'
                f"{p.day.isoformat()}</text>"
            )
        desc = ngettext(
            "Linjediagram över %(num)s mätdag, %(first)s (%(first_value)s).",
            "Linjediagram över %(num)s mätdagar från %(first)s (%(first_value)s) "
            "till %(last)s (%(last_value)s).",
            len(shown),
            first=shown[0].day.isoformat(),
            first_value=format_share(shown[0].value),
            last=shown[-1].day.isoformat(),
            last_value=format_share(shown[-1].value),
        )
    else:
        desc = _("Inga mätpunkter ännu.")
    if target is not None:
        y = top + plot_h * (1 - target)
        body.append(
            f'<line class="target" x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" '
            f'stroke-dasharray="6 4"/>'
        )
        desc += " " + _target(target)
    return _svg(chart_id, title, desc, height, body, "line-chart")


def heat_class(value: float | None) -> str:
    if value is None:
        return "heat-none"
    return f"heat-{min(int(value * 5), 4)}"


def heat_map(
    chart_id: str,
    title: str,
    row_labels: list[str],
    col_labels: list[str],
    cells: list[list[tuple[float | None, str]]],
) -> Markup:
    """Rows × columns of shaded cells, each with its figure written in it."""
    label_w, top, cell_h = 210, 36, 30
    cell_w = (WIDTH - label_w - 4) / max(len(col_labels), 1)
    height = top + cell_h * len(row_labels) + 4
    body = []
    for j, col in enumerate(col_labels):
        x = label_w + cell_w * j + cell_w / 2
        body.append(
            f'<text class="axis" x="{x:.1f}" y="{top - 12}" text-anchor="middle">{escape(col)}</text>'
        )
    for i, row in enumerate(row_labels):
        y = top + cell_h * i
        label = row if len(row) <= 30 else row[:29] + "…"
        body.append(
            f'<text class="label" x="{label_w - 8}" y="{y + 20}" text-anchor="end">{escape(label)}</text>'
        )
        for j, (value, text) in enumerate(cells[i]):
            x = label_w + cell_w * j
            body.append(
                f'<rect class="{heat_class(value)}" x="{x:.1f}" y="{y}" width="{cell_w - 2:.1f}" '
                f'height="{cell_h - 2}"/>'
                f'<text class="cell {heat_class(value)}-text" x="{x + cell_w / 2:.1f}" y="{y + 19}" '
                f'text-anchor="middle">{escape(text)}</text>'
            )
    desc = _(
        "Värmekarta med %(rows)s och %(columns)s; mörkare ruta = högre täckning. "
        "Samma siffror finns i tabellen.",
        rows=ngettext("%(num)s rad", "%(num)s rader", len(row_labels)),
        columns=ngettext("%(num)s kolumn", "%(num)s kolumner", len(col_labels)),
    )
    return _svg(chart_id, title, desc, height, body, "heat-map")
