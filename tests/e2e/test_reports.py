"""Reports in a browser: axe-clean, charts with their tables, keyboard, phone, masking."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.fixtures import login
from tests.reports.conftest import town  # noqa: F401

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def test_hr_reads_every_report_page(page, axe, town):  # noqa: F811
    login(page, "hr@test.example", PASSWORD, axe)
    axe(page)  # the start page after login
    for url in [
        "/rapporter/",
        "/rapporter/kurser",
        "/rapporter/forebyggande-niva",
        f"/rapporter/enhet/{town['soc'].id}",
        "/rapporter/trend",
        "/rapporter/utan-genomford",
        "/rapporter/lagesrapport",
        "/rapporter/mal",
        "/rapporter/export",
        "/admin/api-nycklar/",
    ]:
        page.goto(url)
        axe(page)
    page.goto("/rapporter/")
    axe(page)
    chart = page.locator("svg#bars")
    expect(chart).to_have_attribute("role", "img")
    expect(chart.locator("desc")).to_contain_text("Socialförvaltningen")
    table = page.get_by_role("table", name="Täckning per förvaltning (tabell till diagrammet)")
    expect(table).to_be_visible()
    expect(table.get_by_role("rowheader", name="Socialförvaltningen")).to_be_visible()


def test_status_report_prints_on_a4_and_reads_alone(page, axe, town):  # noqa: F811
    login(page, "hr@test.example", PASSWORD, axe)
    axe(page)  # the start page after login
    page.goto("/rapporter/lagesrapport")
    axe(page)
    for heading in ["Sammanfattning", "Vilka utbildningar finns", "Om siffrorna"]:
        expect(page.get_by_role("heading", name=heading)).to_have_count(1)
    expect(page.get_by_text("Hur långt har arbetet kommit?")).to_be_visible()
    nav = page.get_by_role("navigation", name="Rapporter", exact=True)
    expect(nav).to_be_visible()  # on screen; the print check below must not pass for lack of it
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    expect(nav).to_be_hidden()


def test_keyboard_reaches_drill_down(page, axe, town):  # noqa: F811
    login(page, "hr@test.example", PASSWORD, axe)
    axe(page)  # the start page after login
    page.goto("/rapporter/")
    axe(page)
    link = page.get_by_role("link", name="Socialförvaltningen").first
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/rapporter/enhet/"))
    axe(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Socialförvaltningen")


@pytest.mark.parametrize("page", [PHONE, DESKTOP], indirect=True)
def test_reporter_sees_small_groups_masked(page, axe, town):  # noqa: F811
    """The reporter's pages (H1): masked figures, whole-municipality course figures, no units."""
    login(page, "rapport@test.example", PASSWORD, axe)
    axe(page)  # the start page after login
    page.goto("/rapporter/")
    axe(page)
    expect(page.get_by_text("färre än 5").first).to_be_visible()
    expect(page.get_by_text("sista dagen i en tidigare månad")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1  # only the table regions scroll sideways
    for url, heading in [
        ("/rapporter/kurser", "Täckning per kurs, hela kommunen"),
        ("/rapporter/forebyggande-niva", "Täckning per förebyggande nivå, hela kommunen"),
    ]:
        page.goto(url)
        axe(page)
        expect(page.get_by_role("table", name=heading)).to_be_visible()
    page.goto(f"/rapporter/enhet/{town['soc'].id}")
    axe(page)
    expect(page.get_by_text("Rapportläsare ser siffrorna per förvaltning")).to_be_visible()
    page.goto("/rapporter/lagesrapport")
    axe(page)
