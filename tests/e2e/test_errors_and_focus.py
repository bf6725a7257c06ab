"""Errors a screen-reader user cannot miss (issue 20, points 2, 3 and 6): after a failed
submit the page title starts with "Fel:", focus is on the error summary (or a check's
feedback), each error links to its field, and the quiz summary names the questions that
really are unanswered. On course pages the quick exit is the first tab stop and its hint
is its description; the result page has no landmark per answer. At 320 and 1280 px, with
axe on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app import dates
from tests.conftest import PASSWORD
from tests.e2e.fixtures import login
from tests.factories import REPO_COURSES

pytestmark = pytest.mark.e2e

NARROW = {"width": 320, "height": 700}
DESKTOP = {"width": 1280, "height": 900}
SIZES = [pytest.param(NARROW, id="320"), pytest.param(DESKTOP, id="1280")]
ERROR_TITLE = re.compile("^Fel: ")
QUICK_EXIT_HINT = (
    "Tar dig direkt till Google. Det du gjort i kursen är sparat. Använd ett privat fönster "
    "på en dator som du delar med någon: då sparas inte sidorna i webbläsarens historik."
)


@pytest.fixture
def ola(make):
    course = make.synced_course(REPO_COURSES / "grundkurs")
    unit = make.unit("Hemtjänst Norr")
    make.requirement(course, levels=("medarbetare",), due_days=60)
    return make.employee(unit=unit, email="ola@k.se", first_name="Ola", last_name="Berg")


def _summary(page):
    return page.locator("[data-error-summary]")


@pytest.mark.parametrize("page", SIZES, indirect=True)
def test_quiz_gaps_in_odd_places_checks_and_the_quick_exit(page, axe, ola):
    login(page, "ola@k.se", PASSWORD, axe)
    axe(page)
    page.goto("/kurser/grundkurs")
    axe(page)

    # The quick exit comes before everything else, the skip link included, and its hint
    # is read with it.
    page.keyboard.press("Tab")
    quick_exit = page.get_by_role("link", name="Lämna sidan snabbt")
    expect(quick_exit).to_be_focused()
    expect(quick_exit).to_have_accessible_description(QUICK_EXIT_HINT)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Hoppa till innehållet")).to_be_focused()

    page.get_by_role("button", name="Jag har läst – starta kursen").click()
    axe(page)
    expect(page).not_to_have_title(ERROR_TITLE)
    page.get_by_role("button", name="Hoppa över och börja kursen").click()  # the pre-test
    axe(page)

    # A check answered with nothing: the feedback is an error, focused and in the title.
    page.get_by_role("button", name="Kontrollera svaret").first.click()
    axe(page)
    feedback = page.locator("form.check").first.get_by_role("status")
    expect(feedback).to_have_text("Välj ett svar först.")
    expect(feedback).to_be_focused()
    expect(page).to_have_title(ERROR_TITLE)
    # Answered: the verdict is focused, and it is not an error.
    page.locator("form.check").first.locator("input[name=svar]").first.check()
    page.get_by_role("button", name="Kontrollera svaret").first.click()
    axe(page)
    feedback = page.locator("form.check").first.get_by_role("status")
    expect(feedback).to_contain_text(re.compile("Rätt!|Inte riktigt."))
    expect(feedback).to_be_focused()
    expect(page).not_to_have_title(ERROR_TITLE)

    for _ in range(4):
        page.get_by_role("button", name="Nästa modul").click()
        axe(page)
    page.get_by_role("button", name="Klar – till provet").click()
    axe(page)
    page.get_by_role("button", name="Starta provet").click()
    axe(page)
    expect(page).not_to_have_title(ERROR_TITLE)

    # The quiz draws its questions per attempt (draw_per_objective): read them off the page.
    ids = [
        fieldset.get_attribute("id").removeprefix("fraga-")
        for fieldset in page.locator("fieldset[id^='fraga-']").all()
    ]
    total = len(ids)
    assert total >= 5

    # Questions 1 and 3 answered: the summary names the others, each linked to that
    # question's first choice.
    for n in (1, 3):
        page.locator(f"#q-{ids[n - 1]}-a").check()
    page.get_by_role("button", name="Lämna in provet").click()
    axe(page)
    expect(page).to_have_title(ERROR_TITLE)
    summary = _summary(page)
    expect(summary).to_be_focused()
    missing = [n for n in range(1, total + 1) if n not in (1, 3)]
    # the choices are shuffled: each link goes to the question's first choice as shown
    first = {
        n: page.locator(f"#fraga-{ids[n - 1]} input").first.get_attribute("id") for n in missing
    }
    expect(summary).to_match_aria_snapshot(
        "- alert:\n"
        '  - heading "Svara på alla frågor" [level=2]\n'
        "  - list:\n"
        + "".join(
            f'    - listitem:\n      - link "Fråga {n} saknar svar":\n'
            f'        - /url: "#{first[n]}"\n'
            for n in missing
        )
    )
    for n in missing:
        group = page.get_by_role("group", name=re.compile(f"^Fråga {n} av {total} "))
        expect(group).to_have_accessible_description(re.compile("Välj ett svar\\.$"))
    summary.get_by_role("link", name="Fråga 4 saknar svar").click()
    expect(page.locator(f"#{first[4]}")).to_be_focused()
    expect(page.get_by_role("group", name=re.compile(f"^Fråga 4 av {total} "))).to_be_visible()

    # Answered in full: the result has no landmark per answer.
    for qid in ids:
        page.locator(f"#q-{qid}-a").check()
    page.get_by_role("button", name="Lämna in provet").click()
    axe(page)
    expect(page.get_by_role("heading", name="Dina svar", level=2)).to_be_visible()
    expect(
        page.get_by_role("heading", name=re.compile(f"^Fråga {total}: "), level=3)
    ).to_be_visible()
    expect(page.get_by_role("region")).to_have_count(0)
    expect(page).not_to_have_title(ERROR_TITLE)


@pytest.mark.parametrize("page", SIZES, indirect=True)
def test_login_and_password_errors_are_focused_titled_and_linked(page, axe, make):
    make.employee(email="eva@k.se", first_name="Eva")
    page.goto("/logga-in")
    axe(page)
    page.keyboard.press("Tab")  # no quick exit outside the course pages
    expect(page.get_by_role("link", name="Hoppa till innehållet")).to_be_focused()
    page.get_by_role("button", name="Logga in").click()
    axe(page)
    expect(page).to_have_title(ERROR_TITLE)
    summary = _summary(page)
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Lösenord: Fyll i ditt lösenord.").click()
    expect(page.get_by_label("Lösenord")).to_be_focused()

    page.get_by_label("E-postadress").fill("eva@k.se")
    page.get_by_label("Lösenord").fill("fel-losenord-helt-enkelt")
    page.get_by_role("button", name="Logga in").click()
    axe(page)
    expect(page).to_have_title(ERROR_TITLE)
    expect(page.get_by_role("alert")).to_have_text(
        "Fel e-postadress, anställningsnummer eller lösenord."
    )
    expect(page.get_by_role("alert")).to_be_focused()

    login(page, "eva@k.se", PASSWORD)
    axe(page)
    expect(page).not_to_have_title(ERROR_TITLE)
    page.goto("/konto/losenord")
    axe(page)
    page.get_by_label("Nuvarande lösenord").fill("inte-mitt-losenord")
    page.get_by_role("button", name="Byt lösenord").click()
    axe(page)
    expect(page).to_have_title(ERROR_TITLE)
    summary = _summary(page)
    expect(summary).to_be_focused()
    summary.get_by_role("link", name=re.compile("^Nytt lösenord: ")).click()
    expect(page.get_by_label("Nytt lösenord")).to_be_focused()


@pytest.mark.parametrize("page", SIZES, indirect=True)
def test_session_form_errors_are_focused_titled_and_linked(page, axe, make):
    course = make.synced_course()
    unit = make.unit("Hemtjänst Syd")
    make.employee(unit=unit, first_name="Kim")
    make.employee(email="chef@k.se", manages=(unit,))
    login(page, "chef@k.se", PASSWORD, axe)
    axe(page)
    page.goto(f"/enheter/{unit.id}/tillfallen/nytt")
    axe(page)
    expect(page).not_to_have_title(ERROR_TITLE)
    page.get_by_label("Kurs", exact=True).select_option(str(course.id))
    page.get_by_label("Datum").fill("")
    page.get_by_role("button", name="Registrera tillfället").click()
    axe(page)
    expect(page).to_have_title(ERROR_TITLE)
    summary = _summary(page)
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Datum: Ange ett datum.").click()
    expect(page.get_by_label("Datum")).to_be_focused()

    # Problems found on registering (no attendee) are in the same kind of summary.
    page.get_by_label("Datum").fill(dates.today().isoformat())
    page.get_by_role("button", name="Registrera tillfället").click()
    axe(page)
    expect(page).to_have_title(ERROR_TITLE)
    summary = _summary(page)
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Inget registrerades")
    # … and linked to their field: no attendee ticked leads to the first box of the list
    summary.get_by_role("link", name="Välj minst en deltagare.").click()
    expect(page.get_by_label(re.compile("^Kim "))).to_be_focused()
