"""Bought-in packages taken in a real browser: the package runs from the content origin
(another port), the runtime on Värna's page commits, the learner resumes in a new
browser context, the course is counted. axe-core on every Värna page; the package's
own pages are foreign content and not checked."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app import dates
from app.extensions import db
from app.models import Completion, ScormRuntime
from app.reports.coverage import employee_statuses
from tests.conftest import PASSWORD
from tests.e2e.fixtures import TIMEOUT_MS, login
from tests.scorm.conftest import imported
from tests.scorm.packages import SCO_JS, multi_sco, scorm12_single, scorm2004

pytestmark = pytest.mark.e2e

# A package script that tries to reach Värna: its cookie, its page, its pages by fetch.
# It reports what it got through the SCORM API (cmi.comments), which Värna stores.
SPY_JS = r"""
(function () {
  "use strict";
  var api = window.parent.API;
  var seen = {};
  try { seen.cookie = document.cookie; } catch (e) { seen.cookie = "error"; }
  try { seen.top = window.top.document.title; } catch (e) { seen.top = "blocked"; }
  try { seen.parent = window.parent.parent.document.cookie; } catch (e) { seen.parent = "blocked"; }
  try { seen.storage = String(window.top.localStorage.length); } catch (e) { seen.storage = "blocked"; }
  function report() {
    api.LMSInitialize("");
    api.LMSSetValue("cmi.comments", JSON.stringify(seen));
    api.LMSCommit("");
    document.getElementById("spy").textContent = "rapporterat";
  }
  fetch(window.location.ancestorOrigins ? window.location.ancestorOrigins[window.location.ancestorOrigins.length - 1] + "/" : "/", { credentials: "include" })
    .then(function (r) { return r.text(); })
    .then(function (t) { seen.fetch = t.slice(0, 200); report(); })
    .catch(function () { seen.fetch = "blocked"; report(); });
})();
"""

SPY_HTML = """<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Spion</title></head>
<body><p id="spy">väntar</p><script src="spy.js"></script></body></html>"""


@pytest.fixture
def ida(make):
    unit = make.unit("Socialtjänst")
    return make.employee(unit=unit, email="ida@k.se", first_name="Ida", last_name="Berg")


def sco(page):
    """The package's own page: inside the shim's frame, inside Värna's frame."""
    return page.frame_locator("#scorm-frame").frame_locator("iframe")


def wait_for_commit(page, before: str | None) -> str:
    page.wait_for_function(
        "before => document.documentElement.getAttribute('data-scorm-committed') !== before",
        arg=before,
        timeout=TIMEOUT_MS,
    )
    return page.evaluate("() => document.documentElement.getAttribute('data-scorm-committed')")


def test_12_package_taken_resumed_in_a_new_context_and_counted(
    browser, live_server, content_server, page, axe, make, ida, tmp_path
):
    version = imported(scorm12_single(tmp_path, mastery_score=80, score=85))
    course = version.course
    make.requirement(course, levels=("medarbetare",))
    slug = course.slug

    login(page, "ida@k.se", PASSWORD, axe)
    axe(page)
    page.goto(f"/kurser/{slug}")
    axe(page)
    expect(page.get_by_role("heading", name="Innan du börjar")).to_be_visible()
    expect(page.get_by_role("link", name="Lämna sidan snabbt")).to_be_visible()
    expect(page.get_by_role("complementary", name="Stöd och hjälp")).to_be_visible()
    page.get_by_role("button", name="Jag har läst – starta kursen").click()
    axe(page)
    # The player: quick exit and support stay around the package.
    expect(page.get_by_role("link", name="Lämna sidan snabbt")).to_be_visible()
    expect(page.get_by_role("complementary", name="Stöd och hjälp")).to_be_visible()
    package = sco(page)
    expect(package.locator("#resumed")).to_have_text("ny start")
    committed = page.evaluate("() => document.documentElement.getAttribute('data-scorm-committed')")
    package.get_by_role("button", name="Nästa sida").click()
    expect(package.locator("#state")).to_have_text("sparad")
    wait_for_commit(page, committed)
    row = _row(ida.id)
    assert (row.lesson_location, row.suspend_data, row.lesson_status) == (
        "sida-2",
        "sida=2;svar=ja",
        "incomplete",
    )

    # Another device: a new browser context, nothing but the server's data.
    other = browser.new_context(base_url=live_server, locale="sv-SE")
    try:
        second = other.new_page()
        login(second, "ida@k.se", PASSWORD)
        axe(second)
        second.goto(f"/kurser/{slug}")
        axe(second)
        second.get_by_role("link", name="Fortsätt där du var").click()
        axe(second)
        resumed = sco(second)
        expect(resumed.locator("#resumed")).to_have_text("plats: sida-2; data: sida=2;svar=ja")
        before = second.evaluate(
            "() => document.documentElement.getAttribute('data-scorm-committed')"
        )
        resumed.get_by_role("button", name="Avsluta").click()
        expect(resumed.locator("#state")).to_have_text("klar")
        wait_for_commit(second, before)
        expect(second.get_by_role("status")).to_have_text(
            "Kursen är klar. Den syns nu i Min utbildning."
        )
        axe(second)
    finally:
        other.close()

    db.session.expire_all()
    completion = db.session.scalars(sa.select(Completion)).one()
    assert (completion.employee_id, completion.score) == (ida.id, 85)
    statuses = employee_statuses(db.session, ida.id, dates.today())
    assert [s.status.value for s in statuses if s.course_id == course.id] == ["completed"]
    page.goto("/")
    axe(page)


