"""`flask --app wsgi db backup FILE`: an online backup of the database.

SQLite: the sqlite3 online-backup API (safe while the app runs; WAL included).
PostgreSQL: pg_dump in its custom format (restore with `pg_restore -d DB FILE`).
The copy is readable by its owner only (0600); pg_dump gets the password in its
environment (PGPASSWORD), never on its command line, where any local user could read it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa

from app.maintenance import files


class BackupFailed(RuntimeError):
    pass


def backup(url: sa.URL, target: Path) -> Path:
    target = target.resolve()
    if not target.parent.exists():
        files.private_folder(target.parent)
    if url.get_backend_name() == "sqlite":
        return _sqlite(url, target)
    if url.get_backend_name() == "postgresql":
        return _postgres(url, target)
    raise BackupFailed(f"Säkerhetskopiering stöds inte för {url.get_backend_name()}.")


def _sqlite(url: sa.URL, target: Path) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupFailed("Databasen finns bara i minnet; det finns inget att säkerhetskopiera.")
    source = sqlite3.connect(url.database)
    try:
        files.private_file(target)
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    return target


def _postgres(url: sa.URL, target: Path) -> Path:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupFailed(
            "pg_dump saknas: installera PostgreSQL-klienten (Debian: postgresql-client)."
        )
    without_password = sa.URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    libpq_url = without_password.render_as_string()
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    files.private_file(target)
    result = subprocess.run(  # noqa: S603 - fixed program, URL from our own config
        [pg_dump, "--format=custom", "--no-owner", f"--file={target}", f"--dbname={libpq_url}"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        umask=0o077,
    )
    if result.returncode != 0:
        raise BackupFailed(f"pg_dump misslyckades: {result.stderr.strip()}")
    return target
