"""Throttling of failed logins and of password-reset requests: per account and per client
address, shared between app instances through the real Redis at 127.0.0.1:6379; and the
client address behind a proxy (X-Forwarded-For only with TRUSTED_PROXIES)."""

from __future__ import annotations

import hashlib
import re
import secrets

import pytest
import redis
from flask import Flask

from app import create_app, mail
from app.extensions import db, limiter
from tests.conftest import PASSWORD, AuthActions, FreshContextClient, csrf_from

REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_available() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture
def limited(app, database_url):
    """make(count, **config): app instances with rate limiting on, sharing the real Redis.

    The limits are the configured defaults (Config) unless a test gives others. Every
    test has a key prefix of its own, removed afterwards.

    Flask-Limiter's Limiter is one object per process (app.extensions.limiter): the
    last init_app decides whether it is on and which storage it uses, and the first
    prefix given stays. So the fixture clears the prefix before making its apps, and
    afterwards puts the limiter back as the suite's app had it (off, memory): without
    that, every later test in the run would be rate limited in Redis.
    """
    if not _redis_available():
        pytest.fail("Redis på 127.0.0.1:6379 krävs för throttling-testet (startas före CI).")
    prefix = f"varna-test-{secrets.token_hex(4)}"
    made: list[Flask] = []
    saved_prefix = limiter._key_prefix

    def make(count: int = 1, **overrides) -> list[Flask]:
        config = {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": REDIS_URL,
            "RATELIMIT_KEY_PREFIX": prefix,
            **overrides,
        }
        limiter._key_prefix = ""  # else the prefix of the first test ever would stay
        apps = [create_app(dict(config)) for _ in range(count)]
        assert limiter._key_prefix == prefix
        for a in apps:
            a.test_client_class = FreshContextClient
        made.extend(apps)
        return apps

    try:
        yield make
    finally:
        limiter._key_prefix = saved_prefix
        limiter.init_app(app)  # the suite's app: RATELIMIT_ENABLED is False
        assert not limiter.enabled
        for a in made:  # no idle connections left on a PostgreSQL server others share
            with a.app_context():
                db.session.remove()
                db.engine.dispose()
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"*{prefix}*"):
            client.delete(key)


def counted(prefix_and_key: str) -> int:
    """The hits stored in Redis for limiter keys containing every part given."""
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(prefix_and_key))
    assert len(keys) == 1, keys
    return int(client.get(keys[0]))


@pytest.fixture
def limited_apps(limited):
    apps = limited(2)
    # The documented limits (docs/security.md, 2.2.1) are the defaults under test.
    assert apps[0].config["RATELIMIT_LOGIN_ACCOUNT"] == "10 per 15 minutes"
    assert apps[0].config["RATELIMIT_LOGIN_ADDRESS"] == "100 per hour"
    return apps


def test_eleventh_failed_login_is_refused_across_two_instances(limited_apps, make):
    make.employee(email="anna@kommun.se")
    clients = [AuthActions(a.test_client()) for a in limited_apps]
    for attempt in range(10):
        response = clients[attempt % 2].login("anna@kommun.se", "fel-losenord-nummer-ett")
        assert response.status_code == 200, attempt
    # The count lives in Redis, where every instance (every worker, every host) reads it;
    # per account and address, and the key holds a digest, not the e-mail address.
    prefix = limited_apps[0].config["RATELIMIT_KEY_PREFIX"]
    assert counted(f"LIMITS:LIMITER/{prefix}/login:*:127.0.0.1/auth.login:*") == 10
    assert not list(redis.Redis.from_url(REDIS_URL).scan_iter(f"*{prefix}*anna*"))
    refused = clients[0].login("anna@kommun.se", "fel-losenord-nummer-ett")
    assert refused.status_code == 429
    text = refused.get_data(as_text=True)
    assert "Försök igen om" in text
    assert "minuter" in text
    # even the right password is refused from this address, on either instance
    assert clients[1].login("anna@kommun.se", PASSWORD).status_code == 429
    # another account from the same address is not locked out
    make.employee(email="bo@kommun.se")
    assert clients[1].login("bo@kommun.se", PASSWORD).status_code == 302


def test_guessing_from_one_address_does_not_lock_the_person_out_from_theirs(limited_apps, make):
    """Issue 15, L3: the limit was per account from any address, so anyone who knew HR's
    address could keep HR out with ten wrong passwords every quarter of an hour."""
    make.employee(email="hr@kommun.se", is_hr=True)
    attacker = Client(limited_apps[0], "198.51.100.66")
    for n in range(10):
        assert attacker.login("HR@kommun.se " if n % 2 else "hr@kommun.se").status_code == 200, n
    refused = attacker.login("hr@kommun.se", PASSWORD)
    assert refused.status_code == 429
    # The refusal is the login page again, saying when and how to get back in.
    page = refused.get_data(as_text=True)
    assert "Försök igen om" in page
    assert "länken fungerar även nu" in page
    assert 'href="/konto/glomt-losenord"' in page
    assert 'name="password"' in page
    # The person, at their own address, on either instance, is let in.
    assert Client(limited_apps[1], "192.0.2.10").login("hr@kommun.se", PASSWORD).status_code == 302
    assert Client(limited_apps[0], "192.0.2.11").login("hr@kommun.se", PASSWORD).status_code == 302


