"""The HR and delegation pages no other browser test visits: axe-clean, usable, in Swedish."""

from __future__ import annotations

import pytest

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
    assert page.get_by_role("heading", name=staff.full_name).is_visible()
    axe(page)
    page.goto(f"/admin/personal/{staff.id}/undantag")
    assert page.get_by_role("heading", level=1).is_visible()
    axe(page)
    page.goto(f"/admin/personal/{staff.id}/registrera")
    assert page.get_by_role("heading", level=1).is_visible()
    axe(page)
    page.goto("/admin/logg")
    assert page.get_by_role("heading", name="Händelselogg").is_visible()
    assert page.get_by_text("person.view").first.is_visible()  # the look at Anna's record
    axe(page)
    page.goto("/admin/delegeringar")
    assert page.get_by_role("heading", level=1).is_visible()
    axe(page)


def test_manager_gives_a_deputy_the_view(page, axe, people):
    from datetime import date, timedelta

    login(page, "chef@k.se", PASSWORD, axe)
    axe(page)
    page.goto("/enheter/delegering")
    assert page.get_by_role("heading", level=1).is_visible()
    axe(page)
    page.get_by_label("Ställföreträdare").fill("ersattare@k.se")
    page.get_by_label("Till och med").fill((date.today() + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Ge behörighet").click()
    page.wait_for_load_state("load")
    assert page.get_by_text("Erik").first.is_visible()  # the deputy is listed
    axe(page)
