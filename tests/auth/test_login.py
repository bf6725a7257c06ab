from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Employee
from tests.conftest import PASSWORD, csrf_from


def test_login_and_logout(client, auth, make):
    person = make.employee(email="anna@kommun.se")
    response = auth.login("ANNA@kommun.se ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    start = client.get("/")
    assert "Min utbildning" in start.get_data(as_text=True)
    assert person.first_name in start.get_data(as_text=True)
    auth.logout()
    assert client.get("/").status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_answer(auth, make):
    make.employee(email="anna@kommun.se")
    wrong = auth.login("anna@kommun.se", "fel-losenord-helt-klart")
    unknown = auth.login("ingen@kommun.se", "fel-losenord-helt-klart")
    assert wrong.status_code == unknown.status_code == 200
    message = "Fel e-postadress, anställningsnummer eller lösenord."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)


def test_a_deactivated_person_cannot_log_in(auth, make):
    make.employee(email="slutat@kommun.se", active=False)
    response = auth.login("slutat@kommun.se")
    assert response.status_code == 200
    assert "Fel e-postadress, anställningsnummer eller lösenord." in response.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client, make):
    make.employee(email="anna@kommun.se")
    response = client.post("/logga-in", data={"email": "anna@kommun.se", "password": PASSWORD})
    assert response.status_code == 400
    assert "säkerhetstoken" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still not logged in


def test_open_redirect_after_login_is_refused(client, make):
    make.employee(email="anna@kommun.se")
    token = csrf_from(client.get("/logga-in").get_data(as_text=True))
    response = client.post(
        "/logga-in?next=//evil.example/x",
        data={"email": "anna@kommun.se", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def _change(client, current, new, confirm=None):
    token = csrf_from(client.get("/konto/losenord").get_data(as_text=True))
    return client.post(
        "/konto/losenord",
        data={
            "current_password": current,
            "new_password": new,
            "confirm": confirm if confirm is not None else new,
            "csrf_token": token,
        },
    )


def test_password_change_rules(client, auth, make):
    make.employee(email="anna@kommun.se")
    auth.login("anna@kommun.se")
    short = _change(client, PASSWORD, "kort")
    assert "minst 12 tecken" in short.get_data(as_text=True)
    common = _change(client, PASSWORD, "password1234")
    assert "för vanligt" in common.get_data(as_text=True)
    wrong_current = _change(client, "inte-det-gamla-losenordet", "en ny lång lösenfras")
    assert "nuvarande lösenordet stämmer inte" in wrong_current.get_data(as_text=True)


def test_password_change_ends_other_sessions(app, client, auth, make):
    person = make.employee(email="anna@kommun.se")
    other = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(other).login("anna@kommun.se")
    assert other.get("/").status_code == 200
    auth.login("anna@kommun.se")
    response = _change(client, PASSWORD, "en ny lång lösenfras")
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this session goes on
    assert other.get("/").status_code == 302  # the other one has ended
    db.session.expire_all()
    assert db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "account.password_set", AuditEvent.target_id == str(person.id)
        )
    )
    assert db.session.get(Employee, person.id).password_hash.startswith("scrypt:")


def test_language_switch_shows_english(client, auth, make):
    make.employee(email="anna@kommun.se")
    page = client.get("/logga-in").get_data(as_text=True)
    token = csrf_from(page)
    client.post("/sprak", data={"lang": "en", "next": "/logga-in", "csrf_token": token})
    english = client.get("/logga-in").get_data(as_text=True)
    assert 'lang="en"' in english
    assert "Log in" in english


def test_logout_ends_every_session_of_the_person(app, client, auth, make):
    from tests.conftest import AuthActions

    make.employee(email="anna@kommun.se")
    other = app.test_client()
    AuthActions(other).login("anna@kommun.se")
    auth.login("anna@kommun.se")
    auth.logout()
    assert other.get("/").status_code == 302


def test_idle_session_ends(app, client, auth, make):
    make.employee(email="anna@kommun.se")
    auth.login("anna@kommun.se")
    with client.session_transaction() as session:
        session["seen"] -= app.config["SESSION_IDLE_MINUTES"] * 60 + 1
    assert client.get("/").status_code == 302


def test_session_ends_after_the_absolute_limit(app, client, auth, make):
    make.employee(email="anna@kommun.se")
    auth.login("anna@kommun.se")
    with client.session_transaction() as session:
        session["login_at"] -= int(app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()) + 1
    assert client.get("/").status_code == 302
