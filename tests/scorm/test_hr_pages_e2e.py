"""HR's "Köpta kurser (SCORM)" in a browser: a refused package, an upload, the settings;
axe-clean, at phone and desktop width. Screenshots go to VARNA_SCREENSHOTS if set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.fixtures import login
from tests.scorm import packages

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def _screenshot(page, name: str) -> None:
    folder = os.environ.get("VARNA_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        width = page.viewport_size["width"]
        page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize(
    "page", [pytest.param(PHONE, id="375"), pytest.param(DESKTOP, id="1280")], indirect=True
)
def test_hr_uploads_a_package_and_fills_in_its_details(page, axe, make, tmp_path):
    make.employee(unit=make.unit(), email="hr@k.se", is_hr=True)
    login(page, "hr@k.se", PASSWORD, axe)
    axe(page)
    page.goto("/admin/")
    axe(page)
    page.get_by_role("link", name="Köpta kurser (SCORM)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Köpta kurser (SCORM)")
    axe(page)

    # A package with its manifest in a folder: refused, and the summary says where it is.
    broken = packages.build_zip(
        tmp_path / "kurs.zip", {"kurs/imsmanifest.xml": "<manifest/>", "kurs/index.html": "x"}
    )
    page.get_by_label("SCORM-paket (zip)").set_input_files(str(broken))
    page.get_by_role("button", name="Läs in paketet").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Paketet lästes inte in")
    expect(summary).to_contain_text("”kurs/imsmanifest.xml”")
    expect(summary).to_be_focused()
    expect(page).to_have_title(_starts_with("Fel: "))
    axe(page)
    _screenshot(page, "scorm-refused")

    page.get_by_label("SCORM-paket (zip)").set_input_files(str(packages.multi_sco(tmp_path)))
    page.get_by_role("button", name="Läs in paketet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tre delar om trygghet")
    expect(page.get_by_role("status").first).to_contain_text("Ny kurs: Tre delar om trygghet")
    axe(page)

    page.get_by_label("Sammanfattning").fill("Tre korta delar om trygghet på jobbet.")
    page.get_by_label("Ungefärlig tid i minuter").fill("20")
    page.get_by_role("group", name="Målgrupp").get_by_label("Medarbetare").check()
    page.get_by_role("group", name="Preventionsnivå").get_by_label("Främjande (universell)").check()
    page.get_by_label("Giltighet i månader").fill("36")
    page.get_by_label("Innehållsvarning").fill("Kursen tar upp hot och våld.")
    page.get_by_label("Stödkontakter").fill("Kvinnofridslinjen | 020-50 50 50 | Dygnet runt")
    page.get_by_role("button", name="Spara uppgifterna").click()
    expect(page.get_by_role("status").first).to_have_text("Uppgifterna är sparade.")
    expect(page.get_by_label("Giltighet i månader")).to_have_value("36")
    expect(page.get_by_role("group", name="Målgrupp").get_by_label("Medarbetare")).to_be_checked()
    versions = page.get_by_role("region", name="Versioner")
    expect(versions.get_by_role("rowheader", name="1.0")).to_be_visible()
    expect(versions).to_contain_text("Del 1, Del 2, Del 3")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    axe(page)
    _screenshot(page, "scorm-settings")

    page.get_by_role("link", name="Köpta kurser (SCORM)").click()
    listing = page.get_by_role("region", name="Inlästa paket")
    expect(listing.get_by_role("link", name="Tre delar om trygghet")).to_be_visible()
    expect(listing).to_contain_text("1.2")
    axe(page)
    _screenshot(page, "scorm-list")


def _starts_with(prefix: str):
    import re

    return re.compile("^" + re.escape(prefix))
