"""`db backup` writes a copy that restores with every completion in it."""

from __future__ import annotations

import secrets
import subprocess

import sqlalchemy as sa

from app.extensions import db


def _restore_and_count(url: sa.URL, backup_file) -> int:
    if url.get_backend_name() == "sqlite":
        engine = sa.create_engine(f"sqlite:///{backup_file}")
    else:
        name = f"varna_restore_{secrets.token_hex(4)}"
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        target = url.set(database=name)
        libpq = target.set(drivername="postgresql").render_as_string(hide_password=False)
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={libpq}", str(backup_file)],
            check=True,
            capture_output=True,
        )
        engine = sa.create_engine(target)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM completions")).scalar_one()
    finally:
        engine.dispose()
        if url.get_backend_name() != "sqlite":
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            admin.dispose()


def test_backup_restores_with_every_completion(runner, make, tmp_path):
    course = make.course()
    people = [make.employee() for _ in range(5)]
    for person in people:
        make.completion(person, course)
    target = tmp_path / "varna-backup.dump"
    result = runner.invoke(args=["db", "backup", str(target)])
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0
    assert _restore_and_count(db.engine.url, target) == 5


def test_backup_of_an_in_memory_database_is_refused(tmp_path):
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    result = app.test_cli_runner().invoke(args=["db", "backup", str(tmp_path / "x.db")])
    assert result.exit_code == 1
    assert "minnet" in result.output
