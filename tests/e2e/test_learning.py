"""An employee takes the example course in a real browser: resume, keyboard-only quiz,
certificate, public verification, retake after failing. axe-core on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.fixtures import login

pytestmark = pytest.mark.e2e

RIGHT = {"q1": ["a"], "q2": ["a", "b"], "q3": ["a"]}
WRONG = {"q1": ["b"], "q2": ["c"], "q3": ["b"]}
COURSE = "Exempelkurs: så fungerar en kurs i Värna"


@pytest.fixture
def mia(make):
    course = make.synced_course()
    unit = make.unit("Barn och familj")
    make.requirement(course, levels=("medarbetare",), due_days=60)
    return make.employee(unit=unit, email="mia@k.se", first_name="Mia", last_name="Ek")


def _active(page) -> dict:
    return page.evaluate(
        "() => { const e = document.activeElement; return {name: e.name || '', type: e.type"
        " || '', value: e.value || '', checked: !!e.checked, text: (e.textContent || '').trim()};}"
    )


def answer_with_keyboard(page, answers: dict[str, list[str]]) -> None:
    """Tab to each question; arrows and space choose, exactly as a keyboard user would."""
    pending = dict(answers)
    for _ in range(400):
        if not pending:
            return
        el = _active(page)
        qid = el["name"][2:] if el["name"].startswith("q-") else None
        if qid in pending:
            wanted = pending.pop(qid)
            if el["type"] == "radio":
                for _ in range(10):
                    el = _active(page)
                    if el["value"] == wanted[0]:
                        if not el["checked"]:
                            page.keyboard.press("Space")
                        break
                    page.keyboard.press("ArrowDown")
                page.keyboard.press("Tab")
            else:
                while el["name"] == f"q-{qid}":
                    if (el["value"] in wanted) != el["checked"]:
                        page.keyboard.press("Space")
                    page.keyboard.press("Tab")
                    el = _active(page)
            continue
        page.keyboard.press("Tab")
    raise AssertionError(f"kom inte åt frågorna {sorted(pending)} med tangentbordet")


def press_button(page, label: str) -> None:
    for _ in range(200):
        if _active(page)["text"] == label:
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"knappen {label!r} nås inte med tangentbordet")


def read_through(page, axe) -> None:
    """From the course page: accept the warning and read both modules."""
    page.get_by_role("button", name="Jag har läst – starta kursen").click()
    axe(page)
    page.get_by_role("button", name="Nästa modul").click()
    axe(page)
    page.get_by_role("button", name="Klar – till provet").click()
    axe(page)


def test_take_resume_pass_by_keyboard_certificate_and_verify(page, axe, mia):
    page.goto("/")
    axe(page)  # login
    login(page, "mia@k.se", PASSWORD)
    axe(page)
    required = page.get_by_role("region", name="Utbildningar som krävs av dig")
    expect(required.get_by_text("Försenad")).to_be_visible()  # required since 2024, never done
    required.get_by_role("link", name=re.compile("Starta")).click()
    axe(page)
    expect(page.get_by_role("heading", name="Innan du börjar")).to_be_visible()
    quick_exit = page.get_by_role("link", name="Lämna sidan snabbt")
    expect(quick_exit).to_have_attribute("href", "https://www.google.se")
    assert quick_exit.get_attribute("target") is None
    expect(
        page.get_by_role("complementary", name="Stöd och hjälp").get_by_text("020-50 50 50").first
    ).to_be_visible()

    page.get_by_role("button", name="Jag har läst – starta kursen").click()
    axe(page)
    expect(page.get_by_role("heading", name="Välkommen", level=1)).to_be_visible()
    expect(page.get_by_text("Modul 1 av 2")).to_be_visible()
    page.get_by_label("Du fortsätter där du var nästa gång").check()
    page.get_by_role("button", name="Kontrollera svaret").click()
    axe(page)
    expect(page.get_by_role("status").get_by_text("Rätt!")).to_be_visible()
    page.get_by_role("button", name="Nästa modul").click()
    axe(page)
    expect(page.get_by_role("heading", name="Provet och intyget")).to_be_visible()

    # Leave mid-way, come back later: the course opens where it was left.
    page.get_by_role("button", name="Logga ut").click()
    axe(page)
    login(page, "mia@k.se", PASSWORD)
    page.get_by_role("link", name=re.compile("Fortsätt")).first.click()
    axe(page)
    page.get_by_role("link", name="Fortsätt där du var: modul 2 av 2").click()
    axe(page)
    expect(page.get_by_role("heading", name="Provet och intyget")).to_be_visible()
    expect(page.get_by_text("Modul 2 av 2")).to_be_visible()
    page.get_by_role("button", name="Klar – till provet").click()
    axe(page)

    # The quiz, keyboard only.
    press_button(page, "Starta provet")
    axe(page)
    answer_with_keyboard(page, RIGHT)
    press_button(page, "Lämna in provet")
    axe(page)
    expect(page.get_by_text("Godkänd", exact=True)).to_be_visible()
    expect(page.get_by_text("Du hade 100 % rätt.")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner intyget (PDF)").click()
    pdf = download.value
    assert pdf.suggested_filename.startswith("intyg-example-intro-")
    with open(pdf.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    expect(page.locator(".code")).to_have_text(re.compile(r"^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$"))
    code = page.locator(".code").inner_text()

    page.get_by_role("link", name="Till Min utbildning").click()
    axe(page)
    required = page.get_by_role("region", name="Utbildningar som krävs av dig")
    expect(required.get_by_role("cell", name="Genomförd")).to_be_visible()

    # Anyone can check the code, logged in or not; the page shows nothing else.
    page.get_by_role("button", name="Logga ut").click()
    axe(page)
    page.goto("/verifiera")
    axe(page)
    page.get_by_label("Kontrollkod").fill(code)
    page.get_by_role("button", name="Kontrollera").click()
    axe(page)
    expect(page.get_by_role("heading", name="Intyget är giltigt")).to_be_visible()
    expect(page.get_by_text("Mia Ek")).to_be_visible()
    expect(page.get_by_text(COURSE)).to_be_visible()
    expect(page.get_by_text("mia@k.se")).to_have_count(0)


def test_a_failed_attempt_can_be_retaken(page, axe, mia):
    login(page, "mia@k.se", PASSWORD, axe)
    axe(page)
    page.goto("/kurser/example-intro")
    axe(page)
    read_through(page, axe)
    page.get_by_role("button", name="Starta provet").click()
    axe(page)
    for qid, values in WRONG.items():
        for value in values:
            page.locator(f"#q-{qid}-{value}").check()
    page.get_by_role("button", name="Lämna in provet").click()
    axe(page)
    expect(page.get_by_text("Inte godkänd", exact=True)).to_be_visible()
    expect(page.get_by_text("Du hade 0 % rätt.")).to_be_visible()
    first_url = page.url
    page.get_by_role("button", name="Gör om provet").click()
    axe(page)
    expect(page).not_to_have_url(first_url)
    answer_with_keyboard(page, RIGHT)
    press_button(page, "Lämna in provet")
    axe(page)
    expect(page.get_by_text("Godkänd", exact=True)).to_be_visible()
