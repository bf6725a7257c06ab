"""A sign-in letter in a real browser, on a phone and a desktop: the manager ticks a person
without an e-mail address on the unit page and prints the letter (a PDF download); the person
opens the QR code's address, keeps the code filled in, chooses a password and is logged in;
afterwards they log in with their employee number. axe on every page."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests import pdfcheck
from tests.conftest import PASSWORD
from tests.e2e.fixtures import login

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
SIZES = [pytest.param(PHONE, id="375"), pytest.param(DESKTOP, id="1280")]
CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
NEW_PASSWORD = "kaffe och kanelbullar i köket"


@pytest.fixture
def sara(town, make):
    person = make.employee(unit=town["bof"], first_name="Sara", last_name="Kock", password=None)
    person.email = None
    db.session.commit()
    return person


def _screenshot(page, name: str) -> None:
    """To look at: full pages under VARNA_SCREENSHOTS, if set."""
    folder = os.environ.get("VARNA_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        width = page.viewport_size["width"]
        page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, f"sidan är {width} px bred"


@pytest.mark.parametrize("page", SIZES, indirect=True)
def test_print_a_letter_then_redeem_it_and_log_in_by_employee_number(page, axe, sara):
    # the manager prints the letter from the unit page
    login(page, "chef@k.se", PASSWORD, axe)
    axe(page)
    page.get_by_role("link", name="Min enhet").first.click()
    axe(page)
    if page.get_by_role("heading", name="Barn och familj", level=1).count() == 0:
        page.get_by_role("link", name="Barn och familj").first.click()
        axe(page)
    page.get_by_label("Inloggningsbrev till Sara Kock").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Skriv ut inloggningsbrev för valda").click()
    body = download.value.path().read_bytes()
    assert download.value.suggested_filename.startswith("inloggningsbrev-")
    text = pdfcheck.text(body)
    assert "Sara Kock" in text
    (code,) = CODE.findall(text)
    page.reload()
    axe(page)
    letters = page.get_by_role("table", name="Giltiga inloggningsbrev som inte har använts")
    expect(letters.get_by_role("row", name=re.compile("Sara Kock"))).to_be_visible()
    page.get_by_role("heading", name="Inloggningsbrev").scroll_into_view_if_needed()
    _screenshot(page, "letters-unit-page")
    page.get_by_role("button", name="Logga ut").click()
    axe(page)

    # the person opens the QR code's address: the code is filled in
    page.goto(f"/logga-in/kod?kod={code}")
    axe(page)
    expect(page.get_by_label("Kod från inloggningsbrevet")).to_have_value(code)
    _no_sideways_scroll(page)
    _screenshot(page, "letters-code")
    page.get_by_role("button", name="Fortsätt").click()
    expect(page.get_by_role("heading", name="Välj lösenord")).to_be_visible()
    axe(page)
    expect(page.get_by_text(sara.employee_number).first).to_be_visible()
    _no_sideways_scroll(page)
    _screenshot(page, "letters-password")
    page.get_by_label("Välj lösenord").fill(NEW_PASSWORD)
    page.get_by_label("Upprepa lösenordet").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Spara lösenord").click()
    expect(page.get_by_text("Ditt lösenord är sparat och du är inloggad.")).to_be_visible()
    axe(page)
    expect(page.get_by_role("heading", name="Min utbildning")).to_be_visible()
    page.get_by_role("button", name="Logga ut").click()
    axe(page)

    # the code works once; a used one gets the neutral answer, announced in the error summary
    page.get_by_role("link", name="Har du fått ett inloggningsbrev?").click()
    axe(page)
    page.get_by_label("Kod från inloggningsbrevet").fill(code.lower())
    page.get_by_role("button", name="Fortsätt").click()
    expect(page.get_by_role("alert")).to_contain_text("Koden gäller inte")
    axe(page)
    _screenshot(page, "letters-refused")

    # from now on: the employee number and the password
    page.get_by_role("link", name="Tillbaka till inloggningen").click()
    axe(page)
    page.get_by_label("E-postadress eller anställningsnummer").fill(sara.employee_number)
    page.get_by_label("Lösenord").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Min utbildning")).to_be_visible()
    axe(page)
