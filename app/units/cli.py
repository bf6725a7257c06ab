"""`flask --app wsgi reminders send [--dry-run]`, run daily from cron."""

from __future__ import annotations

from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup

from app import dates
from app.extensions import db
from app.units import reminders

reminders_cli = AppGroup("reminders", help="Påminnelser om utbildningar.")


@reminders_cli.command("send")
@click.option("--dry-run", is_flag=True, help="Visa vad som skulle skickas; skicka inget.")
@click.option(
    "--on",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Räkna som om det vore den här dagen (ÅÅÅÅ-MM-DD); standard i dag.",
)
def send(dry_run: bool, on: datetime | None) -> None:
    """Skicka påminnelser till personer och veckosammanfattningar till chefer."""
    day = on.date() if on else dates.today()
    plan = reminders.plan(db.session, on=day)
    if dry_run:
        for person in plan.people:
            courses = ", ".join(
                f"{plan.courses[i.course_id].slug} ({i.kind})" for i in person.items
            )
            click.echo(f"person {person.email}: {courses}")
        for digest in plan.digests:
            click.echo(f"chef {digest.email}: {len(digest.lines)} försenade")
        click.echo(
            f"Provkörning: {len(plan.people)} påminnelser ({plan.items} kurser) och "
            f"{len(plan.digests)} veckosammanfattningar skulle skickas."
        )
        db.session.rollback()
        return
    result = reminders.deliver(
        db.session,
        plan,
        base_url=current_app.config["BASE_URL"].rstrip("/"),
        municipality=current_app.config["MUNICIPALITY_NAME"],
        after_chunk=db.session.commit,
    )
    db.session.commit()
    click.echo(
        f"Skickade {result.people} påminnelser ({result.items} kurser) och "
        f"{result.digests} veckosammanfattningar."
    )
