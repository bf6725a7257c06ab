"""A manager reminds everyone overdue: the count first, then the mail, on a phone and a desktop."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.fixtures import login

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.mark.parametrize("page", [PHONE, DESKTOP], indirect=True)
def test_remind_all_overdue_asks_first_and_says_how_many(page, axe, town, smtp_server):
    login(page, "chef@k.se", PASSWORD, axe)
    axe(page)
    page.goto(f"/enheter/{town['bof'].id}")
    axe(page)
    page.get_by_role("link", name="Påminn alla försenade i Barn och familj").click()
    page.wait_for_load_state("load")
    expect(page.get_by_text("2 personer får en påminnelse via e-post:")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Bo Al")).to_be_visible()
    assert smtp_server.messages == []  # nothing is sent before the confirmation
    axe(page)
    send = page.get_by_role("button", name="Skicka 2 påminnelser")
    send.scroll_into_view_if_needed()
    expect(send).to_be_in_viewport()
    send.click()
    page.wait_for_load_state("load")
    expect(page.get_by_text("Påminnelse skickad till 2 personer.")).to_be_visible()
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == ["bo@k.se", "chef@k.se"]
    axe(page)
