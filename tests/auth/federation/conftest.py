from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from app.auth import oidc
from tests.auth.federation import fake_provider
from tests.auth.federation import oidc_provider as idp


@pytest.fixture(scope="session")
def oidc_provider(live_server: str) -> Iterator[idp.OidcProvider]:
    """The real provider, with Värna's live server as its client's redirect URI."""
    yield from idp.start(live_server)


@pytest.fixture
def oidc_app(app: Flask, oidc_provider: idp.OidcProvider, monkeypatch) -> Iterator[Flask]:
    """Värna configured for the real provider (as docs/sign-in.md says)."""
    monkeypatch.setitem(app.config, "OIDC_DISCOVERY_URL", oidc_provider.discovery_url)
    monkeypatch.setitem(app.config, "OIDC_CLIENT_ID", oidc_provider.client_id)
    monkeypatch.setitem(app.config, "OIDC_CLIENT_SECRET", oidc_provider.client_secret)
    oidc.forget_cache()
    yield app
    oidc.forget_cache()


@pytest.fixture(scope="session")
def _fake_server() -> Iterator[fake_provider.FakeProvider]:
    provider, stop = fake_provider.serve()
    yield provider
    stop()


@pytest.fixture
def fake(app: Flask, _fake_server, monkeypatch) -> Iterator[fake_provider.FakeProvider]:
    """Värna configured for the forging provider, fresh keys and no login under way."""
    _fake_server.keys = [fake_provider.new_key("nyckel-1")]
    _fake_server.jwks_requests = 0
    _fake_server.token_requests = []
    _fake_server.challenge = _fake_server.nonce = _fake_server.id_token = None
    monkeypatch.setitem(app.config, "OIDC_DISCOVERY_URL", _fake_server.discovery_url)
    monkeypatch.setitem(app.config, "OIDC_CLIENT_ID", fake_provider.CLIENT_ID)
    monkeypatch.setitem(app.config, "OIDC_CLIENT_SECRET", fake_provider.CLIENT_SECRET)
    oidc.forget_cache()
    yield _fake_server
    oidc.forget_cache()