def _row(employee_id: int, item: str = "ITEM-1") -> ScormRuntime:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(ScormRuntime).where(
            ScormRuntime.employee_id == employee_id, ScormRuntime.item_identifier == item
        )
    ).one()


def test_2004_suspend_data_and_objectives_resume_and_complete(
    browser, live_server, content_server, page, axe, ida, tmp_path
):
    version = imported(scorm2004(tmp_path, score=90))
    slug = version.course.slug
    login(page, "ida@k.se", PASSWORD, axe)
    axe(page)
    page.goto(f"/kurser/{slug}")
    axe(page)
    page.get_by_role("button", name="Jag har läst – starta kursen").click()
    axe(page)
    package = sco(page)
    expect(package.locator("#resumed")).to_have_text("ny start")
    committed = page.evaluate("() => document.documentElement.getAttribute('data-scorm-committed')")
    package.get_by_role("button", name="Nästa sida").click()
    wait_for_commit(page, committed)
    # Leaving for the next device.
    page.goto("/")
    axe(page)

    other = browser.new_context(base_url=live_server, locale="sv-SE")
    try:
        second = other.new_page()
        login(second, "ida@k.se", PASSWORD)
        axe(second)
        second.goto(f"/kurser/{slug}/del/1")
        axe(second)
        resumed = sco(second)
        expect(resumed.locator("#resumed")).to_have_text("plats: sida-2; data: sida=2;svar=ja")
        before = second.evaluate(
            "() => document.documentElement.getAttribute('data-scorm-committed')"
        )
        resumed.get_by_role("button", name="Avsluta").click()
        expect(resumed.locator("#state")).to_have_text("klar")
        wait_for_commit(second, before)
        expect(second.get_by_role("status")).to_have_text(
            "Kursen är klar. Den syns nu i Min utbildning."
        )
    finally:
        other.close()
    row = _row(ida.id)
    assert (row.completion_status, row.success_status, row.score) == ("completed", "passed", 90)
    assert [o["id"] for o in row.objectives] == ["obj-huvud", "obj-risk"]
    assert db.session.scalars(sa.select(Completion)).one().score == 90


def test_multi_sco_table_of_contents_and_done_when_every_part_is(
    content_server, page, axe, ida, tmp_path
):
    version = imported(multi_sco(tmp_path))
    slug = version.course.slug
    login(page, "ida@k.se", PASSWORD, axe)
    axe(page)
    page.goto(f"/kurser/{slug}")
    axe(page)
    page.get_by_role("button", name="Jag har läst – starta kursen").click()
    for number in (1, 2, 3):
        axe(page)
        toc = page.get_by_role("navigation", name="Kursens delar")
        expect(toc.get_by_role("link", name=f"Del {number}")).to_have_attribute(
            "aria-current", "page"
        )
        before = page.evaluate(
            "() => document.documentElement.getAttribute('data-scorm-committed')"
        )
        sco(page).get_by_role("button", name="Avsluta").click()
        wait_for_commit(page, before)
        expect(toc.locator(f"[data-item-state='DEL-{number}']")).to_have_text("(klar)")
        if number < 3:
            expect(page.get_by_role("status")).to_have_text("Den här delen är klar.")
            toc.get_by_role("link", name=f"Del {number + 1}").click()
    expect(page.get_by_role("status")).to_have_text("Kursen är klar. Den syns nu i Min utbildning.")
    assert db.session.scalar(sa.select(sa.func.count(Completion.id))) == 1


def test_a_package_script_cannot_read_varnas_cookie_or_page(
    content_server, page, axe, ida, tmp_path
):
    version = imported(
        scorm12_single(
            tmp_path,
            extra_files={"sco1/index.html": SPY_HTML, "sco1/spy.js": SPY_JS, "sco1/sco.js": SCO_JS},
        )
    )
    slug = version.course.slug
    login(page, "ida@k.se", PASSWORD, axe)
    axe(page)
    # Värna's session cookie exists in this browser (and the content origin is the same
    # host, another port: cookies are not separated by port).
    assert any(c["name"] == "session" for c in page.context.cookies())
    page.goto(f"/kurser/{slug}")
    axe(page)
    before = page.evaluate("() => document.documentElement.getAttribute('data-scorm-committed')")
    page.get_by_role("button", name="Jag har läst – starta kursen").click()
    axe(page)
    expect(sco(page).locator("#spy")).to_have_text("rapporterat")
    wait_for_commit(page, before)
    seen = json.loads(_row(ida.id).cmi["comments"])
    assert seen == {
        "cookie": "",
        "top": "blocked",
        "parent": "blocked",
        "storage": "blocked",
        "fetch": "blocked",
    }
