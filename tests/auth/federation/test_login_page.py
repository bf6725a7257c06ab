"""The login page with the municipality's identity provider, PASSWORD_LOGIN's three modes,
and the logout that ends the provider's session too (issue 11, point 4)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Employee
from tests.auth.federation.fake_provider import CLIENT_ID
from tests.conftest import PASSWORD, csrf_from

BUTTON = "Logga in med kommunens konto"
OFF = "Inloggning med lösenord är avstängd för ditt konto."


def _failed(reason: str) -> list[AuditEvent]:
    db.session.expire_all()
    return [
        e
        for e in db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "auth.login_failed")
        )
        if e.details.get("reason") == reason
    ]


def _post_password(client, email: str, password: str = PASSWORD):
    # The login page may have no form (PASSWORD_LOGIN=off): the token from another form.
    token = csrf_from(client.get("/konto/glomt-losenord").get_data(as_text=True))
    return client.post(
        "/logga-in", data={"email": email, "password": password, "csrf_token": token}
    )


def test_without_a_provider_the_page_is_as_before(client):
    html = client.get("/logga-in").get_data(as_text=True)
    assert BUTTON not in html
    assert 'name="password"' in html
    assert "Har du inget lösenord?" in html
    assert client.get("/logga-in/oidc").status_code == 404


def test_with_a_provider_the_page_leads_with_the_municipalitys_account(client, fake):
    html = client.get("/logga-in?next=/kurser").get_data(as_text=True)
    main = html[html.index("<main") :]
    assert main.index(BUTTON) < main.index('name="email"')
    assert main.index(BUTTON) < main.index("<form")
    assert 'href="/logga-in/oidc?next=%2Fkurser"' in main
    assert "Logga in med lösenord" in main


def test_the_button_text_is_configurable(client, fake, app, monkeypatch):
    monkeypatch.setitem(app.config, "OIDC_LABEL", "Logga in med Exempelby-kontot")
    assert "Logga in med Exempelby-kontot" in client.get("/logga-in").get_data(as_text=True)


def test_password_login_off_hides_the_form_and_refuses_a_post(client, fake, app, make, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_LOGIN", "off")
    make.employee(email="anna@kommun.se", is_hr=True)
    html = client.get("/logga-in").get_data(as_text=True)
    assert BUTTON in html
    assert 'name="password"' not in html
    assert "Glömt lösenordet?" not in html
    response = _post_password(client, "anna@kommun.se")
    assert response.status_code == 403
    text = response.get_data(as_text=True)
    assert OFF in text
    assert "Logga in med kommunens konto i stället." in text
    assert client.get("/").status_code == 302
    [event] = _failed("password_login_off")
    assert event.target_id is None  # nothing looked up


@pytest.mark.parametrize("mode", ["admins", "off"])
def test_a_password_login_the_mode_forbids_does_not_log_in(
    client, fake, app, make, mode, monkeypatch
):
    monkeypatch.setitem(app.config, "PASSWORD_LOGIN", mode)
    person = make.employee(email="anna@kommun.se")
    response = _post_password(client, "anna@kommun.se")
    assert response.status_code == 403
    assert OFF in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    db.session.expire_all()
    assert db.session.get(Employee, person.id).last_login_at is None
    assert len(_failed("password_login_off")) == 1


def test_admins_mode_lets_hr_and_admin_accounts_use_their_password(
    client, fake, app, make, runner, monkeypatch
):
    monkeypatch.setitem(app.config, "PASSWORD_LOGIN", "admins")
    make.employee(email="hr@kommun.se", is_hr=True)
    result = runner.invoke(
        args=["users", "create-admin", "admin@kommun.se"],
        input="ett-langt-adminlosenord\nett-langt-adminlosenord\n",
    )
    assert result.exit_code == 0, result.output
    html = client.get("/logga-in").get_data(as_text=True)
    assert "Inloggning med lösenord är bara för administratörer." in html
    assert 'name="password"' in html
    assert _post_password(client, "hr@kommun.se").status_code == 302
    client.get("/")
    other = client.application.test_client()
    assert _post_password(other, "admin@kommun.se", "ett-langt-adminlosenord").status_code == 302


def test_admins_mode_says_nothing_about_an_account_to_a_wrong_password(
    client, fake, app, make, monkeypatch
):
    monkeypatch.setitem(app.config, "PASSWORD_LOGIN", "admins")
    make.employee(email="anna@kommun.se")
    response = _post_password(client, "anna@kommun.se", "fel-losenord-helt-klart")
    assert response.status_code == 200
    assert "Fel e-postadress eller lösenord." in response.get_data(as_text=True)
    assert _failed("password_login_off") == []


def test_password_login_off_without_a_provider_says_to_contact_hr(client, app, make, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_LOGIN", "off")
    response = _post_password(client, "anna@kommun.se")
    assert response.status_code == 403
    assert "Kontakta HR." in response.get_data(as_text=True)


def _federated_login(client, fake, email="anna.berg@kommun.se"):
    response = client.get("/logga-in/oidc")
    query = {k: v[0] for k, v in parse_qs(urlsplit(response.headers["Location"]).query).items()}
    fake.challenge, fake.nonce = query["code_challenge"], query["nonce"]
    tokens = []

    def id_token(nonce):
        tokens.append(fake.sign(fake.claims(nonce, email=email)))
        return tokens[-1]

    fake.id_token = id_token
    response = client.get(
        "/logga-in/oidc/retur", query_string={"code": fake.code, "state": query["state"]}
    )
    assert response.status_code == 302
    return tokens[0]


def test_logout_ends_the_session_then_the_providers(client, fake, make):
    anna = make.employee(email="anna.berg@kommun.se")
    token_before = anna.session_token
    id_token = _federated_login(client, fake)
    page = client.get("/")
    assert page.status_code == 200
    # The logout form's redirect may go on to the provider (CSP form-action).
    assert f"form-action 'self' {fake.issuer}" in page.headers["Content-Security-Policy"]
    response = client.post("/logga-ut", data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == fake.issuer + "/logout"
    params = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert params == {
        "id_token_hint": id_token,
        "post_logout_redirect_uri": "http://localhost/logga-in",
        "client_id": CLIENT_ID,
    }
    db.session.expire_all()
    assert db.session.get(Employee, anna.id).session_token != token_before  # every device
    assert client.get("/").status_code == 302
    assert "Du är utloggad." in client.get("/logga-in").get_data(as_text=True)


def test_a_password_login_logs_out_at_varna_only(client, auth, fake, make):
    make.employee(email="anna@kommun.se")
    assert auth.login("anna@kommun.se").status_code == 302
    response = auth.logout()
    assert response.headers["Location"] == "/logga-in"


def test_no_provider_no_extra_form_action(client):
    csp = client.get("/logga-in").headers["Content-Security-Policy"]
    assert csp.endswith("form-action 'self'")
