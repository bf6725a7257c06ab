"""The follow-up page in a real browser: the link from the e-mail, two questions, once.

No login: the link is the key. Axe on the question page, the thank-you page and the page
a used link gives, at phone and desktop width."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app import dates
from app.evaluation import services
from app.extensions import db
from app.models import AnonymousPending, FollowupAnswer, FollowupInvitation

pytestmark = pytest.mark.e2e

SIZES = [
    pytest.param({"width": 375, "height": 740}, id="375"),
    pytest.param({"width": 1280, "height": 900}, id="1280"),
]


@pytest.mark.parametrize("page", SIZES, indirect=True)
def test_a_follow_up_link_asks_two_questions_once(page, axe, make):
    course = make.synced_course()
    token = secrets.token_urlsafe(32)
    db.session.add(
        FollowupInvitation(
            token_digest=services.token_digest(token),
            course_id=course.id,
            administration_id=None,
            level="medarbetare",
            month=services.month_of(dates.today()),
            used=False,
            expires_on=dates.today() + timedelta(days=60),
        )
    )
    db.session.commit()

    page.goto(f"/uppfoljning/{token}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Uppföljning: har kursen gjort skillnad?"
    )
    axe(page)
    page.get_by_role("group", name="Har du använt något från kursen i ditt arbete?").get_by_label(
        "Delvis"
    ).check()
    page.get_by_role(
        "group", name="Har något förändrats på din arbetsplats sedan kursen?"
    ).get_by_label("Vet inte").check()
    page.get_by_role("button", name="Skicka svaren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tack för dina svar")
    axe(page)

    db.session.expire_all()
    held = db.session.scalar(sa.select(sa.func.count()).select_from(AnonymousPending))
    released = db.session.scalar(sa.select(sa.func.count()).select_from(FollowupAnswer))
    assert held + released == 1  # one answer, held for its batch or already written

    page.goto(f"/uppfoljning/{token}")  # the link works once
    expect(page.get_by_role("heading", level=1)).to_have_text("Länken fungerar inte")
    expect(page.get_by_role("button", name="Skicka svaren")).to_have_count(0)
    axe(page)
