"""HTML to tagged PDF (WeasyPrint): the one way Värna writes a PDF.

A PDF is a Jinja template rendered to HTML and laid out by WeasyPrint as PDF/UA-1: a
structure tree (headings, paragraphs, tables with header cells, figures with their alt
text), the document's language and title (shown as the window title), embedded fonts.
The status report and the certificate use it (app/reports/pdf.py, app/learning/certificate.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app
from weasyprint import HTML

FONT_DIR = Path(__file__).resolve().parent / "static" / "fonts"


def render(template: str, **context: Any) -> bytes:
    """`template` (which extends pdf/base.html and sets `lang` and `title`) as tagged PDF.

    The template is rendered without the request's context processors, so a command
    (`flask reports send-status`) makes the same PDF as a page does.
    """
    html = current_app.jinja_env.get_template(template).render(
        font_dir=FONT_DIR.as_uri(), **context
    )
    return HTML(string=html, base_url=str(FONT_DIR)).write_pdf(pdf_variant="pdf/ua-1")
