"""A learner's journey with issue 18's additions in a real browser: pre-test → modules →
quiz → anonymous evaluation, at phone and desktop width, axe-core on every page.
Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.models import AnonymousPending, EvaluationReceipt, Pretest
from tests.conftest import PASSWORD
from tests.e2e.fixtures import login
from tests.evaluation.conftest import PRETEST_COURSE, RIGHT

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
SIZES = [pytest.param(PHONE, id="375"), pytest.param(DESKTOP, id="1280")]


def _screenshot(page, name: str) -> None:
    folder = os.environ.get("VARNA_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        width = page.viewport_size["width"]
        page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width} px wide"


@pytest.fixture
def ada(make):
    make.synced_course(PRETEST_COURSE)
    unit = make.unit("Hemtjänst", parent=make.unit("Omsorg", parent=make.unit("Kommunen")))
    return make.employee(unit=unit, email="ada@k.se", first_name="Ada", last_name="Berg")


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize("page", SIZES, indirect=True)
def test_pretest_course_quiz_and_evaluation(page, axe, ada):
    login(page, "ada@k.se", PASSWORD, axe)
    axe(page)
    page.goto("/kurser/example-pretest")
    axe(page)
    page.get_by_role("button", name="Jag har läst – starta kursen").click()

    # The pre-test, before the first module: one question per objective, not graded.
    expect(page.get_by_role("heading", name="Före kursen: vad vet du redan?")).to_be_visible()
    axe(page)
    _no_sideways_scroll(page)
    _screenshot(page, "fortest")
    questions = page.locator("fieldset")
    expect(questions).to_have_count(2)
    # Answer the intyg question (q2) right by keyboard-reachable labels; leave the other blank.
    page.get_by_label("Kursens namn").check()
    page.get_by_label("En kontrollkod").check()
    page.get_by_role("button", name="Skicka svaren och börja kursen").click()

    expect(page.get_by_role("heading", name="Välkommen", level=1)).to_be_visible()
    axe(page)
    page.get_by_role("button", name="Nästa modul").click()
    axe(page)
    page.get_by_role("button", name="Klar – till provet").click()
    axe(page)
    page.get_by_role("button", name="Starta provet").click()
    axe(page)
    for qid, options in RIGHT.items():
        for option in options:
            page.locator(f"#q-{qid}-{option}").check()
    page.get_by_role("button", name="Lämna in provet").click()
    axe(page)
    expect(page.get_by_text("Godkänd", exact=True)).to_be_visible()

    # Offered on the result page; optional.
    page.get_by_role("link", name="Utvärdera kursen").click()
    axe(page)
    _no_sideways_scroll(page)
    _screenshot(page, "utvardering")
    expect(page.get_by_role("heading", name="Vad tyckte du om kursen?")).to_be_visible()
    page.get_by_role("group", name="Kursen var relevant för mitt arbete.").get_by_label(
        "5 – stämmer helt"
    ).check()
    page.get_by_role("group", name=re.compile("Skulle du rekommendera")).get_by_label(
        "Ja", exact=True
    ).check()
    page.get_by_label(re.compile("Vill du säga något mer")).fill("Tydlig och bra.")
    page.get_by_role("button", name="Skicka utvärderingen").click()
    axe(page)
    expect(page.get_by_text("Tack för din utvärdering!")).to_be_visible()
    expect(page.get_by_role("heading", name="Utvärdera dina kurser")).to_have_count(0)

    pretest = db.session.scalars(sa.select(Pretest)).one()
    assert {a.question_id: a.correct for a in pretest.answers}["q2"] is True
    assert _count(EvaluationReceipt) == 1
    assert _count(AnonymousPending) == 1
