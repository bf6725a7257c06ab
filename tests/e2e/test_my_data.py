"""*Mina uppgifter* as the person reads it: on a phone and a desktop, axe-clean, days in
Swedish and events in words, exemptions, evidence and who looked at the record."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from app import dates
from app.admin.requirements import evidence
from app.admin.requirements import services as requirements
from app.extensions import db
from app.records import audit
from tests.conftest import PASSWORD
from tests.e2e.fixtures import login

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def person(app, make, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    unit = make.unit("Hemtjänst Norra distriktet, nattpatrullen och larmgruppen")
    hr = make.employee(email="hr@k.se", first_name="Hanna", last_name="Hansson", is_hr=True)
    course = make.course(title="Grundkurs om våld i nära relationer och sexuella trakasserier")
    rule = make.requirement(course, starts_on=date(2020, 1, 1))
    me = make.employee(
        unit=unit,
        email="maria-josefina.vasquez-lindqvist.administrativ.samordnare@exempelby.se",
        first_name="Maria-Josefina",
        last_name="Vasquez-Lindqvist",
    )
    make.completion(me, course)
    stored = evidence.store(str(tmp_path), "intyg.pdf", b"%PDF-1.4 intyg")
    requirements.record_external(
        db.session,
        employee=me,
        course=None,
        title="Webbkurs hos Länsstyrelsen Östergötland",
        completed_on=dates.add_months(dates.today(), -2),
        reason="Intyg från länsstyrelsen",
        evidence_path=stored,
        actor=hr,
        today=dates.today(),
    )
    requirements.exempt(db.session, employee=me, requirement=rule, reason="Föräldraledig", actor=hr)
    audit(db.session, hr, "person.view", "employee", me.id)
    db.session.commit()
    return me


def _overflow(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("page", [PHONE, DESKTOP], indirect=True)
def test_my_data_fits_the_screen_and_reads_as_words(page, axe, person):
    login(page, person.email, PASSWORD, axe)
    axe(page)
    page.goto("/konto/mina-uppgifter")
    expect(page.get_by_role("heading", name="Mina uppgifter", level=1)).to_be_visible()
    axe(page)
    assert _overflow(page) <= 0
    today = dates.today().isoformat()
    # days as days, events in words, and who did them
    looked = page.locator("h2:has-text('Vem har tittat på dina uppgifter') + ul")
    expect(looked).to_have_text(f"{today}: Hanna Hansson (HR) – Tittade på dina uppgifter")
    events = page.locator("h2:has-text('Händelser som gäller dig') + ul > li")
    # her own login just now (an audit event since L4), and what HR did
    expect(events).to_have_count(4)
    expect(
        events.filter(
            has_text=f"{today}: Hanna Hansson (HR) – Undantog dig från ett utbildningskrav"
        )
    ).to_have_count(1)
    expect(events.filter(has_text="– Loggade in")).to_have_count(1)
    text = page.inner_text("main")
    assert "person.view" not in text
    assert f"{today}T" not in text  # no raw timestamps
    # the exemption, with its reason, for the person's own eyes
    exemption = page.locator("h2:has-text('Undantag från utbildningskrav') + ul")
    expect(exemption).to_contain_text("Föräldraledig")
    # the certificate from elsewhere can be downloaded by the person it is about
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ned underlaget").click()
    assert download.value.suggested_filename.endswith(".pdf")
