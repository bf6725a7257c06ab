"""Sign-in with the municipality's account through a real OpenID Connect provider
(panva/oidc-provider, tests/idp/oidc) in a real browser: Värna's login page, the provider's
own login and consent pages, back in Värna as the right person; logout ends the provider's
session too. axe-core on every Värna page."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.models import AuditEvent, Employee

pytestmark = pytest.mark.e2e

BUTTON = "Logga in med kommunens konto"


def _events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def _sign_in_at_the_provider(page, axe, oidc_provider, login: str) -> None:
    # The provider's pages ask for a web font from the internet; this machine has none.
    page.route(re.compile(r"^https://fonts\.googleapis\.com/.*"), lambda route: route.abort())
    page.goto("/logga-in")
    axe(page)
    main = page.locator("main")
    # The municipality's account leads: the first thing to choose on the page.
    first = main.locator("a, button, input:not([type=hidden])").first
    expect(first).to_have_text(BUTTON)
    page.get_by_role("link", name=BUTTON).click()
    # The provider's own login form.
    expect(page).to_have_url(re.compile("^" + re.escape(oidc_provider.issuer) + "/interaction/"))
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("vilket-losenord-som-helst")
    page.get_by_role("button", name="Sign-in").click()
    # Its consent page (the first time in this browser).
    page.get_by_role("button", name="Continue").click()


def test_sign_in_through_the_provider_and_log_out_through_it(
    page, axe, live_server, oidc_provider, oidc_app, make
):
    unit = make.unit("Hemtjänst Norr")
    anna = make.employee(
        unit=unit, email="anna.berg@kommun.se", first_name="Anna", last_name="Berg", password=None
    )
    _sign_in_at_the_provider(page, axe, oidc_provider, "anna.berg@kommun.se")

    expect(page).to_have_url(live_server + "/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("header")).to_contain_text("Anna Berg")
    axe(page)
    [event] = _events("auth.federated_login")
    assert (event.actor_id, event.details) == (anna.id, {"provider": "oidc"})

    page.get_by_role("button", name="Logga ut").click()
    # The provider's end-session page asks; then back to Värna's login page.
    expect(page).to_have_url(re.compile("^" + re.escape(oidc_provider.issuer) + "/session/end"))
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(re.compile("^" + re.escape(live_server) + "/logga-in"))
    expect(page.get_by_text("Du är utloggad.")).to_be_visible()
    axe(page)
    assert len(_events("auth.logout")) == 1
    # Värna's session is over, and so is the provider's: signing in again asks for the login.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/logga-in"))
    axe(page)
    page.get_by_role("link", name=BUTTON).click()
    expect(page.locator("input[name=login]")).to_be_visible()


@pytest.mark.parametrize(
    ("login", "reason", "explained"),
    [
        ("okand@kommun.se", "no_match", "Värna hittar dig inte bland kommunens anställda"),
        ("slutat@kommun.se", "left", "din anställning i kommunen upphört"),
    ],
)
def test_someone_the_hr_import_does_not_hold_as_active_is_not_let_in(
    page, axe, live_server, oidc_provider, oidc_app, make, login, reason, explained
):
    make.employee(email="anna.berg@kommun.se")  # someone else is in Värna
    make.employee(email="slutat@kommun.se", first_name="Sara", active=False)
    people = db.session.scalar(sa.select(sa.func.count()).select_from(Employee))

    _sign_in_at_the_provider(page, axe, oidc_provider, login)

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Du finns inte i Värna än — kontakta HR"
    )
    expect(page.locator("main")).to_contain_text(explained)
    expect(page.locator("main")).to_contain_text("Inget konto har skapats i Värna.")
    axe(page)
    [event] = _events("auth.federated_refused")
    assert event.details["reason"] == reason
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Employee)) == people
    # Not logged in.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/logga-in"))
    axe(page)


def test_hr_rights_follow_the_directory_group_when_turned_on(
    page, axe, live_server, oidc_provider, oidc_app, make, monkeypatch
):
    monkeypatch.setitem(oidc_app.config, "OIDC_SCOPES", "openid email profile groups")
    monkeypatch.setitem(oidc_app.config, "FEDERATION_HR_GROUP", "varna-hr")
    hanna = make.employee(
        email="hr.chef@kommun.se", first_name="Hanna", last_name="Holm", password=None
    )
    assert not hanna.is_hr
    _sign_in_at_the_provider(page, axe, oidc_provider, "hr.chef@kommun.se")
    expect(page).to_have_url(live_server + "/")
    axe(page)
    db.session.expire_all()
    assert db.session.get(Employee, hanna.id).is_hr
    [event] = _events("account.rights_from_directory")
    assert event.target_id == str(hanna.id)
    assert event.details == {"right": "is_hr", "before": False, "after": True, "provider": "oidc"}
    # HR's pages are open to her now.
    response = page.goto("/admin/")
    assert response.status == 200
    axe(page)


def test_an_answer_the_login_did_not_ask_for_gets_a_page_with_the_way_back(
    page, axe, oidc_provider, oidc_app, app_ctx
):
    """A callback with a state Värna never issued (a forged or stale link): the Swedish page
    with a link back to the login page, nothing else."""
    page.goto("/logga-in/oidc/retur?code=x&state=inte-var")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggningen kunde inte slutföras")
    axe(page)
    page.get_by_role("link", name="Till inloggningssidan").click()
    expect(page.get_by_role("link", name=BUTTON)).to_be_visible()
    axe(page)
    [event] = _events("auth.federated_refused")
    assert event.details["provider"] == "oidc"
