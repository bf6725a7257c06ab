"""Language of parts (WCAG 3.1.2) and reflow (1.4.10) in a browser, at 1280 and 320 px.

The English interface is taken through a Swedish-only course and through the English
variant of the base course. On every page a language walk reads each text node's nearest
`lang`: interface strings must be in the interface's language, course text in the
course's. axe-core on every page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import expect

from app.courses.loader import load_course
from tests.conftest import PASSWORD
from tests.e2e.fixtures import login
from tests.factories import REPO_COURSES

pytestmark = pytest.mark.e2e

SIZES = [{"width": 1280, "height": 900}, {"width": 320, "height": 800}]
CATALOGUE = Path(__file__).parents[2] / "app" / "translations" / "en" / "LC_MESSAGES"

WALK = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.replace(/\\s+/g, " ").trim();
    if (!text || n.parentElement.closest("script, style")) continue;
    out.push([text, n.parentElement.closest("[lang]").lang]);
  }
  return out;
}"""


def _english_interface_strings() -> set[str]:
    """Every English interface text without placeholders, long enough not to be a name."""
    with (CATALOGUE / "messages.po").open("rb") as fh:
        catalogue = read_po(fh)
    found = set()
    for m in catalogue:
        for s in m.string if isinstance(m.string, tuple) else (m.string,):
            if (
                s
                and "%" not in s
                and len(s) > 4
                and s != (m.id[0] if isinstance(m.id, tuple) else m.id)
            ):
                found.add(s)
    return found


UI_EN = _english_interface_strings()


def _course_strings(variant: dict) -> set[str]:
    """What the course itself says, as it appears in single text nodes."""
    texts = {variant["title"], variant["summary"], variant["content_warning"]}
    texts |= {m["title"] for m in variant["modules"]}
    for m in variant["modules"]:
        for b in m["blocks"]:
            if b["type"] == "check":
                texts.add(b["question"])
                texts |= {o["text"] for o in b["options"]} | {o["feedback"] for o in b["options"]}
    for q in variant["quiz"]["questions"]:
        texts |= {q["text"], q.get("scenario") or q["text"]}
        texts |= {o["text"] for o in q["options"]} | {o["feedback"] for o in q["options"]}
    return {" ".join(t.split()) for t in texts}


def _walk(page) -> list[tuple[str, str]]:
    # "– feedback" on the result page: the dash belongs to the layout, not the text.
    return [(re.sub(r"^– ", "", t), lang) for t, lang in page.evaluate(WALK)]


def check_languages(page, *, course: set[str], course_lang: str) -> None:
    """Interface strings under lang="en", course text under the course's lang; no sideways scroll."""
    expect(page.locator("html")).to_have_attribute("lang", "en")
    wrong = []
    seen_course = 0
    for text, lang in _walk(page):
        if text in course:
            seen_course += 1
            if lang != course_lang:
                wrong.append((text, lang, course_lang))
        elif text in UI_EN and lang != "en":
            wrong.append((text, lang, "en"))
    assert not wrong, f"{page.url}: (text, lang, expected) {wrong}"
    assert seen_course, f"{page.url}: no course text found by the walk"
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways: {width}"


def lang_of(locator) -> str:
    return locator.evaluate("e => e.closest('[lang]').lang")


def _english(page, axe) -> None:
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state("load")
    axe(page)


def _through_the_course(page, axe, variant: dict, course_lang: str) -> None:
    """From the course page to the result, checking the language of every page."""
    course = _course_strings(variant)
    check_languages(page, course=course, course_lang=course_lang)
    page.get_by_role("button", name="I have read this – start the course").click()
    axe(page)
    page.get_by_role("button", name="Skip and start the course").click()  # the pre-test
    axe(page)
    modules = variant["modules"]
    for n in range(1, len(modules) + 1):
        check_languages(page, course=course, course_lang=course_lang)
        if n == 1:  # a check question answered: feedback in the course's language, verdict in ours
            form = page.locator("form.check").first
            expect(form.get_by_text("Check question:")).to_be_visible()
            assert lang_of(form.get_by_text("Check question:")) == "en"
            form.get_by_role("radio").or_(form.get_by_role("checkbox")).first.check()
            form.get_by_role("button", name="Check the answer").click()
            axe(page)
            verdict = page.locator("form.check").first.get_by_role("status").locator("strong")
            assert lang_of(verdict) == "en"
            check_languages(page, course=course, course_lang=course_lang)
        last = n == len(modules)
        page.get_by_role("button", name="Done – go to the test" if last else "Next module").click()
        axe(page)
    check_languages(page, course=course, course_lang=course_lang)
    page.get_by_role("button", name="Start the test").click()
    axe(page)
    # The questions drawn for this attempt (draw_per_objective), as the page shows them.
    groups = page.locator("fieldset[id^='fraga-']").all()
    number = page.get_by_text(f"Question 1 of {len(groups)}", exact=True)
    assert lang_of(number) == "en"
    check_languages(page, course=course, course_lang=course_lang)
    for group in groups:
        group.get_by_role("radio").or_(group.get_by_role("checkbox")).first.check()
    page.get_by_role("button", name="Submit the test").click()
    axe(page)
    expect(page.get_by_role("heading", name="Result", level=1)).to_be_visible()
    assert lang_of(page.get_by_text("Question 1:", exact=True)) == "en"
    check_languages(page, course=course, course_lang=course_lang)


