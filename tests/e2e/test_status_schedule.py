"""HR's page for the monthly status report by e-mail, by keyboard, on a phone and a desktop."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.fixtures import login
from tests.reports.conftest import town  # noqa: F401

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.mark.parametrize("page", [PHONE, DESKTOP], indirect=True)
def test_hr_sets_the_monthly_mailing_from_the_status_report(page, axe, town):  # noqa: F811
    login(page, "hr@test.example", PASSWORD, axe)
    axe(page)  # the start page after login
    page.goto("/rapporter/lagesrapport")
    axe(page)
    page.get_by_role("link", name="Skicka med e-post varje månad").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lägesrapporten med e-post")
    axe(page)
    page.get_by_label("Mottagare").fill("ks@kommun.se\ninte en adress")
    page.get_by_label("Dag i månaden").fill("30")
    page.get_by_role("button", name="Spara utskicket").click()
    expect(page.get_by_role("alert")).to_contain_text("”inte en adress” är ingen e-postadress")
    expect(page.get_by_role("alert")).to_contain_text("ange en dag från 1 till 28")
    axe(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1
    page.get_by_label("Mottagare").fill("ks@kommun.se")
    page.get_by_label("Dag i månaden").fill("5")
    page.get_by_label("Dag i månaden").press("Enter")
    expect(page.get_by_text("Utskicket av lägesrapporten är sparat.")).to_be_visible()
    expect(
        page.get_by_text("Rapporten skickas den 5 varje månad till 1 mottagare.")
    ).to_be_visible()
    axe(page)
