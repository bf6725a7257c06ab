"""Every check of the provider's answer (app/auth/oidc.py): each refusal is a Swedish page,
an audit event, no login and no account, never a 500. The tokens are forged here
(fake_provider.py); the journeys through a real provider are in test_oidc_browser.py."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Employee
from tests.auth.federation.fake_provider import CLIENT_ID, new_key


@pytest.fixture
def anna(make):
    return make.employee(email="anna.berg@kommun.se", first_name="Anna", last_name="Berg")


def _start(client, fake, next_target: str | None = None) -> dict[str, str]:
    """Start a login as the browser would; the provider learns the challenge and nonce."""
    response = client.get("/logga-in/oidc" + (f"?next={next_target}" if next_target else ""))
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(fake.issuer + "/authorize?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    fake.challenge = query["code_challenge"]
    fake.nonce = query["nonce"]
    return query


def _finish(client, fake, query, **args):
    params = {"code": fake.code, "state": query["state"], **args}
    return client.get("/logga-in/oidc/retur", query_string=params)


def _refused(response, reason: str) -> None:
    assert response.status_code == 400
    assert "Inloggningen kunde inte slutföras" in response.get_data(as_text=True)
    db.session.expire_all()
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "auth.federated_refused")
    ).all()
    assert [e.details for e in events] == [{"provider": "oidc", "reason": reason}]
    assert not db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "auth.federated_login")
    ).all()


def _logged_in(client) -> bool:
    return client.get("/").status_code == 200


def test_the_start_asks_for_the_code_flow_with_pkce_state_and_nonce(client, fake, app):
    query = _start(client, fake)
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["code_challenge_method"] == "S256"
    assert query["scope"] == "openid email profile"
    assert query["redirect_uri"].endswith("/logga-in/oidc/retur")
    assert len(query["state"]) >= 32
    assert len(query["nonce"]) >= 32
    # A second start is a new state and nonce.
    again = _start(client, fake)
    assert (again["state"], again["nonce"]) != (query["state"], query["nonce"])


def test_a_good_answer_logs_the_person_in_where_they_were_going(client, fake, anna):
    query = _start(client, fake, "/kurser")
    fake.id_token = lambda nonce: fake.sign(fake.claims(nonce))
    response = _finish(client, fake, query)
    assert response.status_code == 302
    assert response.headers["Location"] == "/kurser"
    assert _logged_in(client)
    [sent] = fake.token_requests
    assert sent["grant_type"] == "authorization_code"
    assert len(sent["code_verifier"]) >= 43
    assert fake.jwks_requests == 1


def test_wrong_state_is_refused(client, fake, anna):
    query = _start(client, fake)
    fake.id_token = lambda nonce: fake.sign(fake.claims(nonce))
    _refused(_finish(client, fake, query, state="någon-annans-" + query["state"]), "state")
    assert not _logged_in(client)
    assert fake.token_requests == []  # the code was never exchanged


def test_an_answer_without_a_login_started_here_is_refused(client, fake, anna):
    response = client.get("/logga-in/oidc/retur", query_string={"code": "x", "state": "y"})
    _refused(response, "state")


def test_the_same_answer_twice_is_refused(client, fake, anna):
    query = _start(client, fake)
    fake.id_token = lambda nonce: fake.sign(fake.claims(nonce))
    assert _finish(client, fake, query).status_code == 302
    # The answer (code and state) again, from another browser: no login under way there.
    other = _start_fresh_client(client)
    response = _finish(other, fake, query)
    assert response.status_code == 400
    assert "Inloggningen kunde inte slutföras" in response.get_data(as_text=True)
    db.session.expire_all()
    [event] = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "auth.federated_refused")
    ).all()
    assert event.details == {"provider": "oidc", "reason": "state"}
    assert not _logged_in(other)
    assert len(fake.token_requests) == 1  # the code was exchanged once only


def _start_fresh_client(client):
    return client.application.test_client()


def test_a_replayed_nonce_is_refused(client, fake, anna):
    first = _start(client, fake)
    old_nonce = first["nonce"]
    query = _start(client, fake)  # a new login; the token carries the earlier login's nonce
    fake.id_token = lambda nonce: fake.sign(fake.claims(old_nonce))
    _refused(_finish(client, fake, query), "nonce")
    assert not _logged_in(client)


def test_a_token_without_a_nonce_is_refused(client, fake, anna):
    query = _start(client, fake)
    fake.id_token = lambda nonce: fake.sign(fake.claims(None))
    _refused(_finish(client, fake, query), "nonce_missing")


def test_a_token_signed_with_an_unknown_key_is_refused_after_one_fresh_look(client, fake, anna):
    stranger = new_key("okänd-nyckel")
    query = _start(client, fake)
    fake.id_token = lambda nonce: fake.sign(fake.claims(nonce), key=stranger)
    _refused(_finish(client, fake, query), "unknown_key")
    assert fake.jwks_requests == 1  # nothing cached yet: one fetch, the kid still unknown


def test_a_known_kid_with_a_forged_signature_is_refused(client, fake, anna):
    forger = new_key("nyckel-1")  # the provider's key id, someone else's key
    query = _start(client, fake)
    fake.id_token = lambda nonce: fake.sign(fake.claims(nonce), key=forger)
    _refused(_finish(client, fake, query), "signature")


def test_rotated_keys_are_fetched_again_once(client, fake, anna, app):
    query = _start(client, fake)
    fake.id_token = lambda nonce: fake.sign(fake.claims(nonce))
    assert _finish(client, fake, query).status_code == 302
    assert fake.jwks_requests == 1
    # The provider rotates its key: the next token has a kid Värna has not seen.
    rotated = new_key("nyckel-2")
    fake.keys = [rotated, *fake.keys]
    other = _start_fresh_client(client)
    query = _start(other, fake)
    fake.id_token = lambda nonce: fake.sign(fake.claims(nonce), key=rotated)
    assert _finish(other, fake, query).status_code == 302
    assert fake.jwks_requests == 2
    # A third login with the same key: from the cache.
    third = _start_fresh_client(client)
    query = _start(third, fake)
    assert _finish(third, fake, query).status_code == 302
    assert fake.jwks_requests == 2


def test_a_token_for_another_client_is_refused(client, fake, anna):
    query = _start(client, fake)
    fake.id_token = lambda nonce: fake.sign(fake.claims(nonce, aud="en-annan-tjanst"))
    _refused(_finish(client, fake, query), "audience")


def test_a_token_from_another_issuer_is_refused(client, fake, anna):
    query = _start(client, fake)
    fake.id_token = lambda nonce: fake.sign(fake.claims(nonce, iss="https://idp.example"))
    _refused(_finish(client, fake, query), "issuer")


def test_an_expired_token_is_refused(client, fake, anna):
    query = _start(client, fake)
    now = int(time.time())
    fake.id_token = lambda nonce: fake.sign(fake.claims(nonce, iat=now - 900, exp=now - 120))
    _refused(_finish(client, fake, query), "expired")


def test_a_token_just_past_its_expiry_is_within_the_leeway(client, fake, anna):
    query = _start(client, fake)
    now = int(time.time())
    fake.id_token = lambda nonce: fake.sign(fake.claims(nonce, iat=now - 300, exp=now - 20))
    assert _finish(client, fake, query).status_code == 302


def test_a_token_issued_in_the_future_is_refused(client, fake, anna):
    query = _start(client, fake)
    now = int(time.time())
    fake.id_token = lambda nonce: fake.sign(fake.claims(nonce, iat=now + 600, exp=now + 900))
    _refused(_finish(client, fake, query), "issued_at")


def test_an_unsigned_token_is_refused(client, fake, anna):
    query = _start(client, fake)

    def unsigned(nonce):
        import base64
        import json

        def part(data):
            return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

        return part({"alg": "none"}) + "." + part(fake.claims(nonce)) + "."

    fake.id_token = unsigned
    _refused(_finish(client, fake, query), "algorithm")


def test_the_providers_error_answer_is_refused(client, fake, anna):
    query = _start(client, fake)
    response = client.get(
        "/logga-in/oidc/retur", query_string={"error": "access_denied", "state": query["state"]}
    )
    _refused(response, "provider_error")


def test_a_code_exchange_the_provider_refuses_is_refused(client, fake, anna):
    query = _start(client, fake)
    fake.challenge = "inte-den-som-skickades"  # the verifier will not match
    fake.id_token = lambda nonce: fake.sign(fake.claims(nonce))
    _refused(_finish(client, fake, query), "token_request")


def test_an_unreachable_provider_is_a_page_not_a_500(client, fake, anna, app, monkeypatch):
    monkeypatch.setitem(app.config, "OIDC_DISCOVERY_URL", "http://127.0.0.1:9/.well-known/x")
    response = client.get("/logga-in/oidc")
    _refused(response, "provider_unreachable")


def test_nothing_is_created_for_someone_not_in_the_hr_import(client, fake, anna):
    people = db.session.scalar(sa.select(sa.func.count()).select_from(Employee))
    query = _start(client, fake)
    fake.id_token = lambda nonce: fake.sign(fake.claims(nonce, email="ny.person@kommun.se"))
    response = _finish(client, fake, query)
    assert response.status_code == 403
    assert "Du finns inte i Värna än — kontakta HR" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Employee)) == people
    assert not _logged_in(client)


def test_the_identity_claim_can_be_another_claim(client, fake, anna, app, monkeypatch):
    monkeypatch.setitem(app.config, "OIDC_IDENTITY_CLAIM", "upn")
    query = _start(client, fake)
    fake.id_token = lambda nonce: fake.sign(
        fake.claims(nonce, email="fel@kommun.se", upn="Anna.Berg@kommun.se")
    )
    assert _finish(client, fake, query).status_code == 302
    assert _logged_in(client)
