"""A long read (an export) does not block a learner's completion: WAL on SQLite, MVCC on
PostgreSQL. Runs on both; the timeouts below only keep a blocked thread from hanging
the suite, they are never what the test measures."""

from __future__ import annotations

import threading
from datetime import date

import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.models import Completion

GUARD = 120.0  # seconds; far more than any step here needs


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    """The SQLite tuning of create_app, on a database file of its own.

    Checked in every run, also when the suite itself runs on PostgreSQL.
    """
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'wal.sqlite3'}"})
    with app.app_context():
        try:
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        finally:
            db.engine.dispose()


def test_a_write_commits_while_a_long_read_is_open(app, make):
    course = make.course()
    person = make.employee()
    for day in (1, 2, 3):
        make.completion(person, course, on=date(2025, 1, day))
    sqlite = db.engine.dialect.name == "sqlite"
    reading = threading.Event()  # the export has read its first row and keeps going
    written = threading.Event()  # the learner's completion is committed
    seen: dict = {}

    def long_export() -> None:
        try:
            with app.app_context(), db.engine.connect() as conn, conn.begin():
                if not sqlite:
                    seen["pid"] = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
                # One row at a time, as a streaming export reads: on SQLite the
                # statement stays open, holding its read snapshot, until all are read.
                result = conn.execution_options(yield_per=1).execute(
                    sa.select(Completion.id).order_by(Completion.id)
                )
                ids = [result.fetchone().id]
                reading.set()
                seen["written"] = written.wait(timeout=GUARD)
                ids += [row.id for row in result]
                seen["ids"] = ids
        except Exception as exc:  # noqa: BLE001 - reported by the test
            seen["error"] = repr(exc)
        finally:
            reading.set()

    reader = threading.Thread(target=long_export, daemon=True)
    reader.start()
    try:
        assert reading.wait(timeout=GUARD), "the export never started"
        assert "error" not in seen, seen
        make.completion(person, course, on=date(2025, 1, 4))  # blocked → busy timeout error
        if not sqlite:
            # The export's transaction was still open while the write committed.
            state = db.session.execute(
                sa.text("SELECT state FROM pg_stat_activity WHERE pid = :pid"),
                {"pid": seen["pid"]},
            ).scalar()
            assert state == "idle in transaction"
    finally:
        written.set()
        reader.join(timeout=GUARD)
    assert not reader.is_alive(), "the export never finished"
    assert "error" not in seen, seen
    assert seen["written"] is True  # it read on only after the write had committed
    # It read one consistent snapshot: the three rows from before the write.
    assert len(seen["ids"]) == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Completion)) == 4