def test_a_reset_link_is_a_way_back_in_while_throttled(limited_apps, make, client, smtp_server):
    """Locked out from one's own address (a shared office address where someone guesses):
    the reset link works, and the new password logs in at once from that address."""
    make.employee(email="anna@kommun.se")
    office = Client(limited_apps[0], "192.0.2.50")
    for n in range(10):
        assert office.login("anna@kommun.se").status_code == 200, n
    assert office.login("anna@kommun.se", PASSWORD).status_code == 429

    # The link from "Glömt lösenordet?" (the reset flow itself is not under test here).
    ask = csrf_from(client.get("/konto/glomt-losenord").get_data(as_text=True))
    client.post("/konto/glomt-losenord", data={"email": "anna@kommun.se", "csrf_token": ask})
    assert mail.background.wait()  # the link is sent after the response
    (message,) = smtp_server.messages
    body = message.content.decode().replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
    link = re.search(r"https?://[^/\s]+(/konto/\S+)", body).group(1)  # whatever its path
    new = "en helt ny lösenfras"
    chosen = client.post(
        link,
        data={
            "new_password": new,
            "confirm": new,
            "csrf_token": csrf_from(client.get(link).get_data(as_text=True)),
        },
    )
    assert chosen.status_code == 302

    assert office.login("anna@kommun.se", new).status_code == 302
    # The old password's guesses are spent; the new password has a count of its own.
    assert Client(limited_apps[1], "192.0.2.50").login("anna@kommun.se").status_code == 200


def test_unknown_accounts_are_throttled_the_same_way(limited_apps):
    client = AuthActions(limited_apps[0].test_client())
    for _ in range(10):
        assert client.login("finns-inte@kommun.se", "vad-som-helst-langt").status_code == 200
    assert client.login("finns-inte@kommun.se", "vad-som-helst-langt").status_code == 429


def test_successful_logins_do_not_count(limited_apps, make):
    make.employee(email="anna@kommun.se")
    app = limited_apps[0]
    for _ in range(12):
        client = AuthActions(app.test_client())
        assert client.login("anna@kommun.se").status_code == 302


# --- the per-address limit -----------------------------------------------------------------


class Client:
    """A browser at one address (REMOTE_ADDR), optionally behind a proxy's X-Forwarded-For."""

    def __init__(self, app: Flask, address: str = "192.0.2.10") -> None:
        self.client = app.test_client()
        self.address = address
        self._token: str | None = None

    def _post(self, path: str, data: dict, forwarded_for: str | None):
        if self._token is None:  # one CSRF token serves the whole session
            page = self.client.get("/logga-in", environ_base={"REMOTE_ADDR": self.address})
            self._token = csrf_from(page.get_data(as_text=True))
        headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
        return self.client.post(
            path,
            data={**data, "csrf_token": self._token},
            headers=headers,
            environ_base={"REMOTE_ADDR": self.address},
        )

    def login(self, email: str, password: str = "fel-losenord-langt", forwarded_for=None):
        return self._post("/logga-in", {"email": email, "password": password}, forwarded_for)

    def forgot(self, email: str, forwarded_for=None):
        return self._post("/konto/glomt-losenord", {"email": email}, forwarded_for)


def test_one_address_is_limited_whatever_the_accounts(limited, make):
    # The mechanism, with a small limit: each failed login costs a password hash, and 100
    # of them (the default, checked in limited_apps) take half a minute. The password
    # reset test below runs the real 100 through the same setting.
    apps = limited(2, RATELIMIT_LOGIN_ADDRESS="5 per hour")
    make.employee(email="anna@kommun.se")
    first, second = (Client(a, "192.0.2.10") for a in apps)
    # Five different accounts, so the per-account limit never applies; both instances.
    for n in range(5):
        assert (first, second)[n % 2].login(f"person{n}@kommun.se").status_code == 200, n
    refused = first.login("person-6@kommun.se")
    assert refused.status_code == 429
    assert "Försök igen om" in refused.get_data(as_text=True)
    # Even the right password, for an account never tried, from that address ...
    assert second.login("anna@kommun.se", PASSWORD).status_code == 429
    # ... while another address is not affected.
    assert Client(apps[1], "192.0.2.99").login("anna@kommun.se", PASSWORD).status_code == 302


# --- password reset ("throttled like login") ------------------------------------------------


