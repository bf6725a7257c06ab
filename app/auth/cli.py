"""`flask --app wsgi users ...`"""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from app.auth import services
from app.extensions import db

users_cli = AppGroup("users", help="Konton och behörigheter.")


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--name", default="", help="Namn, om personen inte redan finns.")
@click.option(
    "--password",
    envvar="VARNA_ADMIN_PASSWORD",
    help="Lösenord (annars frågar kommandot; miljövariabel VARNA_ADMIN_PASSWORD).",
)
def create_admin(email: str, name: str, password: str | None) -> None:
    """Ge personen med EMAIL HR-behörighet (skapar kontot om det saknas)."""
    if password is None:
        password = click.prompt("Lösenord", hide_input=True, confirmation_prompt=True)
    try:
        result = services.create_admin(db.session, email=email, password=password, name=name)
    except (ValueError, services.PasswordRejected) as exc:
        db.session.rollback()
        click.echo(f"Fel: {exc}", err=True)
        sys.exit(1)
    db.session.commit()
    verb = "skapad" if result.created else "uppdaterad"
    click.echo(f"HR-administratör {verb}: {result.employee.email}")
