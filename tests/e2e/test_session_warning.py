"""The idle limit in a real browser (issue 20, point 1, WCAG 2.2.1): a warning with the
focus on "Fortsätt" before the end, and a half-answered quiz that survives the end.
The limit is short in these tests, or the session cookie is made older: nobody waits
for real minutes. axe-core on every page, with the warning open too."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.fixtures import login
from tests.e2e.test_learning import read_through

pytestmark = pytest.mark.e2e

PHONE = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def mia(make):
    make.synced_course()
    return make.employee(email="mia@k.se", first_name="Mia", last_name="Ek")


def _idle_for(page, app, seconds: int) -> None:
    """Make the browser's session cookie `seconds` older, as if the person had paused."""
    context = page.context
    name = app.config.get("SESSION_COOKIE_NAME", "session")
    cookie = next(c for c in context.cookies() if c["name"] == name)
    serializer = app.session_interface.get_signing_serializer(app)
    data = serializer.loads(cookie["value"])
    data["seen"] -= seconds
    context.add_cookies([{**cookie, "value": serializer.dumps(data)}])


@pytest.mark.parametrize("page", [PHONE, DESKTOP], indirect=True)
def test_the_warning_comes_before_the_end_and_fortsatt_keeps_the_session(
    page, axe, app, monkeypatch, mia
):
    login(page, "mia@k.se", PASSWORD, axe)
    axe(page)
    page.goto("/kurser/example-intro")
    axe(page)
    page.get_by_role("button", name="Jag har läst – starta kursen").click()
    expect(page.get_by_role("heading", name="Välkommen", level=1)).to_be_visible()
    # From now on the warning comes 3 s after a page loads: a 60-second limit, warned
    # 57 s before.
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 1)
    monkeypatch.setitem(app.config, "SESSION_WARNING_SECONDS", 57)
    page.reload()

    warning = page.get_by_role("alertdialog", name="Vill du fortsätta?")
    expect(warning).to_be_visible()
    expect(warning.get_by_role("button", name="Fortsätt")).to_be_focused()
    expect(warning).to_match_aria_snapshot(
        """
        - alertdialog "Vill du fortsätta?":
          - heading "Vill du fortsätta?" [level=2]
          - paragraph: Du har inte varit aktiv på en stund. Om 1 minut loggas du ut. Välj ”Fortsätt” för att vara kvar.
          - paragraph:
            - button "Fortsätt"
        """
    )
    assert warning.get_attribute("aria-describedby") == "session-warning-text"
    expect(warning.get_by_role("button", name="Stäng")).to_be_hidden()
    # A modal dialog: the page behind is inert, Tab reaches nothing of it (Chromium lets
    # the focus go to the browser itself, then back to the dialog).
    page.keyboard.press("Tab")
    assert page.evaluate(
        "() => { const a = document.activeElement, d = document.getElementById('session-warning');"
        " return a === document.body || d.contains(a); }"
    )
    warning.get_by_role("button", name="Fortsätt").focus()
    axe(page)  # with the warning open

    with page.expect_response("**/konto/fortsatt") as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 204
    expect(warning).to_be_hidden()

    # The warning comes again after the next quiet spell; this time the session has ended
    # before the answer: the warning says so, and the page stays as it was.
    expect(warning).to_be_visible()
    _idle_for(page, app, 61)
    with page.expect_response("**/konto/fortsatt") as answer:
        page.keyboard.press("Escape")
    assert answer.value.status == 401
    expect(warning.get_by_text("Du har redan loggats ut.")).to_be_visible()
    expect(warning.get_by_role("button", name="Stäng")).to_be_focused()
    page.keyboard.press("Enter")
    expect(warning).to_be_hidden()

    # "Nästa modul" now: the login, then back on the module, not on a 405.
    page.get_by_role("button", name="Nästa modul").click()
    axe(page)
    expect(
        page.get_by_text("Du loggades ut eftersom du inte varit aktiv på 1 minut.")
    ).to_be_visible()
    page.get_by_label("E-postadress").fill("mia@k.se")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    axe(page)
    expect(page).to_have_url("/kurser/example-intro/moduler/1")
    expect(page.get_by_role("heading", name="Välkommen", level=1)).to_be_visible()


@pytest.mark.parametrize("page", [PHONE, DESKTOP], indirect=True)
def test_a_half_answered_quiz_survives_the_end_of_the_session(page, axe, app, mia):
    login(page, "mia@k.se", PASSWORD, axe)
    axe(page)
    page.goto("/kurser/example-intro")
    axe(page)
    read_through(page, axe)
    page.get_by_role("button", name="Starta provet").click()
    axe(page)
    page.get_by_label("Var du är i kursen").check()
    page.get_by_label("Göra om provet").check()

    _idle_for(page, app, app.config["SESSION_IDLE_MINUTES"] * 60 + 1)
    quiz_address = page.url
    page.get_by_role("button", name="Lämna in provet").click()
    axe(page)
    expect(
        page.get_by_text("Du loggades ut eftersom du inte varit aktiv på 30 minuter.")
    ).to_be_visible()
    expect(page.get_by_text("Det du skickade är sparat")).to_be_visible()
    page.get_by_label("E-postadress").fill("mia@k.se")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    axe(page)

    assert page.url == quiz_address
    expect(page.get_by_text("Dina svar finns kvar.")).to_be_visible()
    expect(page.get_by_label("Var du är i kursen")).to_be_checked()
    expect(page.get_by_label("Göra om provet")).to_be_checked()
    expect(page.get_by_label("Kursens namn")).not_to_be_checked()
