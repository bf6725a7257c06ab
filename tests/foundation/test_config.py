"""Configuration, and what production really sends: the session cookie's attributes and
the security headers, read from real responses of an app made with ProductionConfig."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from app.extensions import db, limiter
from config import DevelopmentConfig, ProductionConfig
from tests.conftest import PASSWORD, FreshContextClient, csrf_from

HTTPS = "https://varna.example"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)

    class NoSecret(ProductionConfig):
        SECRET_KEY = None
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(NoSecret)


def test_postgres_url_uses_psycopg3():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql://u@localhost/x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def _app_with(suite_app: Flask, base: type, database_url: str, upload_dir: Path) -> Iterator[Flask]:
    """An app made with a real config class, on the suite's (migrated) test database.

    Rate limiting is on outside testing, and Flask-Limiter's limiter is one object per
    process whose last init_app wins: afterwards it is put back as the suite's app has
    it (off), or every later test in the run would be rate limited.
    """

    class Config(base):
        SECRET_KEY = secrets.token_hex(32)
        SQLALCHEMY_DATABASE_URI = database_url
        UPLOAD_DIR = str(upload_dir)
        MAIL_SERVER = None
        RATELIMIT_STORAGE_URI = "memory://"
        RATELIMIT_ALLOW_MEMORY = True  # one test process (production refuses memory:// else)

    # Outside testing, create_app installs its own log handler on the root logger;
    # put the root logger back as it was, so that the rest of the suite is not affected.
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    saved_prefix = limiter._key_prefix
    try:
        app = create_app(Config)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    assert not app.testing
    app.test_client_class = FreshContextClient
    try:
        yield app
    finally:
        limiter._key_prefix = saved_prefix
        limiter.init_app(suite_app)
        assert not limiter.enabled
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def production_app(app, database_url, tmp_path) -> Iterator[Flask]:
    yield from _app_with(app, ProductionConfig, database_url, tmp_path)


@pytest.fixture
def development_app(app, database_url, tmp_path) -> Iterator[Flask]:
    yield from _app_with(app, DevelopmentConfig, database_url, tmp_path)


def _set_cookie(response, name: str) -> dict[str, str]:
    """The attributes of the Set-Cookie header for cookie `name` (lower-case keys)."""
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    assert len(headers) == 1, response.headers.getlist("Set-Cookie")
    attributes = {}
    for part in headers[0].split(";")[1:]:
        key, _, value = part.strip().partition("=")
        attributes[key.lower()] = value
    return attributes


def _login(client, email: str):
    token = csrf_from(client.get("/logga-in", base_url=HTTPS).get_data(as_text=True))
    return client.post(
        "/logga-in",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        base_url=HTTPS,
        # Over HTTPS Flask-WTF also wants a same-site Referer, as a browser sends it.
        headers={"Referer": f"{HTTPS}/logga-in"},
    )


def test_production_cookies_are_secure(production_app, make):
    make.employee(email="anna@kommun.se")
    client = production_app.test_client()
    # The login page already sets the session cookie (the CSRF token lives in it) ...
    page = client.get("/logga-in", base_url=HTTPS)
    for attributes in (
        _set_cookie(page, "__Host-session"),
        _set_cookie(_login(client, "anna@kommun.se"), "__Host-session"),
    ):
        # ... and the login sets a new one: both Secure, HttpOnly and SameSite=Lax, and
        # __Host- prefixed, which a browser accepts only with Secure, Path=/ and no Domain.
        assert "secure" in attributes
        assert "httponly" in attributes
        assert attributes["samesite"] == "Lax"
        assert attributes["path"] == "/"
        assert "domain" not in attributes
    assert client.get("/", base_url=HTTPS).status_code == 200  # the cookie is a working session


def test_development_cookies_are_not_secure_and_send_no_hsts(development_app):
    response = development_app.test_client().get("/logga-in")
    attributes = _set_cookie(response, "session")
    assert "secure" not in attributes
    assert "httponly" in attributes
    assert attributes["samesite"] == "Lax"
    assert "Strict-Transport-Security" not in response.headers
    assert response.headers["X-Frame-Options"] == "DENY"


def _csp(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def _check_headers(response, *, logged_in: bool, static: bool = False) -> None:
    headers = response.headers
    csp = _csp(headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no inline script, no eval
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert "unsafe" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    hsts = headers["Strict-Transport-Security"]
    assert "includeSubDomains" in hsts
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 365 * 24 * 3600
    if logged_in and not static:
        # What a signed-in person sees is personal: never kept in a (shared) browser cache.
        assert headers.get("Cache-Control") == "no-store"


def test_security_headers_on_every_page(production_app, make):
    person = make.employee(email="anna@kommun.se", is_hr=True)
    course = make.course()
    completion = make.completion(person, course)
    folder = Path(production_app.config["UPLOAD_DIR"]) / "evidence"
    folder.mkdir()
    (folder / "intyg.pdf").write_bytes(PDF)
    completion.evidence_path = "evidence/intyg.pdf"
    db.session.commit()
    completion_id = completion.id

    client = production_app.test_client()
    anonymous = {
        "login page": client.get("/logga-in", base_url=HTTPS),
        "error page (404)": client.get("/finns-inte", base_url=HTTPS),
        "redirect to the login": client.get("/", base_url=HTTPS),
        "API error (JSON)": client.get("/api/v1/courses", base_url=HTTPS),
    }
    assert [r.status_code for r in anonymous.values()] == [200, 404, 302, 401]
    for what, response in anonymous.items():
        try:
            _check_headers(response, logged_in=False)
        except (AssertionError, KeyError) as exc:
            raise AssertionError(f"{what}: {exc!r}\n{response.headers}") from None

    static = client.get("/static/varna.css", base_url=HTTPS)
    assert static.status_code == 200
    _check_headers(static, logged_in=False, static=True)

    assert _login(client, "anna@kommun.se").status_code == 302
    signed_in = {
        "start page": client.get("/", base_url=HTTPS),
        "HR page": client.get("/admin/personal", base_url=HTTPS),
        "error page (404)": client.get("/finns-inte", base_url=HTTPS),
        "personal data (JSON download)": client.post(
            "/konto/mina-uppgifter.json",
            data={
                "csrf_token": csrf_from(
                    client.get("/konto/mina-uppgifter", base_url=HTTPS).get_data(as_text=True)
                )
            },
            base_url=HTTPS,
            headers={"Referer": f"{HTTPS}/konto/mina-uppgifter"},  # CSRF over HTTPS checks it
        ),
        "uploaded evidence (file download)": client.get(
            f"/admin/underlag/{completion_id}", base_url=HTTPS
        ),
    }
    assert [r.status_code for r in signed_in.values()] == [200, 200, 404, 200, 200]
    assert signed_in["uploaded evidence (file download)"].data == PDF
    for what, response in signed_in.items():
        try:
            _check_headers(response, logged_in=True)
        except (AssertionError, KeyError) as exc:
            raise AssertionError(f"{what}: {exc!r}\n{response.headers}") from None
    static = client.get("/static/varna.css", base_url=HTTPS)
    _check_headers(static, logged_in=True, static=True)
