"""SAML in a real browser: Värna → the identity provider's login form (pysaml2's server in
its own process) → back in Värna as the right person; axe-core on Värna's pages."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.models import AuditEvent
from tests.idp.saml.fixtures import configure_sp

pytestmark = pytest.mark.e2e


@pytest.fixture
def saml_on(app, live_server, saml_idp_process, saml_keys):
    old = configure_sp(app, saml_keys, saml_idp_process.metadata_file, live_server)
    yield saml_idp_process
    app.config.update(old)


def _idp_pages_are_not_varna(axe, idp_base: str) -> None:
    """axe runs on Värna's pages; the identity provider's pages are not Värna's."""
    axe.visited = {url for url in axe.visited if not url.startswith(idp_base)}


def test_sign_in_through_the_identity_provider_as_the_right_person_and_log_out_of_both(
    app, page, axe, make, saml_on
):
    make.employee(email="mia@k.se", first_name="Mia", last_name="Ek")
    make.employee(email="ola@k.se", first_name="Ola", last_name="Berg")
    page.goto("/konto/mina-uppgifter")  # not logged in: the login page, keeping the way back
    expect(page).to_have_url(re.compile(r"/logga-in"))
    axe(page)
    page.get_by_role("link", name="Logga in med kommunens konto").click()
    expect(page.get_by_role("heading", name="Test-IdP: logga in")).to_be_visible()
    assert page.url.startswith(saml_on.base_url + "/sso?")
    page.get_by_label(re.compile("^mia ")).check()
    page.get_by_role("button", name="Logga in hos test-IdP").click()
    page.wait_for_url(re.compile(r"/konto/mina-uppgifter$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Mia")
    expect(page.locator("main")).not_to_contain_text("Ola")
    axe(page)
    with app.app_context():
        login = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "auth.federated_login")
        ).one()
        assert login.details == {"provider": "saml"}

    # Logout: Värna's session, then the identity provider's (single logout), back to Värna.
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url(re.compile(r"/logga-in$"))
    expect(page.get_by_text("Du är utloggad.")).to_be_visible()
    axe(page)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/logga-in"))
    # The identity provider's session ended too: it asks who you are again.
    page.get_by_role("link", name="Logga in med kommunens konto").click()
    expect(page.get_by_role("heading", name="Test-IdP: logga in")).to_be_visible()
    _idp_pages_are_not_varna(axe, saml_on.base_url)


def test_a_person_not_in_the_hr_import_sees_why_in_swedish(app, page, axe, make, saml_on):
    make.employee(email="mia@k.se", first_name="Mia")
    page.goto("/logga-in/saml")
    page.get_by_label(re.compile("^nils ")).check()
    page.get_by_role("button", name="Logga in hos test-IdP").click()
    expect(page.get_by_text("Du finns inte i Värna än — kontakta HR")).to_be_visible()
    assert page.url.endswith("/saml/acs")
    axe(page)
    _idp_pages_are_not_varna(axe, saml_on.base_url)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/logga-in"))
    axe(page)
