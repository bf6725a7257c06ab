"""A long read (an export) does not block a learner's completion: WAL on SQLite."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from app.extensions import db
from app.models import Completion


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app_ctx):
    if db.engine.dialect.name != "sqlite":
        return  # PostgreSQL readers never block writers
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_a_write_commits_while_a_long_read_is_open(app, make):
    course = make.course()
    person = make.employee()
    make.completion(person, course)
    reading = threading.Event()
    finish_reading = threading.Event()

    def long_export() -> None:
        with app.app_context(), db.engine.connect() as conn, conn.begin():
            rows = conn.execute(sa.select(Completion.id)).all()
            assert rows
            reading.set()
            finish_reading.wait(timeout=20)

    reader = threading.Thread(target=long_export)
    reader.start()
    assert reading.wait(timeout=10)
    try:
        make.completion(person, course)
        # the write went through while the export still held its read transaction
        assert reader.is_alive()
    finally:
        finish_reading.set()
        reader.join()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Completion)) == 2
