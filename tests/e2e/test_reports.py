"""Reports in a browser: axe-clean, charts with their tables, keyboard, phone, masking."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.e2e.fixtures import login
from tests.reports.conftest import town  # noqa: F401

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}


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
    assert chart.get_attribute("role") == "img"
    assert "Socialförvaltningen" in chart.locator("desc").text_content()
    assert page.get_by_role("table", name="Täckning per förvaltning (tabell till diagrammet)")


def test_status_report_prints_on_a4_and_reads_alone(page, axe, town):  # noqa: F811
    login(page, "hr@test.example", PASSWORD, axe)
    axe(page)  # the start page after login
    page.goto("/rapporter/lagesrapport")
    axe(page)
    for heading in ["Sammanfattning", "Vilka utbildningar finns", "Om siffrorna"]:
        assert page.get_by_role("heading", name=heading).count() == 1
    assert page.get_by_text("Hur långt har arbetet kommit?").is_visible()
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    assert not page.locator(".report-nav").is_visible()


def test_keyboard_reaches_drill_down(page, axe, town):  # noqa: F811
    login(page, "hr@test.example", PASSWORD, axe)
    axe(page)  # the start page after login
    page.goto("/rapporter/")
    axe(page)
    link = page.get_by_role("link", name="Socialförvaltningen").first
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/rapporter/enhet/**")
    axe(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Socialförvaltningen"


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_reporter_on_a_phone_sees_small_groups_masked(page, axe, town):  # noqa: F811
    login(page, "rapport@test.example", PASSWORD, axe)
    axe(page)  # the start page after login
    page.goto("/rapporter/")
    axe(page)
    assert page.get_by_text("färre än 5").first.is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1  # nothing but the table regions scrolls sideways
    page.goto("/rapporter/lagesrapport")
    axe(page)
