"""What HR and managers see: a rule's preview, my unit with filters and reminders, a session."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.fixtures import login

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}


def test_hr_creates_a_requirement_and_sees_its_preview(page, axe, town):
    login(page, "hr@k.se", PASSWORD, axe)
    axe(page)
    page.goto("/admin/")
    axe(page)
    page.get_by_role("link", name="Krav: vem ska gå vilken kurs").click()
    axe(page)
    page.get_by_role("link", name="Ny regel").click()
    axe(page)
    page.get_by_label("Kurs", exact=True).select_option(label="Grundkurs")
    page.get_by_label("Chefer", exact=True).check()  # a rule names groups
    page.get_by_label("Enhetskod").fill("SOC")
    page.get_by_label("Rättslig grund").fill("Arbetsmiljölagen 3 kap. 2 a §")
    page.get_by_role("button", name="Förhandsgranska").click()
    page.wait_for_load_state("load")
    expect(page.get_by_text("Regeln når 1 person (räknat")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Socialförvaltningen")).to_be_visible()
    axe(page)
    page.get_by_role("button", name="Spara regeln").click()
    page.wait_for_load_state("load")
    expect(page.get_by_text("Regeln är sparad.")).to_be_visible()
    axe(page)


def test_manager_filters_overdue_and_sends_a_reminder(page, axe, town, smtp_server):
    login(page, "chef@k.se", PASSWORD, axe)
    axe(page)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Min enhet").click()
    axe(page)
    page.get_by_role("link", name="Barn och familj").first.click()
    page.wait_for_load_state("load")
    table = page.get_by_role("table", name="medarbetare")
    expect(table.get_by_text("Anna Ek")).to_be_visible()
    expect(page.get_by_text("Vera Vik")).to_have_count(0)  # another unit
    axe(page)
    page.get_by_label("Status").select_option("overdue")
    page.get_by_role("button", name="Visa", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]status=overdue(&|$)"))
    expect(page.get_by_role("row", name="Bo Al")).to_be_visible()
    expect(page.get_by_text("Anna Ek")).to_have_count(0)
    axe(page)
    page.get_by_role("button", name="Påminn Bo Al").click()
    page.wait_for_load_state("load")
    expect(page.get_by_text("Påminnelse skickad till 1 person.")).to_be_visible()
    assert [m.rcpt_tos for m in smtp_server.messages] == [["bo@k.se"]]
    axe(page)
    page.get_by_role("link", name="Bo Al").click()
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", name="Bo Al")).to_be_visible()
    axe(page)


def test_a_registered_session_makes_its_attendees_complete(page, axe, town):
    login(page, "chef@k.se", PASSWORD, axe)
    axe(page)
    page.goto(f"/enheter/{town['bof'].id}")
    axe(page)
    page.get_by_role("link", name="Registrera ett tillfälle").click()
    page.wait_for_load_state("load")
    axe(page)
    page.get_by_label("Kurs", exact=True).select_option(label="Grundkurs")
    page.get_by_label("Datum").fill(date.today().isoformat())
    page.get_by_label("Plats").fill("Stora salen")
    page.get_by_label("Bo Al").check()
    page.get_by_role("button", name="Registrera tillfället").click()
    page.wait_for_load_state("load")
    expect(page.get_by_text("registrerat med 1 deltagare")).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Bo Al").click()
    page.wait_for_load_state("load")
    expect(page.get_by_text("Utbildningstillfälle").first).to_be_visible()
    expect(page.get_by_role("table", name="Status i dag").get_by_text("Genomförd")).to_be_visible()
    axe(page)


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_unit_page_on_a_phone_by_keyboard(page, axe, town):
    login(page, "head@k.se", PASSWORD, axe)
    axe(page)
    page.goto(f"/enheter/{town['soc'].id}")
    axe(page)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    page.get_by_label("Status").focus()
    page.keyboard.press("Tab")
    expect(page.locator("#kurs")).to_be_focused()
