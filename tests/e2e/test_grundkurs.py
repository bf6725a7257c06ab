"""The real base course (courses/grundkurs) taken end to end in a browser, in Swedish, in
English and in the easy-to-read version: content warning, every module with a check
question, the final quiz answered right, the pass, and the completion on Min utbildning.
axe-core on every page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.courses.loader import load_course
from tests.conftest import PASSWORD
from tests.e2e.fixtures import login
from tests.factories import REPO_COURSES

pytestmark = pytest.mark.e2e

GRUNDKURS = REPO_COURSES / "grundkurs"
TITLE = "Grundkurs: våld, makt och trakasserier"
# the variant's key in CourseVersion.content["variants"] -> its label in the language choice
VARIANTS = {"sv": "Svenska", "en": "English", "lattlast": "Lättläst svenska"}


@pytest.fixture(scope="module")
def content() -> dict:
    return load_course(Path(GRUNDKURS)).content


@pytest.fixture
def ola(make):
    course = make.synced_course(GRUNDKURS)
    unit = make.unit("Hemtjänst Norr")
    make.requirement(course, levels=("medarbetare",), due_days=60)
    return make.employee(unit=unit, email="ola@k.se", first_name="Ola", last_name="Berg")


def _check_first_question(page, axe, module: dict) -> None:
    check = next(b for b in module["blocks"] if b["type"] == "check")
    form = page.locator("form.check").first
    group = form.get_by_role("group", name=check["question"])
    right = [o for o in check["options"] if o["correct"]]
    for option in right:
        group.get_by_label(option["text"], exact=True).check()
    form.get_by_role("button", name="Kontrollera svaret").click()
    axe(page)
    status = page.locator("form.check").first.get_by_role("status")
    expect(status.get_by_text("Rätt!")).to_be_visible()
    for option in right:
        expect(status.get_by_text(option["feedback"], exact=True)).to_be_visible()


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_the_base_course_end_to_end(page, axe, ola, content, variant):
    label = VARIANTS[variant]
    body = content["variants"][variant]
    lang = body["language"]
    modules = body["modules"]
    questions = body["quiz"]["questions"]

    login(page, "ola@k.se", PASSWORD, axe)
    axe(page)  # Min utbildning
    expect(page.get_by_role("heading", name="Min utbildning", level=1)).to_be_visible()
    required = page.get_by_role("region", name="Utbildningar som krävs av dig")
    required.get_by_role("link", name=re.compile("Starta")).click()
    axe(page)

    # The course page: the content warning and the choice of language, before anything else.
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Innan du börjar")).to_be_visible()
    expect(
        page.get_by_role("complementary", name="Stöd och hjälp").get_by_text("020-50 50 50").first
    ).to_be_visible()
    page.get_by_role("group", name="Välj språk").get_by_label(label, exact=True).check()
    page.get_by_role("button", name="Jag har läst – starta kursen").click()
    axe(page)
    # The knowledge check before the course (issue 18): skippable.
    expect(page.get_by_role("heading", name="Före kursen: vad vet du redan?")).to_be_visible()
    page.get_by_role("button", name="Hoppa över och börja kursen").click()
    axe(page)

    for n, module in enumerate(modules, start=1):
        heading = page.get_by_role("heading", name=module["title"], level=1)
        expect(heading).to_be_visible()
        expect(heading).to_have_attribute("lang", lang)
        expect(page.locator(".course-text")).to_have_attribute("lang", lang)
        expect(page.get_by_text(f"Modul {n} av {len(modules)}")).to_be_visible()
        expect(page.get_by_role("link", name=body["title"])).to_be_visible()
        _check_first_question(page, axe, module)
        last = n == len(modules)
        page.get_by_role("button", name="Klar – till provet" if last else "Nästa modul").click()
        axe(page)

    expect(page.get_by_role("heading", name="Provet", level=1)).to_be_visible()
    # One question per objective is drawn for each attempt (draw_per_objective).
    per_objective = body["quiz"].get("draw_per_objective")
    count = per_objective * len({q["objective"] for q in questions}) if per_objective else None
    expect(page.get_by_text(f"Provet har {count or len(questions)} frågor.")).to_be_visible()
    page.get_by_role("button", name="Starta provet").click()
    axe(page)

    # The drawn questions, as the page shows them; options are shuffled: choose each right
    # answer by what it says.
    by_id = {q["id"]: q for q in questions}
    drawn = [
        by_id[fieldset.get_attribute("id").removeprefix("fraga-")]
        for fieldset in page.locator("fieldset[id^='fraga-']").all()
    ]
    assert len(drawn) == (count or len(questions))
    for n, q in enumerate(drawn, start=1):
        name = f"Fråga {n} av {len(drawn)} {q['text']}"
        group = page.get_by_role("group", name=name, exact=True)
        expect(group.locator("xpath=..")).to_have_attribute("lang", lang)
        if q.get("scenario"):  # the situation is read out with the question
            scenario = page.locator(f"#{group.get_attribute('aria-describedby')}")
            expect(scenario).to_have_text(q["scenario"])
            expect(scenario).to_be_visible()
        for option in q["options"]:
            if option["correct"]:
                group.get_by_label(option["text"], exact=True).check()
    page.get_by_role("button", name="Lämna in provet").click()
    axe(page)

    expect(page.get_by_role("heading", name="Resultat", level=1)).to_be_visible()
    expect(page.get_by_text("Godkänd", exact=True)).to_be_visible()
    expect(page.get_by_text("Du hade 100 % rätt.")).to_be_visible()
    expect(page.get_by_text("Din genomförda utbildning är registrerad.")).to_be_visible()
    first = drawn[0]
    # each answer is a section under its heading, not a landmark of its own (issue 20)
    heading = page.get_by_role("heading", name=f"Fråga 1: {first['text']}", level=3)
    answer = heading.locator("xpath=..")
    expect(answer).to_have_attribute("lang", lang)
    expect(answer.get_by_text("Rätt", exact=True)).to_be_visible()

    page.get_by_role("link", name="Till Min utbildning").click()
    axe(page)
    required = page.get_by_role("region", name="Utbildningar som krävs av dig")
    row = required.get_by_role("row", name=re.compile(re.escape(TITLE)))
    expect(row.get_by_role("cell", name="Genomförd")).to_be_visible()
    history = page.get_by_role("region", name="Min historik")
    done = history.get_by_role("row", name=re.compile(re.escape(TITLE)))
    expect(done.get_by_role("cell", name="Webbkurs")).to_be_visible()
    manifest = (Path(GRUNDKURS) / "course.yaml").read_text(encoding="utf-8")
    number = re.search(r'^version: "([0-9.]+)"', manifest, re.M).group(1)
    expect(done.get_by_text(f"version {number}")).to_be_visible()