@pytest.mark.parametrize("page", SIZES, indirect=True)
def test_english_interface_through_a_swedish_only_course(page, axe, make):
    folder = REPO_COURSES / "upptacka-fraga-agera"
    content = load_course(folder).content
    make.synced_course(folder)
    make.employee(unit=make.unit("Socialtjänsten"), email="sam@k.se", first_name="Sam")
    login(page, "sam@k.se", PASSWORD, axe)
    axe(page)
    _english(page, axe)

    # Min utbildning: the Swedish course card in the English page says it is Swedish.
    main = content["variants"]["sv"]
    card = page.locator(".course-cards .card").filter(has_text=main["title"])
    assert lang_of(card.get_by_role("link", name=main["title"])) == "sv"
    assert lang_of(card.get_by_text(" ".join(main["summary"].split()))) == "sv"
    assert lang_of(card.get_by_text(re.compile(r"about \d+ minutes"))) == "en"
    card.get_by_role("link", name=main["title"]).click()
    axe(page)

    # The course page: sources and support contacts are Swedish and say so; the
    # built-in helpline is in English.
    sources = page.locator("ul.sources")
    expect(sources).to_have_attribute("lang", "sv")
    support = page.get_by_role("complementary", name="Support and help")
    helpline = support.get_by_role("listitem").filter(has_text="020-50 50 50")
    expect(helpline).to_contain_text("Day and night, free and anonymous.")
    assert lang_of(helpline) == "en"
    for item in support.get_by_role("listitem").all()[1:]:
        assert lang_of(item) == "sv", item.inner_text()
    expect(page.locator("ol li").filter(has_text=re.compile("^Test$"))).to_have_attribute(
        "lang", "en"
    )

    _through_the_course(page, axe, main, "sv")


@pytest.mark.parametrize("page", SIZES, indirect=True)
def test_english_interface_through_the_english_course(page, axe, make):
    folder = REPO_COURSES / "grundkurs"
    content = load_course(folder).content
    english = content["variants"]["en"]
    make.synced_course(folder)
    make.employee(unit=make.unit("Hemtjänst Norr"), email="ola@k.se", first_name="Ola")
    login(page, "ola@k.se", PASSWORD, axe)
    axe(page)
    _english(page, axe)
    page.get_by_role("link", name=content["variants"]["sv"]["title"]).click()
    axe(page)
    page.get_by_role("group", name="Choose language").get_by_label("English", exact=True).check()
    # Before starting, the course page follows the main (Swedish) course; the choice is made here.
    page.get_by_role("button", name="I have read this – start the course").click()
    axe(page)
    page.get_by_role("link", name=english["title"]).click()
    axe(page)

    # The crisis contacts: the English course's own entries, in English, not the Swedish ones.
    support = page.get_by_role("complementary", name="Support and help")
    for contact in english["support"]:
        item = support.get_by_role("listitem").filter(has_text=contact["phone"])
        expect(item).to_contain_text(" ".join(contact["text"].split()))
        assert lang_of(item) == "en"
    expect(support).not_to_contain_text("Dygnet runt")
    expect(support).not_to_contain_text("Polisen vid akut fara")
    expect(support.get_by_role("listitem")).to_have_count(len(english["support"]))

    course = _course_strings(english)
    check_languages(page, course=course, course_lang="en")
    page.get_by_role("link", name=re.compile("Continue where you left off")).click()
    axe(page)
    page.get_by_role("button", name="Skip and start the course").click()  # the pre-test
    axe(page)
    modules = english["modules"]
    for n in range(1, len(modules) + 1):
        check_languages(page, course=course, course_lang="en")
        if n == len(modules):
            # A Swedish word in the English course text is marked as Swedish.
            word = page.locator(".course-text").get_by_text("orosanmälan", exact=True)
            assert lang_of(word) == "sv"
            table = page.get_by_role("region", name="Support lines outside the municipality")
            assert lang_of(table.get_by_text("Välj att sluta", exact=True)) == "sv"
        page.get_by_role(
            "button", name="Done – go to the test" if n == len(modules) else "Next module"
        ).click()
        axe(page)
    check_languages(page, course=course, course_lang="en")
    page.get_by_role("button", name="Start the test").click()
    axe(page)
    check_languages(page, course=course, course_lang="en")


@pytest.mark.parametrize("page", [{"width": 320, "height": 800}], indirect=True)
def test_the_helpline_table_scrolls_in_its_own_region_at_320_px(page, axe, make, tmp_path):
    make.synced_course(REPO_COURSES / "grundkurs")
    make.employee(unit=make.unit("Hemtjänst Norr"), email="ola@k.se", first_name="Ola")
    login(page, "ola@k.se", PASSWORD, axe)
    axe(page)
    page.get_by_role("link", name=re.compile("Grundkurs")).first.click()
    axe(page)
    page.get_by_role("button", name="Jag har läst – starta kursen").click()
    axe(page)
    page.get_by_role("button", name="Hoppa över och börja kursen").click()  # the pre-test
    axe(page)
    for _ in range(4):
        page.get_by_role("button", name="Nästa modul").click()
        axe(page)
    expect(page.get_by_role("heading", name="Vart vänder jag mig?", level=1)).to_be_visible()

    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width}"
    region = page.get_by_role("region", name="Stödtelefoner utanför kommunen")
    table = region.get_by_role("table", name="Stödtelefoner utanför kommunen")
    expect(table).to_be_visible()
    expect(table.get_by_role("columnheader", name="för vem")).to_be_attached()
    wide = region.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert wide[0] > wide[1], "the table should be wider than its region at 320 px"

    # Reachable by keyboard (a tab stop of its own), and the arrow keys scroll it.
    page.get_by_role("heading", name="Vart vänder jag mig?", level=1).click()
    for _ in range(40):
        page.keyboard.press("Tab")
        if region.evaluate("e => e === document.activeElement"):
            break
    expect(region).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("e => e.scrollLeft > 0", arg=region.element_handle())
    page.screenshot(path=str(tmp_path / "reflow-320.png"), full_page=True)
