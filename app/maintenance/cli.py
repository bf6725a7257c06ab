"""Commands for operations, added to Flask-Migrate's `db` group and a `privacy` group."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_migrate.cli import db as db_group

from app import dates
from app.extensions import db
from app.labels import counted
from app.maintenance import privacy
from app.maintenance.backup import BackupFailed, backup

privacy_cli = AppGroup("privacy", help="Personuppgifter: gallring enligt gallringsbeslutet.")


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


@privacy_cli.command("gallra")
@click.option("--dry-run", is_flag=True, help="Visa vad som skulle gallras, ändra ingenting.")
@click.option(
    "--years", type=int, default=None, help="Gallringsfrist i år (annars RETENTION_YEARS)."
)
def gallra(dry_run: bool, years: int | None) -> None:
    """Ta bort personuppgifter om personer som slutade för länge sedan; behåll anonym statistik."""
    years = years if years is not None else current_app.config["RETENTION_YEARS"]
    if years < 1:
        click.echo("Fel: gallringsfristen måste vara minst 1 år.", err=True)
        sys.exit(1)
    plan = privacy.plan_gallring(db.session, today=dates.today(), years=years)
    click.echo(f"Personer som slutade före {plan.cutoff.isoformat()}: {plan.count}")
    if dry_run:
        click.echo("Torrkörning: ingenting ändrades.")
        return
    removed = privacy.carry_out_gallring(
        db.session, plan, actor_id=None, upload_dir=current_app.config["UPLOAD_DIR"]
    )
    db.session.commit()
    click.echo(
        f"Gallrat: personuppgifterna för {counted(removed, 'person', 'personer')} är borttagna."
    )