def test_password_reset_is_throttled_per_account_across_two_instances(limited_apps, make):
    make.employee(email="anna@kommun.se")
    clients = [Client(a) for a in limited_apps]
    # Every request counts (each may send a mail), known account or not; case is ignored.
    for n in range(10):
        email = "Anna@Kommun.se" if n % 2 else "anna@kommun.se"
        assert clients[n % 2].forgot(email).status_code == 302, n
    prefix = limited_apps[0].config["RATELIMIT_KEY_PREFIX"]
    digest = hashlib.sha256(b"anna@kommun.se").hexdigest()[:32]
    key = f"LIMITS:LIMITER/{prefix}/reset:{digest}/auth.forgot_password:*"
    assert counted(key) == 10
    # The rate-limit store holds no e-mail address.
    store = redis.Redis.from_url(REDIS_URL)
    assert not [k for k in store.scan_iter(f"LIMITS:LIMITER/{prefix}/*") if b"@" in k]
    refused = clients[0].forgot("anna@kommun.se")
    assert refused.status_code == 429
    assert "Försök igen om" in refused.get_data(as_text=True)
    assert clients[1].forgot("anna@kommun.se").status_code == 429
    # The same for an address with no account: the answer does not tell them apart.
    for n in range(10):
        assert clients[n % 2].forgot("ingen@kommun.se").status_code == 302, n
    assert clients[0].forgot("ingen@kommun.se").status_code == 429
    # Another account from the same address is not locked out.
    assert clients[1].forgot("bo@kommun.se").status_code == 302


def test_password_reset_is_throttled_per_address(limited_apps):
    first, second = (Client(a, "192.0.2.20") for a in limited_apps)
    for n in range(100):
        assert (first, second)[n % 2].forgot(f"person{n}@kommun.se").status_code == 302, n
    assert first.forgot("person-101@kommun.se").status_code == 429
    assert Client(limited_apps[0], "192.0.2.21").forgot("person-1@kommun.se").status_code == 302


# --- X-Forwarded-For: honoured only with TRUSTED_PROXIES ------------------------------------


def test_without_trusted_proxies_x_forwarded_for_is_ignored(limited):
    (app,) = limited(1, RATELIMIT_LOGIN_ADDRESS="3 per hour")
    assert app.config["TRUSTED_PROXIES"] == 0  # the default
    client = Client(app, "192.0.2.30")
    # A client that invents a new X-Forwarded-For each time gets no fresh budget.
    for n in range(3):
        assert client.login(f"p{n}@kommun.se", forwarded_for=f"203.0.113.{n}").status_code == 200
    assert client.login("p9@kommun.se", forwarded_for="203.0.113.9").status_code == 429


def test_with_a_trusted_proxy_the_forwarded_address_is_the_client(limited):
    (app,) = limited(1, RATELIMIT_LOGIN_ADDRESS="3 per hour", TRUSTED_PROXIES=1)
    proxy = "10.0.0.1"  # every request arrives from the proxy
    alice, bob = Client(app, proxy), Client(app, proxy)
    for n in range(3):
        assert alice.login(f"a{n}@kommun.se", forwarded_for="203.0.113.5").status_code == 200
    assert alice.login("a9@kommun.se", forwarded_for="203.0.113.5").status_code == 429
    # Another client behind the same proxy has a budget of its own ...
    assert bob.login("b0@kommun.se", forwarded_for="203.0.113.6").status_code == 200
    # ... and only the hop the proxy added counts: a value the client put in front of it
    # (X-Forwarded-For: <made up>, <real>) does not give it a fresh budget.
    spoofed = alice.login("a10@kommun.se", forwarded_for="198.51.100.7, 203.0.113.5")
    assert spoofed.status_code == 429


# --- the current password, when changing it (issue 15, L10) ---------------------------------


def _change(client, current: str, new: str = "en annan lång lösenfras"):
    token = csrf_from(client.get("/konto/losenord").get_data(as_text=True))
    return client.post(
        "/konto/losenord",
        data={
            "current_password": current,
            "new_password": new,
            "confirm": new,
            "csrf_token": token,
        },
    )


def test_guessing_the_current_password_is_throttled_per_account(limited_apps, make):
    """A stolen session had unlimited guesses at the password, and then the account."""
    make.employee(email="anna@kommun.se")
    thief, anna = (a.test_client() for a in limited_apps)
    assert AuthActions(thief).login("anna@kommun.se").status_code == 302
    assert AuthActions(anna).login("anna@kommun.se").status_code == 302
    # A new password that breaks the rules is not a guess: it does not count.
    for _ in range(3):
        assert "minst 12 tecken" in _change(thief, PASSWORD, "kort").get_data(as_text=True)
    for n in range(10):
        wrong = _change(thief, f"gissning-nummer-{n}")
        assert wrong.status_code == 200, n
        assert "nuvarande lösenordet stämmer inte" in wrong.get_data(as_text=True)
    refused = _change(thief, PASSWORD)
    assert refused.status_code == 429
    assert "Försök igen om" in refused.get_data(as_text=True)
    # Per account: another session of the same person, on the other instance, waits too.
    assert _change(anna, PASSWORD).status_code == 429
    # The password is unchanged and both sessions are still signed in.
    assert AuthActions(limited_apps[0].test_client()).login("anna@kommun.se").status_code == 302


def test_a_control_character_in_the_e_mail_is_refused_not_a_500(limited_apps):
    """The limiter looks the account up before app.security refuses the NUL (PostgreSQL
    cannot compare one): the refusal is still the answer."""
    response = Client(limited_apps[0]).login("anna\x00@kommun.se")
    assert response.status_code == 400
    assert "Fältet ”email” innehåller ett otillåtet tecken (NUL)" in response.get_data(as_text=True)
