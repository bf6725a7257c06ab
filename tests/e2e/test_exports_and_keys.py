"""HR in a browser, on a phone and a desktop: makes a scoped, expiring API key and takes an
export from the form (a POST; the file arrives as a download). axe on every page."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from app import dates
from tests.conftest import PASSWORD
from tests.e2e.fixtures import login
from tests.reports.conftest import town  # noqa: F401

pytestmark = pytest.mark.e2e

SIZES = [{"width": 375, "height": 740}, {"width": 1280, "height": 900}]


@pytest.mark.parametrize("page", SIZES, indirect=True)
def test_hr_makes_a_scoped_expiring_api_key(page, axe, town):  # noqa: F811
    login(page, "hr@test.example", PASSWORD, axe)
    axe(page)
    page.goto("/admin/api-nycklar/")
    axe(page)
    page.get_by_role("button", name="Skapa nyckel").click()  # nothing filled in
    expect(page.get_by_role("alert")).to_contain_text("Välj minst en sak")
    axe(page)
    page.get_by_label("Namn på nyckeln").fill("Skolsystemet")
    page.get_by_label("Täckning per enhet", exact=False).check()
    page.get_by_label("Enhetskod").fill("UTB")
    last_day = dates.add_months(dates.today(), 6).isoformat()
    page.get_by_label("Giltig till och med").fill(last_day)
    page.get_by_role("button", name="Skapa nyckel").click()
    expect(page.locator("code.token")).to_contain_text("varna_")
    axe(page)
    row = page.get_by_role("row", name="Skolsystemet")
    expect(row).to_contain_text(last_day)
    expect(row).to_contain_text("Utbildningsförvaltningen (UTB)")
    expect(row).to_contain_text("aldrig")


@pytest.mark.parametrize("page", SIZES, indirect=True)
def test_hr_takes_an_export_from_the_form(page, axe, town, tmp_path):  # noqa: F811
    login(page, "hr@test.example", PASSWORD, axe)
    axe(page)
    page.goto("/rapporter/export")
    axe(page)
    page.get_by_label("Format").select_option("xlsx")
    page.get_by_label("Enhetskod").fill("SOC")
    with page.expect_download() as info:
        page.get_by_role("button", name="Ladda ned").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.name.endswith(".xlsx")
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][0] == "Anställningsnummer"
    assert len(rows) == 1 + 7  # Socialförvaltningen's completions
