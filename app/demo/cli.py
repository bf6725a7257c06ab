"""`flask --app wsgi demo seed|logins`"""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from app.demo import services
from app.extensions import db
from app.labels import counted

demo_cli = AppGroup("demo", help="Demokommunen Exempelby.")


@demo_cli.command("seed")
@click.option("--employees", default=1500, show_default=True, help="Ungefärligt antal personer.")
@click.option("--seed", "seed_value", default=2026, show_default=True, help="Slumpfrö.")
@click.option("--if-empty", is_flag=True, help="Gör ingenting om databasen redan har personal.")
def seed(employees: int, seed_value: int, if_empty: bool) -> None:
    """Bygg en påhittad kommun och skriv ut en demoinloggning per roll."""
    if not services.is_empty(db.session):
        if if_empty:
            click.echo("Databasen har redan personal; ingen demodata lades in.")
            _print_logins(services.demo_logins(db.session))
            return
        click.echo(
            "Fel: databasen har redan personal; demodata läggs bara in i en tom databas.", err=True
        )
        sys.exit(1)
    if employees < 50 or employees > 200_000:
        click.echo("Fel: --employees måste vara mellan 50 och 200 000.", err=True)
        sys.exit(1)
    result = services.seed(db.session, employees=employees, seed_value=seed_value)
    db.session.commit()
    click.echo(
        f"Demokommunen skapad: {counted(result.units, 'enhet', 'enheter')}, "
        f"{counted(result.employees, 'person', 'personer')}."
    )
    if result.requirements:
        click.echo(
            f"Krav: {result.requirements} regler, {result.completions} genomförda utbildningar."
        )
    _print_logins(result.logins)


@demo_cli.command("logins")
def logins() -> None:
    """Skriv ut demoinloggningarna."""
    _print_logins(services.demo_logins(db.session))


def _print_logins(rows: list[tuple[str, str, str]]) -> None:
    if not rows:
        return
    click.echo(f"\nDemoinloggningar (lösenord för alla: {services.DEMO_PASSWORD}):")
    for role, email, name in rows:
        click.echo(f"  {role:<18} {email:<34} {name}")
