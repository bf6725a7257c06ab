"""Commands for operations, added to Flask-Migrate's `db` group and a `privacy` group."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask_migrate.cli import db as db_group

from app.extensions import db
from app.maintenance.backup import BackupFailed, backup


@db_group.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path) -> None:
    """Säkerhetskopiera databasen till FILE (SQLite: online-backup, PostgreSQL: pg_dump)."""
    try:
        written = backup(db.engine.url, file)
    except BackupFailed as exc:
        click.echo(f"Fel: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Säkerhetskopia skriven: {written}")
