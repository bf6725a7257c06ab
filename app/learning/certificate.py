"""A certificate per completion as PDF (fpdf2), with the DejaVu font shipped in app/static/fonts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fpdf import FPDF

FONTS = Path(__file__).resolve().parent.parent / "static" / "fonts"


@dataclass(frozen=True)
class CertificateData:
    name: str
    course: str
    version: str | None
    completed_on: date
    expires_on: date | None
    code: str
    verify_url: str
    municipality: str
    source_label: str


def certificate_pdf(data: CertificateData) -> bytes:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(f"Intyg – {data.course}")
    pdf.set_author(data.municipality)
    pdf.set_creator("Värna")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    pdf.set_margins(25, 25, 25)
    pdf.set_y(35)
    pdf.set_draw_color(75, 29, 107)
    pdf.set_line_width(1.2)
    pdf.rect(12, 12, 186, 273)

    pdf.set_font("DejaVu", "", 12)
    pdf.cell(0, 8, data.municipality, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.set_font("DejaVu", "B", 28)
    pdf.cell(0, 14, "Intyg", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("DejaVu", "", 13)
    pdf.cell(0, 8, "Härmed intygas att", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 20)
    pdf.multi_cell(0, 11, data.name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 13)
    pdf.cell(0, 8, "har genomfört", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(0, 9, data.course, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(12)

    rows = []
    if data.version:
        rows.append(("Kursversion", data.version))
    rows.append(("Datum", data.completed_on.isoformat()))
    rows.append(("Källa", data.source_label))
    rows.append(
        ("Giltigt till", data.expires_on.isoformat() if data.expires_on else "Tills vidare")
    )
    rows.append(("Kontrollkod", data.code))
    for label, value in rows:
        pdf.set_x(45)
        pdf.set_font("DejaVu", "", 12)
        pdf.cell(45, 8, label)
        pdf.set_font("DejaVu", "B", 12)
        pdf.cell(0, 8, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(14)
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(
        0,
        6,
        f"Intyget kan kontrolleras med kontrollkoden på {data.verify_url}",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
