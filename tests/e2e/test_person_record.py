"""A person's record in the browser (M4, M5 of the security review 2026-11): a manager sees
that an exemption exists, never why; HR sees a session completion a manager registered as
such. At phone and desktop width, axe-clean."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app import dates
from app.extensions import db
from app.units.sessions import SessionDraft, register_session
from tests.conftest import PASSWORD
from tests.e2e.fixtures import login

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def _no_sideways_scroll(page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


@pytest.mark.parametrize("page", [PHONE, DESKTOP], indirect=True)
def test_a_manager_sees_that_bo_is_exempted_not_why(page, axe, town, make):
    make.exemption(town["bo"], town["rule"], reason="Sjukskriven efter hot")
    login(page, "head@k.se", PASSWORD, axe)
    axe(page)
    page.goto(f"/enheter/personer/{town['bo'].id}")
    expect(page.get_by_role("heading", name="Undantag")).to_be_visible()
    expect(page.get_by_text("undantagen av HR från")).to_be_visible()
    expect(page.get_by_text("Sjukskriven")).to_have_count(0)
    axe(page)
    _no_sideways_scroll(page)


@pytest.mark.parametrize("page", [PHONE, DESKTOP], indirect=True)
def test_hr_sees_who_registered_a_session_and_when(page, axe, town):
    today = dates.today()
    register_session(
        db.session,
        draft=SessionDraft(
            town["course"].id, "", today - timedelta(days=5), "Stora salen", "", town["bof"].id
        ),
        attendee_ids=[town["bo"].id],
        actor=town["chef"],
        reach=[town["bof"].path],
        today=today,
    )
    db.session.commit()
    login(page, "hr@k.se", PASSWORD, axe)
    axe(page)
    page.goto(f"/enheter/personer/{town['bo'].id}")
    history = page.get_by_role("table", name=re.compile(r"\d+ registrering"))
    expect(history.get_by_text("registrerad av chef Cesar")).to_be_visible()
    expect(history.get_by_text(f"den {today.isoformat()}")).to_be_visible()
    axe(page)
    _no_sideways_scroll(page)
