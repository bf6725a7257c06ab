"""What a person sees: login per role, navigation, error pages; axe-clean, keyboard, phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.fixtures import login

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def people(make):
    root = make.unit("Exempelby kommun")
    soc = make.unit("Socialförvaltningen", parent=root, kind="förvaltning")
    unit = make.unit("Barn och familj", parent=soc)
    return {
        "medarbetare": make.employee(unit=unit, email="medarbetare@k.se", first_name="Mia"),
        "enhetschef": make.employee(
            unit=unit, level="chef", email="chef@k.se", first_name="Cesar", manages=(unit,)
        ),
        "förvaltningschef": make.employee(
            unit=soc, level="ledning", email="head@k.se", first_name="Hedda", manages=(soc,)
        ),
        "HR": make.employee(unit=root, email="hr@k.se", first_name="Hanna", is_hr=True),
        "rapportläsare": make.employee(
            unit=root, email="rapport@k.se", first_name="Rut", is_reporter=True
        ),
    }


EXPECTED_NAV = {
    "medarbetare": ["Min utbildning"],
    "enhetschef": ["Min utbildning", "Min enhet", "Rapporter"],
    "förvaltningschef": ["Min utbildning", "Min enhet", "Rapporter"],
    "HR": ["Min utbildning", "Min enhet", "Rapporter", "Administration"],
    "rapportläsare": ["Min utbildning", "Rapporter"],
}


@pytest.mark.parametrize("role", EXPECTED_NAV)
def test_each_role_logs_in_and_visits_its_pages(page, axe, people, role):
    page.goto("/")
    axe(page)  # the login page (redirected to)
    login(page, people[role].email, PASSWORD)
    expect(page.get_by_role("heading", name="Min utbildning")).to_be_visible()
    nav = page.get_by_role("navigation", name="Huvudmeny")
    expect(nav.get_by_role("list").get_by_role("link")).to_have_text(EXPECTED_NAV[role])
    axe(page)
    for label in EXPECTED_NAV[role][1:]:
        nav.get_by_role("link", name=label).click()
        page.wait_for_load_state("load")
        expect(nav.get_by_role("link", name=label)).to_have_attribute("aria-current", "page")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        axe(page)


def test_wrong_password_is_told_without_saying_which(page, axe, people):
    login(page, "medarbetare@k.se", "helt-fel-losenord", axe)
    expect(page.get_by_text("Fel e-postadress, anställningsnummer eller lösenord.")).to_be_visible()
    axe(page)


def test_error_pages_are_swedish_and_accessible(page, axe, people):
    login(page, "medarbetare@k.se", PASSWORD, axe)
    axe(page)
    response = page.goto("/finns-inte")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Sidan finns inte")).to_be_visible()
    axe(page)
    response = page.goto("/admin/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Du har inte behörighet")).to_be_visible()
    axe(page)


def test_keyboard_only_login_and_skip_link(page, axe, people):
    page.goto("/logga-in")
    axe(page)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Hoppa till innehållet", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # from the top of the content to the first field
    expect(page.locator("#email")).to_be_focused()
    page.keyboard.type("chef@k.se")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Min utbildning")).to_be_visible()
    axe(page)


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_on_a_phone_nothing_scrolls_sideways(page, axe, people):
    login(page, "hr@k.se", PASSWORD, axe)
    axe(page)
    for path in ("/admin/personal", "/enheter/"):
        page.goto(path)
        axe(page)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0


def test_my_data_and_password_pages(page, axe, people):
    login(page, "medarbetare@k.se", PASSWORD, axe)
    axe(page)
    page.get_by_role("link", name="Mina uppgifter").click()
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", name="Mina uppgifter")).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Byt lösenord").click()
    page.wait_for_load_state("load")
    page.get_by_label("Nuvarande lösenord").fill(PASSWORD)
    page.get_by_label("Nytt lösenord").fill("kort")
    page.get_by_label("Upprepa det nya lösenordet").fill("kort")
    page.get_by_role("button", name="Byt lösenord").click()
    page.wait_for_load_state("load")
    expect(page.get_by_text("minst 12 tecken").first).to_be_visible()
    axe(page)


def test_forgotten_password_page(page, axe, people):
    page.goto("/logga-in")
    axe(page)
    page.get_by_role("link", name="Glömt lösenordet?").click()
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", name="Glömt lösenordet")).to_be_visible()
    axe(page)
    page.get_by_label("E-postadress").fill("medarbetare@k.se")
    page.get_by_role("button", name="Skicka länk").click()
    page.wait_for_load_state("load")
    expect(page.get_by_text("Om adressen hör till ett konto")).to_be_visible()
    axe(page)
