"""Shared fixtures: the app on SQLite (default) or PostgreSQL (TEST_DATABASE_URL).

The schema is built once per run by the real migrations; every test starts
from empty tables. Concurrent runs on PostgreSQL each get a database of their own.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from app import create_app, mail
from app.extensions import db
from tests.factories import Factories
from tests.mailserver import MailServer

pytest_plugins = ["tests.clock", "tests.e2e.fixtures", "tests.idp.saml.fixtures", "tests.org"]

PASSWORD = "ett-langt-testlosenord"


def _postgres_url(base_url: str) -> Iterator[str]:
    """A fresh database on the same server, dropped afterwards."""
    url = sa.make_url(base_url)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    name = f"varna_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        yield from _postgres_url(base)
    else:
        path = tmp_path_factory.mktemp("db") / "varna-test.sqlite3"
        yield f"sqlite:///{path}"


class FreshContextClient(FlaskClient):
    """Each request gets an app context of its own, as on a real server.

    Without this a request made while a test holds an app context (for its
    factories) would share that context's `g` and database session.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
            "SERVER_NAME": None,
        }
    )
    app.test_client_class = FreshContextClient
    with app.app_context():
        upgrade(revision="heads")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_tables(app: Flask) -> Iterator[None]:
    """Every test starts with empty tables (same rows on SQLite and PostgreSQL)."""
    yield
    assert mail.background.wait(), "mail sent after a response was still running"
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def make(app_ctx: Flask) -> Factories:
    """Factories for units, people and courses: make.unit(...), make.employee(...)."""
    return Factories(db.session)


class AuthActions:
    def __init__(self, client) -> None:
        self._client = client

    def login(self, email: str, password: str = PASSWORD):
        # The login form carries a CSRF token: fetch it like a browser would.
        page = self._client.get("/logga-in")
        token = _csrf_from(page.get_data(as_text=True))
        return self._client.post(
            "/logga-in", data={"email": email, "password": password, "csrf_token": token}
        )

    def logout(self):
        page = self._client.get("/")
        token = _csrf_from(page.get_data(as_text=True))
        return self._client.post("/logga-ut", data={"csrf_token": token})


def _csrf_from(html: str) -> str:
    marker = 'name="csrf_token" type="hidden" value="'
    if marker not in html:
        marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def csrf_from(html: str) -> str:
    return _csrf_from(html)


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def smtp_server(app: Flask) -> Iterator[MailServer]:
    """A real SMTP server on localhost (aiosmtpd); the app sends to it during the test.

    Sending is synchronous: the handler stores a message before its 250 reply, and
    the app's send returns only after that reply, so `messages` is complete as soon
    as the request or command that sent the mail has returned. Mail sent after a
    response (password reset) is waited for with `mail.background.wait()`.
    tests/mailserver.py: refusing chosen addresses, going away mid-run.
    """
    server = MailServer(app)
    old = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT")}
    server.start()
    yield server
    mail.background.wait()
    app.config.update(old)
    mail_ext = app.extensions["mail"]
    mail_ext.server, mail_ext.port = old["MAIL_SERVER"], old["MAIL_PORT"]
    server.stop()
