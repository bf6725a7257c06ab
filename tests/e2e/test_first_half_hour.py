"""The first half hour on a phone and a desktop (issue 16): Min utbildning as cards on a phone
with the course name a link and "Förnya" for a course about to expire, report tables at the width
they need, labels beside their radio buttons and checkboxes, long names that wrap. axe on every
page; screenshots of Min utbildning and the report overview go to VARNA_SCREENSHOTS if set."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app import dates
from tests.conftest import PASSWORD
from tests.e2e.fixtures import login
from tests.reports.conftest import town  # noqa: F401

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
SIZES = [pytest.param(PHONE, id="375"), pytest.param(DESKTOP, id="1280")]
LONG_UNIT = "Vårdochomsorgsförvaltningenssärskildaboendenochhemtjänstområdenordvästra"  # unbroken


def _screenshot(page, name: str) -> None:
    folder = os.environ.get("VARNA_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        width = page.viewport_size["width"]
        page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)


def _no_sideways_scroll(page) -> None:
    """Nothing but a table region scrolls sideways: the page is as wide as the screen."""
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """w => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('.table-scroll'))
        .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 40))""",
        page.viewport_size["width"],
    )
    assert width <= page.viewport_size["width"] + 1, f"sidan är {width} px bred: {wide}"


@pytest.fixture
def lina(make):
    example = make.synced_course()
    renew = make.course("forlangs", title="Förnyas snart", valid_months=12)
    unit = make.unit(LONG_UNIT)
    make.requirement(example, due_days=60)
    make.requirement(renew)
    lina = make.employee(unit=unit, email="lina@k.se", first_name="Lina", last_name="Berg")
    # completed a year ago with 12 months' validity: it runs out in ten days
    make.completion(lina, renew, on=dates.add_months(dates.today(), -12) + timedelta(days=10))
    return lina


@pytest.mark.parametrize("page", SIZES, indirect=True)
def test_my_training_links_and_renew_at_both_widths(page, axe, lina):
    login(page, "lina@k.se", PASSWORD, axe)
    axe(page)
    expect(page.get_by_role("heading", name="Min utbildning")).to_be_visible()
    phone = page.viewport_size["width"] == PHONE["width"]
    if phone:
        scope = page.get_by_role("list", name="Utbildningar som krävs av dig")
        expect(page.get_by_role("region", name="Utbildningar som krävs av dig")).to_be_hidden()
    else:
        scope = page.get_by_role("region", name="Utbildningar som krävs av dig")
    # the course name is a link to the course, at both widths
    name = scope.get_by_role("link", name="Exempelkurs: så fungerar en kurs i Värna", exact=True)
    expect(name).to_have_attribute("href", re.compile(r"/kurser/"))
    # a course about to expire offers renewal, not a fresh start
    expect(scope.get_by_role("link", name="Förnya – Förnyas snart")).to_be_visible()
    expect(scope.get_by_role("link", name=re.compile("Starta – Förnyas snart"))).to_have_count(0)
    start = scope.get_by_role("link", name=re.compile("^Starta – Exempelkurs"))
    expect(start).to_be_visible()
    if phone:
        # on a phone the action is on screen without scrolling sideways
        box = start.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"]
        cert = page.get_by_role("list", name="Min historik").get_by_role(
            "link", name=re.compile("^Intyg \\(PDF\\)")
        )
        expect(cert).to_be_visible()
        box = cert.bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= PHONE["width"]
    _no_sideways_scroll(page)
    _screenshot(page, "min-utbildning")
    start.click()
    expect(page.get_by_role("heading", name="Innan du börjar")).to_be_visible()
    axe(page)


@pytest.mark.parametrize("page", SIZES, indirect=True)
def test_report_tables_take_the_width_they_need(page, axe, town):  # noqa: F811
    login(page, "hr@test.example", PASSWORD, axe)
    axe(page)
    page.goto("/rapporter/")
    axe(page)
    tables = page.locator(".chart-pair .table-scroll")
    expect(tables.first).to_be_visible()
    for i in range(tables.count()):
        region = tables.nth(i)
        scroll, client = region.evaluate("e => [e.scrollWidth, e.clientWidth]")
        if page.viewport_size["width"] == DESKTOP["width"]:
            assert scroll <= client + 1, f"tabell {i} är avskuren: {scroll} px i {client} px"
    _no_sideways_scroll(page)
    _screenshot(page, "rapporter")
    page.goto("/rapporter/trend")
    axe(page)
    expect(page.get_by_role("table", name=re.compile("Täckning per dag"))).to_be_visible()
    _no_sideways_scroll(page)


@pytest.mark.parametrize("page", SIZES, indirect=True)
def test_labels_beside_their_boxes_and_long_names_wrap(page, axe, make):
    root = make.unit("Exempelby kommun", code="K1")
    long_unit = make.unit(LONG_UNIT, parent=root, kind="förvaltning", code="VOF")
    make.employee(unit=root, email="hr@k.se", is_hr=True)
    make.employee(unit=long_unit, email="chef@k.se", level="chef", manages=(long_unit,))
    login(page, "hr@k.se", PASSWORD, axe)
    axe(page)
    page.goto("/admin/personal")
    axe(page)
    box = page.get_by_role("checkbox", name="Visa även avslutade").bounding_box()
    label = page.locator("label[for=alla]").bounding_box()
    assert box
    assert label
    assert label["x"] > box["x"] + box["width"] - 1  # beside the checkbox …
    assert label["y"] < box["y"] + box["height"]  # … on the same line, not below it
    page.goto("/admin/import")
    axe(page)
    radio = page.get_by_role("radio").first
    expect(radio).to_be_visible()
    rbox = radio.bounding_box()
    rlabel = page.locator(f"label[for={radio.get_attribute('id')}]").bounding_box()
    assert rbox
    assert rlabel
    assert rlabel["y"] < rbox["y"] + rbox["height"]
    _no_sideways_scroll(page)
    _screenshot(page, "hr-import")
    page.get_by_role("button", name="Logga ut").click()
    login(page, "chef@k.se", PASSWORD)
    axe(page)
    page.goto("/enheter/")
    axe(page)
    card = page.locator("li.card").first
    heading = card.get_by_role("heading", name=LONG_UNIT)
    expect(heading).to_be_visible()
    c, h = card.bounding_box(), heading.bounding_box()
    assert c
    assert h
    assert h["x"] + h["width"] <= c["x"] + c["width"] + 1  # inside its card
    _no_sideways_scroll(page)
    page.goto(f"/enheter/{long_unit.id}")
    axe(page)
    title = page.get_by_role("heading", level=1, name=LONG_UNIT)
    expect(title).to_be_visible()
    box = title.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= page.viewport_size["width"]  # the heading wraps
    _no_sideways_scroll(page)
    _screenshot(page, "enhet")


def test_lina_fixture_expires_in_ten_days(lina, make):
    """The renewal case above is really 'about to expire' on every day the suite runs."""
    from app.learning.services import my_training

    rows = my_training(make.session, employee_id=lina.id, on=dates.today()).required
    assert {r.course.slug: r.status.value for r in rows}["forlangs"] == "expiring"
