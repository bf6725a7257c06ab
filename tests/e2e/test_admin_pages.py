"""The HR and delegation pages no other browser test visits: axe-clean, usable, in Swedish."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.fixtures import login

pytestmark = pytest.mark.e2e


@pytest.fixture
def people(make):
    root = make.unit("Exempelby kommun", code="K1")
    unit = make.unit("Hemtjänst 1", parent=root, code="VOF-1")
    course = make.course(title="Grundkurs")
    rule = make.requirement(course, legal_basis="Diskrimineringslagen 3 kap. 6 §")
    staff = make.employee(unit=unit, email="anna@k.se", first_name="Anna")
    make.completion(staff, course)
    make.exemption(staff, rule)
    return {
        "hr": make.employee(unit=root, email="hr@k.se", is_hr=True),
        "chef": make.employee(unit=unit, email="chef@k.se", level="chef", manages=(unit,)),
        "staff": staff,
        "deputy": make.employee(unit=unit, email="ersattare@k.se", first_name="Erik"),
    }


def test_hr_person_record_exemption_external_record_audit_log(page, axe, people):
    login(page, "hr@k.se", PASSWORD, axe)
    axe(page)
    staff = people["staff"]
    page.goto(f"/admin/personal/{staff.id}")
    expect(page.get_by_role("heading", name=staff.full_name)).to_be_visible()
    axe(page)
    page.goto(f"/admin/personal/{staff.id}/undantag")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Undanta {staff.full_name} från ett krav"
    )
    axe(page)
    page.goto(f"/admin/personal/{staff.id}/registrera")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Registrera utbildning för {staff.full_name}"
    )
    axe(page)
    page.goto("/admin/logg")
    expect(page.get_by_role("heading", name="Händelselogg")).to_be_visible()
    expect(page.get_by_text("person.view").first).to_be_visible()  # the look at Anna's record
    axe(page)
    page.goto("/admin/delegeringar")
    expect(page.get_by_role("heading", level=1)).to_have_text("Delegeringar")
    axe(page)


def test_manager_gives_a_deputy_the_view(page, axe, people):
    from datetime import date, timedelta

    login(page, "chef@k.se", PASSWORD, axe)
    axe(page)
    page.goto("/enheter/delegering")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ställföreträdare")
    delegations = page.get_by_role("region", name="Delegeringar")
    deputy = people["deputy"].full_name
    expect(delegations.get_by_role("rowheader", name=deputy)).to_have_count(0)
    axe(page)
    unit = page.get_by_label("Enhet", exact=True)
    expect(unit).to_have_value("")  # nothing chosen until the manager chooses
    unit.select_option(label="Hemtjänst 1")
    page.get_by_label("Ställföreträdare").fill("ersattare@k.se")
    page.get_by_label("Till och med").fill((date.today() + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Ge behörighet").click()
    page.wait_for_load_state("load")
    expect(delegations.get_by_role("rowheader", name=deputy)).to_be_visible()  # listed now
    axe(page)
