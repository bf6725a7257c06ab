"""The status report as an A4 PDF (fpdf2, DejaVu Sans for å, ä, ö and the rest).

One generic writer: the report's sections as prepared by reports.services (heading, key
figures, paragraphs, tables, basis) in the page's order. Nothing is decided here.
"""

from __future__ import annotations

from pathlib import Path

from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from app.reports.services import Figure, Section, Shown, StatusReport, Table

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
SYSTEM_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
BRAND = (75, 29, 107)
WHITE = (255, 255, 255)
MUTED = (90, 90, 90)
PAD = 1.2  # mm inside a table cell


def _font(name: str) -> str:
    for folder in (FONT_DIR, SYSTEM_FONT_DIR):
        if (folder / name).exists():
            return str(folder / name)
    raise FileNotFoundError(f"typsnittet {name} saknas i {FONT_DIR}")


class _Doc(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4", unit="mm")
        self.footer_text = footer_text
        self.add_font("DejaVu", "", _font("DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", _font("DejaVuSans-Bold.ttf"))
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=18)
        self.set_title("Lägesrapport")
        self.set_lang("sv")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"{self.footer_text} · sida {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0, 0, 0)

    def heading(self, text: str, size: float = 13) -> None:
        self.ln(2)
        self.set_font("DejaVu", "B", size)
        self.set_text_color(*BRAND)
        self.multi_cell(self.epw, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)

    def para(self, text: str, *, lead: str = "", size: float = 10, muted: bool = False) -> None:
        self.set_font("DejaVu", "", size)
        if muted:
            self.set_text_color(*MUTED)
        if lead:
            self.set_font("DejaVu", "B", size)
            self.write(5, lead + " ")
            self.set_font("DejaVu", "", size)
            self.write(5, text)
            self.ln(5)
        else:
            self.multi_cell(self.epw, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)
        self.ln(1)

    def table_of(self, table: Table) -> None:
        if table.title:
            self.heading(table.title, 11)
        if self.will_page_break(25):  # keep the caption with its table's first rows
            self.add_page()
        self.para(table.caption, size=9, muted=True)
        lines = [[_text(c) for c in row] for row in table.rows]
        if table.foot:
            lines.append([_text(c) for c in table.foot])
        align = tuple("RIGHT" if i in table.numeric else "LEFT" for i in range(len(table.headers)))
        self.set_font("DejaVu", "", 8.5)
        self.set_fill_color(*WHITE)
        with self.table(
            col_widths=self._widths(table.headers, lines),
            width=self.epw,
            text_align=align,
            line_height=4.6,
            padding=PAD,
            headings_style=FontFace(emphasis="BOLD", color=WHITE, fill_color=BRAND),
            cell_fill_mode="NONE",
        ) as t:
            t.row(table.headers)
            for line in lines:
                t.row(line)
            if not table.rows:
                t.row().cell(
                    table.empty or _("Inga rader."), colspan=len(table.headers), align="LEFT"
                )
        self.ln(2)

    def _widths(self, headers: list[str], lines: list[list[str]]) -> list[float]:
        """Room for every column's longest word (headers never break mid-word), the rest shared
        by how much each column would like beyond that."""
        least, wish = [], []
        for i, header in enumerate(headers):
            self.set_font("DejaVu", "B", 8.5)
            words = [self.get_string_width(w) for w in header.split(" ")]
            whole = [self.get_string_width(header)]
            self.set_font("DejaVu", "", 8.5)
            for line in lines:
                words += [self.get_string_width(w) for w in line[i].split(" ")]
                whole.append(self.get_string_width(line[i]))
            least.append(max(words, default=0) + 2 * PAD + 1)
            wish.append(max(max(whole) + 2 * PAD + 1, least[-1]))
        room = self.epw - sum(least)
        extra = [w - m for w, m in zip(wish, least, strict=True)]
        if room <= 0:
            return [m * self.epw / sum(least) for m in least]
        if sum(extra) <= room:  # everything fits on one line: give the slack to the first column
            widths = list(wish)
            widths[0] += self.epw - sum(wish)
            return widths
        return [m + room * e / sum(extra) for m, e in zip(least, extra, strict=True)]


def _text(cell: Shown) -> str:
    if isinstance(cell, Figure) and cell.detail:  # wrap before "(", never inside "(7 av 11)"
        return f"{cell.text} ({cell.detail})".replace(" av ", "\u00a0av\u00a0")
    return cell.text if isinstance(cell, Figure) else str(cell)


def status_report_pdf(report: StatusReport, *, municipality: str) -> bytes:
    day = report.on.isoformat()
    doc = _Doc(f"Värna – {municipality} – lägesrapport {day}")
    doc.add_page()
    doc.set_font("DejaVu", "", 9)
    doc.cell(0, 5, f"{municipality} · {report.kicker} · {day}")
    doc.ln(7)
    doc.heading(report.title, 16)
    doc.para(report.intro)
    for section in report.sections:
        _section(doc, section, report)
    return bytes(doc.output())


def _section(doc: _Doc, section: Section, report: StatusReport) -> None:
    doc.heading(section.heading)
    for value, text in section.facts:
        doc.para(text, lead=_text(value))
    for p in section.paragraphs:
        doc.para(p.text, lead=p.lead)
    if section.chart == "bars":
        _bars(doc, report)
    for table in section.tables:
        doc.table_of(table)
    if section.basis:
        doc.para(section.basis, size=8, muted=True)


def _bars(doc: _Doc, report: StatusReport) -> None:
    """Coverage per administration as drawn bars (the table below has the same figures)."""
    label_w, bar_w, row_h = 62, 90, 6
    x0 = doc.l_margin
    target = report.target.share if report.target else None
    doc.set_font("DejaVu", "", 8)
    for row in report.matrix.rows:
        if doc.will_page_break(row_h):
            doc.add_page()
        y = doc.get_y()
        doc.set_xy(x0, y)
        doc.cell(label_w, row_h, row.label[:38])
        doc.set_fill_color(235, 232, 240)
        doc.rect(x0 + label_w, y + 1, bar_w, row_h - 2, style="F")
        figure = row.total.figure
        if figure.value is not None:
            doc.set_fill_color(*BRAND)
            doc.rect(x0 + label_w, y + 1, max(bar_w * figure.value, 0.3), row_h - 2, style="F")
        doc.set_xy(x0 + label_w + bar_w + 2, y)
        doc.cell(20, row_h, figure.text)
        if target is not None:
            doc.set_draw_color(164, 22, 26)
            tx = x0 + label_w + bar_w * target
            doc.line(tx, y, tx, y + row_h)
            doc.set_draw_color(0, 0, 0)
        doc.set_y(y + row_h)
    doc.set_fill_color(*WHITE)  # fpdf's table() fills with the current colour
    doc.ln(2)
