"""HR imports in the browser: upload → dry run → confirm, axe-clean on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.fixtures import login
from tests.hr_import.helpers import SAMPLE, SAMPLE_WITH_ERRORS

pytestmark = pytest.mark.e2e


IMPORT_MS = 180_000


def test_hr_uploads_sees_the_dry_run_and_confirms(page, axe, make):
    make.employee(is_hr=True, email="hr@k.se")
    login(page, "hr@k.se", PASSWORD, axe)
    axe(page)
    page.get_by_role("link", name="Administration").click()
    axe(page)
    page.get_by_role("link", name="Import från HR-systemet").click()
    expect(page.get_by_role("heading", name="Import från HR-systemet")).to_be_visible()
    axe(page)

    page.get_by_label("Enhetsfil (CSV)").set_input_files(str(SAMPLE / "enheter.csv"))
    page.get_by_label("Personalfil (CSV)").set_input_files(str(SAMPLE / "personal.csv"))
    page.get_by_role("button", name="Provkör importen").click()
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", name="Provkörning av importen")).to_be_visible()
    expect(page.get_by_text("Ny enhet (96)")).to_be_visible()
    axe(page)

    # 1,500 people and as many invitations: about 30 s on a busy 2-core machine, so this one
    # step gets a longer upper bound than the suite's 30 s (it returns as soon as it is done).
    page.get_by_role("button", name="Genomför importen").click(timeout=IMPORT_MS)
    page.wait_for_load_state("load", timeout=IMPORT_MS)
    expect(page.get_by_text("Importen är genomförd")).to_be_visible(timeout=IMPORT_MS)
    axe(page)


def test_hr_sees_every_problem_in_a_refused_file(page, axe, make):
    make.employee(is_hr=True, email="hr@k.se")
    login(page, "hr@k.se", PASSWORD, axe)
    axe(page)
    page.goto("/admin/import")
    axe(page)
    page.get_by_label("Enhetsfil (CSV)").set_input_files(str(SAMPLE_WITH_ERRORS / "enheter.csv"))
    page.get_by_label("Personalfil (CSV)").set_input_files(str(SAMPLE_WITH_ERRORS / "personal.csv"))
    page.get_by_role("button", name="Provkör importen").click()
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", name="Importen avvisades")).to_be_visible()
    expect(page.get_by_text("7 problem i filerna")).to_be_visible()
    axe(page)


def test_a_new_account_chooses_its_password_from_the_invitation(page, axe, app):
    from app.auth import invitations
    from tests.hr_import.helpers import employee, files, run

    with app.app_context():
        run(files())
        dan = employee("4")
        token = invitations.make_token(dan.id, dan.session_token, dan.password_hash)
    page.goto(f"/konto/inbjudan/{token}")
    expect(page.get_by_role("heading", name="Välj lösenord")).to_be_visible()
    axe(page)
    page.get_by_label("Välj lösenord").fill(PASSWORD)
    page.get_by_label("Upprepa lösenordet").fill(PASSWORD)
    page.get_by_role("button", name="Spara lösenord").click()
    page.wait_for_load_state("load")
    expect(page.get_by_text("Ditt lösenord är sparat")).to_be_visible()
    axe(page)
    login(page, "dan.as@lilleby.se", PASSWORD, axe)
    expect(page.get_by_role("heading", name="Min utbildning")).to_be_visible()
    axe(page)
    page.goto(f"/konto/inbjudan/{token}")  # used once: no longer works
    expect(page.get_by_text("Länken fungerar inte")).to_be_visible()
    axe(page)
