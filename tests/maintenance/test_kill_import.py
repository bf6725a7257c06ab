"""An HR import of 100,000 staff killed mid-way (SIGKILL, a separate process) leaves the
database exactly as it was, and the next import is not blocked by a stale lock."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from bench.import_bench import generate

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).parent / "flask")


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


def _writing_started(url: sa.URL, started: float) -> bool:
    if url.get_backend_name() == "sqlite":
        wal = Path(f"{url.database}-wal")
        return wal.exists() and wal.stat().st_size > 4_000_000
    with db.engine.connect() as conn:
        held = conn.execute(
            sa.text(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON l.relation = c.oid "
                "WHERE c.relname = 'employees' AND l.mode = 'RowExclusiveLock' "
                "AND l.pid <> pg_backend_pid()"
            )
        ).scalar_one()
    return held > 0


@pytest.fixture
def big_export(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export-100k")
    generate(folder, staff=100_000, units=3_000)
    return folder


def test_killed_import_changes_nothing(app_ctx, runner, make, big_export, database_url):
    # Something to keep: a small organisation with a completion.
    course = make.course()
    person = make.employee(email="kvar@kommun.se")
    make.completion(person, course)
    db.session.remove()
    before = fingerprint()

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "VARNA_ENV": "development",
        "FLASK_APP": "wsgi",
    }
    env.pop("TEST_DATABASE_URL", None)
    process = subprocess.Popen(
        [
            FLASK,
            "--app",
            "wsgi",
            "hr",
            "import",
            "--no-invitations",
            str(big_export / "enheter.csv"),
            str(big_export / "personal.csv"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    url = db.engine.url
    started = time.monotonic()
    try:
        while not _writing_started(url, started):
            assert process.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() - started < 120, "the import never started writing"
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
        process.stdout.close()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL

    db.engine.dispose()  # fresh connections, as after a restart
    assert fingerprint() == before

    # The dead import's lock does not block the next one.
    small = big_export.parent / "small"
    small.mkdir(exist_ok=True)
    generate(small, staff=300, units=20)
    result = runner.invoke(
        args=[
            "hr",
            "import",
            "--no-invitations",
            str(small / "enheter.csv"),
            str(small / "personal.csv"),
        ]
    )
    assert result.exit_code == 0, result.output
