"""A session that ends in the middle of a module or the quiz loses nothing (issue 20, point 1,
WCAG 2.2.1), without JavaScript: the form sent after the end is kept for the same person,
the login returns to the page (never to a POST-only address) and says why it was needed."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD, AuthActions


@pytest.fixture
def mia(make, example, auth):
    person = make.employee(email="mia@k.se", first_name="Mia")
    auth.login("mia@k.se")
    return person


def _go_idle(app, client) -> None:
    with client.session_transaction() as session:
        session["seen"] -= app.config["SESSION_IDLE_MINUTES"] * 60 + 1


def _checked(html: str) -> set[str]:
    return set(re.findall(r'name="(q-\w+)" id="[^"]*" value="(\w+)" checked', html))


def test_half_answered_quiz_comes_back_after_the_login(app, client, learner, mia):
    learner.read_all()
    token = learner.start_quiz()
    csrf = learner.csrf(f"/prov/{token}")
    _go_idle(app, client)

    response = client.post(f"/prov/{token}", data={"csrf_token": csrf, "q-q1": "a", "q-q3": "b"})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/logga-in?next=/prov/{token}")
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Du loggades ut eftersom du inte varit aktiv på 30 minuter." in login_page
    assert "Det du skickade är sparat" in login_page
    response = _login(client, response.headers["Location"], login_page)
    assert response.headers["Location"] == f"/prov/{token}"
    page = client.get(f"/prov/{token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert _checked(html) == {("q-q1", "a"), ("q-q3", "b")}
    assert "Dina svar finns kvar" in html
    # Given back once: the next visit is the quiz as the person leaves it.
    assert _checked(client.get(f"/prov/{token}").get_data(as_text=True)) == set()


def test_next_module_after_the_end_returns_to_the_module_not_a_405(app, client, learner, mia):
    learner.start()
    csrf = learner.csrf("/kurser/example-intro/moduler/1")
    _go_idle(app, client)

    response = client.post("/kurser/example-intro/moduler/1/klar", data={"csrf_token": csrf})

    login_address = response.headers["Location"]
    assert login_address.endswith("/logga-in?next=/kurser/example-intro/moduler/1")
    response = _login(client, login_address, client.get(login_address).get_data(as_text=True))
    assert response.headers["Location"] == "/kurser/example-intro/moduler/1"
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "Nästa modul" in page.get_data(as_text=True)


def test_a_check_question_sent_after_the_end_is_answered_after_the_login(app, client, learner, mia):
    learner.start()
    csrf = learner.csrf("/kurser/example-intro/moduler/1")
    _go_idle(app, client)

    response = client.post(
        "/kurser/example-intro/moduler/1/kontroll/0", data={"csrf_token": csrf, "svar": "0"}
    )

    login_address = response.headers["Location"]
    response = _login(client, login_address, client.get(login_address).get_data(as_text=True))
    assert response.headers["Location"] == "/kurser/example-intro/moduler/1#kontroll-1"
    html = client.get("/kurser/example-intro/moduler/1").get_data(as_text=True)
    assert "Rätt. Värna sparar var du är efter varje steg." in html
    assert re.search(r'name="svar" id="k0-0" value="0" checked', html)


def test_the_answers_are_given_back_only_to_the_same_person(app, client, learner, make, mia):
    learner.read_all()
    token = learner.start_quiz()
    csrf = learner.csrf(f"/prov/{token}")
    _go_idle(app, client)
    response = client.post(f"/prov/{token}", data={"csrf_token": csrf, "q-q1": "a"})
    make.employee(email="kim@k.se", first_name="Kim")

    # Someone else logs in at the same browser: nothing of Mia's is carried over.
    login_address = response.headers["Location"]
    _login(client, login_address, client.get(login_address).get_data(as_text=True), "kim@k.se")
    assert client.get(f"/prov/{token}").status_code == 404
    with client.session_transaction() as session:
        assert "pending" not in session
    AuthActions(client).logout()
    AuthActions(client).login("mia@k.se")
    assert _checked(client.get(f"/prov/{token}").get_data(as_text=True)) == set()


def test_a_stale_post_only_next_address_lands_on_its_page(client, learner, make, example):
    make.employee(email="mia@k.se")
    login_address = "/logga-in?next=/kurser/example-intro/moduler/1/klar"
    response = _login(client, login_address, client.get(login_address).get_data(as_text=True))
    assert response.headers["Location"] == "/kurser/example-intro/moduler/1"
    login_address = "/logga-in?next=/kurser/example-intro/starta"
    AuthActions(client).logout()
    response = _login(client, login_address, client.get(login_address).get_data(as_text=True))
    assert response.headers["Location"] == "/kurser/example-intro"


def test_the_login_page_says_the_session_ended_for_inactivity(app, client, auth, mia):
    _go_idle(app, client)
    html = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Du loggades ut eftersom du inte varit aktiv på 30 minuter." in html
    assert "Logga in för att se sidan." not in html


def test_keep_alive_keeps_the_session_and_refuses_an_ended_one(app, client, learner, mia):
    csrf = learner.csrf()
    with client.session_transaction() as session:
        session["seen"] -= app.config["SESSION_IDLE_MINUTES"] * 60 - 5  # 5 s left
    assert client.post("/konto/fortsatt", headers={"X-CSRFToken": csrf}).status_code == 204
    with client.session_transaction() as session:
        session["seen"] -= 10  # past the old limit, well within the new one
    assert client.get("/").status_code == 200
    _go_idle(app, client)
    assert client.post("/konto/fortsatt", headers={"X-CSRFToken": csrf}).status_code == 401


def _login(client, login_address: str, login_page: str, email: str = "mia@k.se"):
    """Log in on the login page at `login_address` (which carries `next`)."""
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page)
    assert token, login_page[:500]
    return client.post(
        login_address, data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
    )


def test_the_login_page_says_when_the_absolute_limit_ended_the_session(app, client, mia):
    with client.session_transaction() as session:
        session["login_at"] -= int(app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()) + 1
    html = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Du loggades ut eftersom du varit inloggad i 12 timmar." in html


def test_the_english_interface_stays_english_and_says_why(app, client, learner, mia):
    client.post("/sprak", data={"lang": "en", "csrf_token": learner.csrf()})
    _go_idle(app, client)
    html = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert 'lang="en"' in html
    assert "You were logged out because you had not been active for 30 minutes." in html
