"""Issue 18 in a browser: HR chooses a course and an administration on "Vad har
utbildningen gett?", reads the figures and the definitions, opens the free text; axe on every
page, at phone and desktop width; the page is screenshot for a person to look at."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.fixtures import login
from tests.reports.conftest import town  # noqa: F401
from tests.reports.test_evaluation import effect  # noqa: F401

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.mark.parametrize("page", [PHONE, DESKTOP], indirect=True)
def test_hr_reads_what_the_training_gave(page, axe, effect):  # noqa: F811
    login(page, "hr@test.example", PASSWORD, axe)
    axe(page)
    page.goto("/rapporter/")
    axe(page)
    page.get_by_role("navigation", name="Rapporter", exact=True).get_by_role(
        "link", name="Vad har utbildningen gett?"
    ).click()
    expect(page.get_by_role("heading", name="Vad har utbildningen gett?", level=1)).to_be_visible()
    axe(page)
    page.get_by_label("Kurs", exact=True).select_option(label="Grundkurs")
    page.get_by_label("Förvaltning", exact=True).select_option(label="Socialförvaltningen")
    page.get_by_role("button", name="Visa").click()
    table = page.get_by_role(
        "table", name="Kunskap före och efter per lärandemål – Grundkurs, Socialförvaltningen"
    )
    expect(table).to_be_visible()
    row = table.get_by_role("row", name="hur man agerar")
    expect(row).to_contain_text("42,9")  # 3 of 7 before
    expect(row).to_contain_text("85,7")  # 6 of 7 after
    axe(page)
    expect(page.get_by_role("term").filter(has_text="Färre än 5 svar")).to_be_visible()
    if os.environ.get("SCREENSHOT_DIR"):
        width = page.viewport_size["width"]
        page.screenshot(path=f"{os.environ['SCREENSHOT_DIR']}/effekt-{width}.png", full_page=True)
    page.get_by_label("Förvaltning", exact=True).select_option(label="Utbildningsförvaltningen")
    page.get_by_role("button", name="Visa").click()
    expect(page.get_by_text("färre än 5 svar").first).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Läs fritextsvaren om Grundkurs").click()
    expect(page.get_by_text("Bra exempel från förskolan")).to_be_visible()
    axe(page)
