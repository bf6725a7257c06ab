"""Login throttling: per account and per client address, shared between app instances
through the real Redis at 127.0.0.1:6379."""

from __future__ import annotations

import secrets

import pytest
import redis

from app import create_app
from tests.conftest import PASSWORD, AuthActions, FreshContextClient

REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_available() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture
def limited_apps(database_url):
    if not _redis_available():
        pytest.fail("Redis på 127.0.0.1:6379 krävs för throttling-testet (startas före CI).")
    prefix = f"varna-test-{secrets.token_hex(4)}"
    config = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": prefix,
        "RATELIMIT_LOGIN_ACCOUNT": "10 per 15 minutes",
        "RATELIMIT_LOGIN_ADDRESS": "100 per hour",
    }
    apps = [create_app(dict(config)), create_app(dict(config))]
    for a in apps:
        a.test_client_class = FreshContextClient
    yield apps
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)


def test_eleventh_failed_login_is_refused_across_two_instances(limited_apps, make):
    make.employee(email="anna@kommun.se")
    clients = [AuthActions(a.test_client()) for a in limited_apps]
    for attempt in range(10):
        response = clients[attempt % 2].login("anna@kommun.se", "fel-losenord-nummer-ett")
        assert response.status_code == 200, attempt
    refused = clients[0].login("anna@kommun.se", "fel-losenord-nummer-ett")
    assert refused.status_code == 429
    text = refused.get_data(as_text=True)
    assert "Försök igen om" in text
    assert "minuter" in text
    # even the right password is refused for the window, on either instance
    assert clients[1].login("anna@kommun.se", PASSWORD).status_code == 429
    # another account from the same address is not locked out
    make.employee(email="bo@kommun.se")
    assert clients[1].login("bo@kommun.se", PASSWORD).status_code == 302


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
