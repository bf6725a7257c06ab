"""The status report as an A4 PDF (fpdf2, DejaVu Sans for å, ä, ö and the rest)."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from app import labels
from app.labels import format_share
from app.reports.services import Cell, StatusReport, Target

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
SYSTEM_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
BRAND = (75, 29, 107)


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
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, f"{self.footer_text} · sida {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0, 0, 0)


def _cov(cell: Cell) -> str:
    return cell.figure.full


def _gap(cell: Cell, target: Target | None) -> str:
    return cell.gap(target)


def status_report_pdf(
    report: StatusReport,
    *,
    municipality: str,
) -> bytes:
    # A file that leaves Värna: Swedish names, whatever the reader's language.
    level_labels = labels.swedish(labels.LEVEL_GROUP)
    prevention_labels = labels.swedish(labels.PREVENTION)
    day = report.on.isoformat()
    doc = _Doc(f"Värna – {municipality} – lägesrapport {day}")
    doc.add_page()
    width = doc.epw

    def heading(text: str, size: int = 13) -> None:
        doc.ln(2)
        doc.set_font("DejaVu", "B", size)
        doc.set_text_color(*BRAND)
        doc.multi_cell(width, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        doc.set_text_color(0, 0, 0)
        doc.set_font("DejaVu", "", 10)

    def para(text: str, size: int = 10) -> None:
        doc.set_font("DejaVu", "", size)
        doc.multi_cell(width, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        doc.ln(1)

    def table(headers: list[str], rows: list[list[str]], widths: list[float]) -> None:
        doc.set_font("DejaVu", "", 8.5)
        with doc.table(
            col_widths=widths, text_align="LEFT", line_height=4.6, first_row_as_headings=True
        ) as t:
            row = t.row()
            for h in headers:
                row.cell(h)
            for values in rows:
                row = t.row()
                for v in values:
                    row.cell(v)
        doc.ln(2)

    t = report.target
    target = t.share if t else None
    doc.set_font("DejaVu", "", 9)
    doc.cell(0, 5, f"{municipality} · Lägesrapport till kommunstyrelsen · {day}")
    doc.ln(7)
    heading("Utbildning i att förebygga mäns våld mot kvinnor – läget " + day, 16)
    para(
        "Kommunfullmäktige beslutade i december 2022 att kommunens anställda på alla nivåer ska "
        "utbildas i att förebygga mäns våld mot kvinnor, våld i nära relationer, hedersrelaterat "
        "våld och förtryck samt sexuella trakasserier. Rapporten visar den delen av arbetet i "
        "siffror: vilka utbildningar som finns, hur många som har genomfört dem per förvaltning "
        "och nivå, och hur det har förändrats över tid."
    )

    heading("1. Sammanfattning")
    total = report.total
    required = sum(1 for line in report.catalogue if line.required)
    text = (
        f"Hur ser arbetet ut i dag? Det finns {len(report.catalogue)} kurser, varav {required} "
        "krävs av någon personalgrupp. "
    )
    if total.counts.total:
        text += (
            f"Av {total.counts.total} utbildningskrav är {total.counts.covered} uppfyllda "
            f"({format_share(total.coverage)}); {total.counts.overdue} är försenade och "
            f"{total.counts.expired} har gått ut. {total.people} personer omfattas."
        )
    para(text)
    text = "Hur långt har arbetet kommit? "
    if report.since_start:
        first, last = report.since_start
        text += (
            f"Sedan första mätningen {first.day.isoformat()} har täckningen gått från "
            f"{format_share(first.counts.coverage)} till {format_share(last.counts.coverage)}. "
        )
    if t:
        text += (
            f"Målet är {format_share(t.share)}"
            + (f" senast {t.by.isoformat()}" if t.by else "")
            + ". "
        )
        text += _gap(total, t).capitalize() + "."
    text += f" {report.sessions.sessions} lärarledda tillfällen har hållits."
    para(text)

    heading("2. Vilka utbildningar finns, för vilka nivåer")
    rows = []
    for line in report.catalogue:
        if not line.required:
            who = "krävs inte (frivillig)"
        elif line.all_levels:
            who = "alla nivåer"
        else:
            who = ", ".join(level_labels[lvl] for lvl in line.levels)
        if line.restricted:
            who += " (vissa enheter eller yrken)"
        rows.append(
            [
                line.course.title,
                ", ".join(prevention_labels.get(p, p) for p in line.course.prevention_levels),
                who,
                f"{line.course.valid_months} mån" if line.course.valid_months else "tills vidare",
            ]
        )
    table(["Kurs", "Förebyggande nivå", "Krävs av", "Giltighet"], rows, [60, 40, 50, 24])

    heading("3. Per förvaltning, mot målet")
    _bars(doc, report, target)
    rows = [[row.label, _cov(row.total), _gap(row.total, target)] for row in report.matrix.rows]
    rows.append(["Hela kommunen", _cov(total), _gap(total, target)])
    table(["Förvaltning", "Täckning", "Mot målet"], rows, [70, 55, 49])

    heading("4. Per nivå, mot målet")
    rows = [
        [
            level_labels[lvl],
            _cov(report.matrix.columns[lvl]),
            _gap(report.matrix.columns[lvl], target),
        ]
        for lvl in report.matrix.levels
    ]
    table(["Nivå", "Täckning", "Mot målet"], rows, [70, 55, 49])
    para("Förvaltning × nivå (andel uppfyllda krav):", 9)
    headers = ["Förvaltning", *[level_labels[lvl] for lvl in report.matrix.levels], "Alla"]
    rows = []
    for row in [*report.matrix.rows]:
        rows.append(
            [
                row.label,
                *[_short(row.cells[lvl]) for lvl in report.matrix.levels],
                _short(row.total),
            ]
        )
    table(headers, rows, [54, 24, 24, 24, 24, 24])

    heading("5. Per förebyggande nivå och per kurs")
    rows = [[prevention_labels[lvl], _cov(c)] for lvl, c in report.per_prevention]
    table(["Förebyggande nivå", "Täckning"], rows, [90, 84])
    rows = [
        [
            course.title,
            _cov(c),
            c.count(c.counts.overdue, masked_text="–").text,
        ]
        for course, c in report.per_course
    ]
    table(["Kurs", "Täckning", "Försenade"], rows, [90, 60, 24])

    heading("6. Utveckling sedan start")
    if report.monthly:
        rows = [
            [p.day.isoformat() + (" *" if p.rebuilt else ""), format_share(p.counts.coverage)]
            for p in report.monthly
        ]
        table(["Mätdag (sista i månaden)", "Täckning"], rows, [90, 84])
        para("* uppbyggd i efterhand ur genomförandedatumen med dagens organisation.", 8)
    else:
        para("Inga mätningar ännu.")

    heading("7. Lärarledda utbildningstillfällen")
    s = report.sessions
    if s.sessions:
        para(
            f"{s.sessions} tillfällen har hållits mellan {s.first} och {s.last} med sammanlagt "
            f"{s.attendances} deltaganden ({s.people} personer)."
        )
        table(
            ["Kurs eller tillfälle", "Tillfällen", "Deltaganden"],
            [[line.title, str(line.sessions), str(line.attendances)] for line in s.lines],
            [110, 32, 32],
        )
    else:
        para("Inga lärarledda tillfällen är registrerade ännu.")

    heading("8. Om siffrorna")
    para(f"Alla siffror gäller {day} och är hämtade ur Värna. {report.definition}", 9)
    if report.masks_small:
        para("Grupper med färre än 5 personer visas som ”färre än 5”.", 9)
    return bytes(doc.output())


def _short(cell: Cell) -> str:
    return cell.figure.short


def _bars(doc: _Doc, report: StatusReport, target: float | None) -> None:
    """Coverage per administration as drawn bars (the table below has the same numbers)."""
    label_w, bar_w, row_h = 62, 90, 6
    x0 = doc.l_margin
    doc.set_font("DejaVu", "", 8)
    for row in report.matrix.rows:
        if doc.will_page_break(row_h):
            doc.add_page()
        y = doc.get_y()
        doc.set_xy(x0, y)
        doc.cell(label_w, row_h, row.label[:38])
        doc.set_fill_color(235, 232, 240)
        doc.rect(x0 + label_w, y + 1, bar_w, row_h - 2, style="F")
        value = row.total.figure.value
        if value is not None:
            doc.set_fill_color(*BRAND)
            doc.rect(x0 + label_w, y + 1, max(bar_w * value, 0.3), row_h - 2, style="F")
            doc.set_xy(x0 + label_w + bar_w + 2, y)
            doc.cell(20, row_h, format_share(value))
        if target is not None:
            doc.set_draw_color(164, 22, 26)
            tx = x0 + label_w + bar_w * target
            doc.line(tx, y, tx, y + row_h)
            doc.set_draw_color(0, 0, 0)
        doc.set_y(y + row_h)
    doc.ln(2)
