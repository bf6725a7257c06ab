"""The status report PDF as the executive board and a screen reader get it: tagged PDF/UA with
title, language and embedded fonts; every word legible against what it is drawn on (the
bars' fill once covered every table after the chart, 1.69:1); headers not split mid-word.

Page 1 goes to build/test-artefacts/status-report.png, to look at.
"""

from __future__ import annotations

import io

import pypdf
import pytest
from weasyprint import HTML

from app.extensions import db
from app.reports import services
from tests import pdfcheck


@pytest.fixture
def report_pdf(client, auth, town, make, app_ctx):
    # a long administration name and a target, so the chart draws every element
    make.unit("Vård- och omsorgsförvaltningen", parent=town["root"], kind="förvaltning", code="VO")
    services.set_target(db.session, percent=80, by=None, actor=None)
    db.session.commit()
    auth.login("hr@test.example")
    response = client.get("/rapporter/lagesrapport.pdf")
    assert response.status_code == 200
    return response.data


def test_the_status_report_is_tagged_in_swedish_with_its_title_and_fonts(report_pdf):
    found = pdfcheck.structure(report_pdf)
    assert found["tagged"]
    assert found["marked"]
    assert found["lang"] == "sv"
    assert found["title"].startswith("Utbildning i att förebygga")
    assert found["display_title"]  # the viewer shows the title, not the file name
    for kind in ("/H1", "/H2", "/Table", "/TH", "/TD", "/Caption"):
        assert kind in found["types"], kind
    assert found["fonts"]
    assert all(embedded for _, embedded in found["fonts"]), found["fonts"]


def test_the_status_report_text_is_extractable_with_swedish_letters(report_pdf):
    text = pdfcheck.text(report_pdf)
    assert "Socialförvaltningen" in text
    assert "Vård- och omsorgsförvaltningen" in text
    assert "Förtroendevalda" in text  # a column header, whole: not "Förtroendev alda"
    assert "Täckning" in text
    assert "målet" in text


def test_every_word_of_the_status_report_is_legible(report_pdf):
    pages = len(pypdf.PdfReader(io.BytesIO(report_pdf)).pages)
    pdfcheck.save_first_page(report_pdf, "status-report")
    for index in range(pages):
        words = pdfcheck.word_contrasts(report_pdf, index)
        assert len(words) > 20
        poor = [(w, round(c, 2)) for w, c in words if c < 4.5]
        assert poor == [], f"page {index + 1}: {poor}"


def test_the_legibility_check_sees_black_text_on_the_bars_purple():
    """The defect the check is for: a table cell filled with the bars' purple, text black."""
    html = (
        '<html lang="sv"><body><table><tr><td style="background:#4b1d6b;color:#000">'
        "Socialförvaltningen 63,6 %</td><td>Utbildningsförvaltningen</td></tr></table></body></html>"
    )
    words = dict(pdfcheck.word_contrasts(HTML(string=html).write_pdf()))
    assert words["Socialförvaltningen"] < 1.8  # 1.69:1, as the review measured
    assert words["Utbildningsförvaltningen"] > 15
