"""Fixtures of the SCORM tests: what a refused package must leave alone (every table's row
count and the file store), imported packages, and the content origin server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.serving import make_server

from app.courses import scorm
from app.courses.scorm import import_package
from app.extensions import db
from app.scorm_content import create_content_app


def table_counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        return {
            name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for name, table in db.metadata.tables.items()
        }


def store_listing(app) -> list[str]:
    """Every path under UPLOAD_DIR/scorm (folders too, hidden ones included)."""
    root = Path(app.config["UPLOAD_DIR"]) / scorm.SUBDIR
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


class Unchanged:
    """Take a snapshot; check() asserts the database and the file store are the same."""

    def __init__(self, app) -> None:
        self.app = app
        self.take()

    def take(self) -> None:
        self.counts = table_counts()
        self.files = store_listing(self.app)

    def check(self) -> None:
        assert table_counts() == self.counts
        assert store_listing(self.app) == self.files


@pytest.fixture
def unchanged(app_ctx):
    return Unchanged(app_ctx)


VENDOR = Path(__file__).resolve().parents[2] / "app" / "static" / "vendor" / "scorm-again"


def imported(path: Path):
    """The package at `path` imported as HR would; returns the current CourseVersion."""
    result = import_package(db.session, path, actor=None)
    db.session.commit()
    return result.version


@pytest.fixture(scope="session")
def content_server(app: Flask, live_server: str) -> Iterator[str]:
    """The content origin: the small second WSGI app on a port of its own.

    Same host as Värna (127.0.0.1), another port: the hard case, where the browser
    shares cookies between the two (ports do not separate cookies).
    """
    if not (VENDOR / "scorm12.min.js").exists():
        pytest.fail("scorm-again saknas: kör `make scorm-runtime` (make test gör det).")
    content = create_content_app(
        {
            "SECRET_KEY": app.config["SECRET_KEY"],
            "UPLOAD_DIR": app.config["UPLOAD_DIR"],
            "SCORM_PLAYER_ORIGIN": live_server,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "TESTING": True,
        }
    )
    server = make_server("127.0.0.1", 0, content, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_port}"
    old = app.config["SCORM_CONTENT_ORIGIN"]
    app.config["SCORM_CONTENT_ORIGIN"] = origin
    yield origin
    app.config["SCORM_CONTENT_ORIGIN"] = old
    server.shutdown()
    thread.join(timeout=5)
    content.extensions["scorm_content_engine"].dispose()
