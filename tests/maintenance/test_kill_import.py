"""An HR import of 100,000 staff killed mid-way (SIGKILL, a separate process) leaves the
database exactly as it was, and the next import is not blocked by the dead import's lock.

"Mid-way" is observed, not timed: the child is killed only once it holds the import
lock (its JobLock row is committed) and its one transaction has started writing
(SQLite: it holds the database's write lock; PostgreSQL: it holds a RowExclusiveLock
on employees). The time limits below only keep a hung import from hanging the suite.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from app.admin.imports.lock import LOCK_NAME, _process_is_gone
from app.extensions import db
from app.models import Employee, JobLock
from bench.import_bench import generate

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).parent / "flask")

# Hang guards only, far above what a loaded machine needs (about 10-20 s here).
START_WRITING_WITHIN = 600.0
DIE_WITHIN = 60.0
LOCKS_FREED_WITHIN = 120.0
POLL = 0.02


def fingerprint() -> dict[str, str]:
    """Every table's rows, hashed: equal fingerprints mean equal data.

    The import's lock row (job_locks) is bookkeeping, not data: a dead import's
    row is reclaimed by the next import, which the test checks at the end.
    """
    result = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if table.name == "job_locks":
                continue
            rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            digest = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
            result[table.name] = f"{len(rows)}:{digest}"
    return result


def wait_until(condition: Callable[[], bool], timeout: float, what: str, process=None) -> None:
    """Poll condition until it holds; fail after timeout, or at once if process ended."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the import ended (exit {process.returncode}) before {what}")
        assert time.monotonic() < deadline, f"no {what} within {timeout:.0f} s"
        time.sleep(POLL)


def lock_holder() -> str | None:
    """The holder tag of the import's JobLock row, read on a connection of this process."""
    with db.engine.connect() as conn:
        return conn.execute(sa.select(JobLock.holder).where(JobLock.name == LOCK_NAME)).scalar()


def held_by(pid: int) -> bool:
    """The lock row names process pid on this host (tag: 'holder #host:pid:random')."""
    holder = lock_holder()
    return holder is not None and holder.rpartition(" #")[2].split(":")[-2] == str(pid)


def sqlite_write_locked(path: str) -> bool:
    """Another connection holds SQLite's write lock (an open write transaction).

    BEGIN IMMEDIATE on a fresh connection with no busy timeout fails at once with
    "database is locked" exactly then; otherwise it is rolled back straight away.
    """
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return True
        raise
    else:
        probe.execute("ROLLBACK")
        return False
    finally:
        probe.close()


def pg_backends(app_name: str, *, writing_employees: bool = False) -> int:
    """Server processes of the child (known by its application_name) in this database."""
    sql = (
        "SELECT count(*) FROM pg_stat_activity a WHERE a.application_name = :name "
        "AND a.datname = current_database()"
    )
    if writing_employees:
        sql += (
            " AND EXISTS (SELECT 1 FROM pg_locks l JOIN pg_class c ON l.relation = c.oid "
            "WHERE l.pid = a.pid AND c.relname = 'employees' AND l.mode = 'RowExclusiveLock' "
            "AND l.granted AND l.database = (SELECT oid FROM pg_database "
            "WHERE datname = current_database()))"
        )
    with db.engine.connect() as conn:
        return conn.execute(sa.text(sql), {"name": app_name}).scalar_one()


def import_args(folder: Path) -> list[str]:
    return [
        "hr",
        "import",
        "--no-invitations",
        str(folder / "enheter.csv"),
        str(folder / "personal.csv"),
    ]


def test_killed_import_changes_nothing(app_ctx, runner, make, database_url, tmp_path):
    big = tmp_path / "export-100k"
    big.mkdir()
    generate(big, staff=100_000, units=3_000)
    # Something to keep: a small organisation with a completion.
    course = make.course()
    person = make.employee(email="kvar@kommun.se")
    make.completion(person, course)
    person_id = person.id
    db.session.remove()
    before = fingerprint()
    assert lock_holder() is None

    sqlite = db.engine.dialect.name == "sqlite"
    app_name = f"varna-kill-test-{secrets.token_hex(4)}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "VARNA_ENV": "development",
        "FLASK_APP": "wsgi",
        "PGAPPNAME": app_name,  # libpq: names the child's PostgreSQL connections
    }
    env.pop("TEST_DATABASE_URL", None)
    with (tmp_path / "out.txt").open("w+") as out, (tmp_path / "err.txt").open("w+") as err:
        process = subprocess.Popen(
            [FLASK, "--app", "wsgi", *import_args(big)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
        )
        try:
            if sqlite:
                database = db.engine.url.database

                def writing() -> bool:
                    return held_by(process.pid) and sqlite_write_locked(database)
            else:

                def writing() -> bool:
                    return held_by(process.pid) and pg_backends(app_name, writing_employees=True)

            try:
                wait_until(writing, START_WRITING_WITHIN, "sign of writing", process)
            except AssertionError as exc:
                err.seek(0)
                raise AssertionError(
                    f"{exc}\nstderr of the import:\n{err.read()[-3000:]}"
                ) from None
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=DIE_WITHIN)
        finally:
            process.kill()  # a no-op when it is already dead and reaped
            process.wait(timeout=DIE_WITHIN)
    assert process.returncode == -signal.SIGKILL

    # Wait until the dead import's hold on the database is really gone: on PostgreSQL
    # its server processes notice the closed connection and exit (dropping the advisory
    # lock and rolling back); on SQLite the kernel released its file locks at exit.
    db.engine.dispose()  # fresh connections, as after a restart
    if sqlite:
        wait_until(lambda: not sqlite_write_locked(database), LOCKS_FREED_WITHIN, "free write lock")
    else:
        wait_until(lambda: pg_backends(app_name) == 0, LOCKS_FREED_WITHIN, "end of its backends")

    assert fingerprint() == before
    # Killed while holding the lock: its row is left behind, naming the dead process.
    # The next import must see that the holder is gone (SQLite: the pid no longer
    # runs, _process_is_gone; PostgreSQL: the advisory lock is free) and take over.
    assert held_by(process.pid), lock_holder()
    # The check the SQLite path rests on (its lock row is younger than LOCK_STALE_AFTER,
    # so nothing else lets the next import in there). Asserted directly as well, since
    # with VARNA_TEST_CLOCK the row looks hours old to this process and goes by age.
    assert _process_is_gone(lock_holder())

    small = tmp_path / "small"
    small.mkdir()
    generate(small, staff=300, units=20)
    result = runner.invoke(args=[*import_args(small), "--json"])
    assert result.exit_code == 0, result.output
    assert lock_holder() is None  # the stale row was reclaimed, and the new one let go
    created = json.loads(result.stdout)["details"]["employees_created"]
    assert created > 250
    db.session.remove()
    after = fingerprint()
    assert after["completions"] == before["completions"]
    assert db.session.scalar(sa.select(sa.func.count(Employee.id))) == 1 + created
    kept = db.session.scalar(sa.select(Employee).where(Employee.email == "kvar@kommun.se"))
    assert kept is not None
    assert kept.id == person_id
