"""`flask --app wsgi reminders send [--dry-run]`, run daily from cron."""

from __future__ import annotations

import sys
from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup

from app import dates, mail
from app.evaluation.cli import release_held, run_followups
from app.extensions import db
from app.labels import counted
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
    started = dates.now()
    plan = reminders.plan(db.session, on=day)
    if dry_run:
        for person in plan.people:
            courses = ", ".join(
                f"{plan.courses[i.course_id].slug} ({i.kind})" for i in person.items
            )
            click.echo(f"person {person.email}: {courses}")
        for digest in plan.digests:
            below = sum(len(people) for _, people in digest.below.values())
            click.echo(
                f"chef {digest.email}: {len(digest.lines)} försenade i egna enheter, "
                f"{below} personer längre ned"
            )
        click.echo(
            f"Provkörning: {len(plan.people)} påminnelser ({plan.items} kurser) och "
            f"{len(plan.digests)} veckosammanfattningar skulle skickas."
        )
        db.session.rollback()
        return
    queued = reminders.queue(
        db.session,
        plan,
        base_url=current_app.config["BASE_URL"].rstrip("/"),
        municipality=current_app.config["MUNICIPALITY_NAME"],
    )
    db.session.commit()  # recorded before anything is sent: a rerun never sends twice
    # Issue 18: the follow-up e-mails (when enabled) go with the same delivery, and held
    # anonymous answers of earlier months are released.
    followups = None
    if current_app.config["FOLLOWUP_ENABLED"]:
        followups = run_followups(on=day, months=current_app.config["FOLLOWUP_MONTHS"])
    release_held(on=day)
    # Everything queued, this run's and what an earlier run could not send.
    delivery = mail.deliver_queued(db.session, commit=db.session.commit)
    click.echo(
        f"Skickade {counted(delivery.sent, 'e-postmeddelande', 'e-postmeddelanden')}. "
        f"Nya i dag: {counted(queued.people, 'påminnelse', 'påminnelser')} "
        f"({counted(queued.items, 'kurs', 'kurser')}) och "
        f"{counted(queued.digests, 'veckosammanfattning', 'veckosammanfattningar')}."
    )
    if followups is not None:
        click.echo(
            f"Uppföljning: {counted(followups.sent, 'inbjudan', 'inbjudningar')}; "
            f"{counted(followups.no_email, 'person', 'personer')} utan e-postadress hoppades över."
        )
    for row in db.session.execute(mail.refused_since(started)):
        click.echo(f"Avvisad adress: {row.to_addr} ({row.error}); visas för HR.", err=True)
    if delivery.unavailable:
        click.echo(
            f"E-postservern svarar inte ({delivery.unavailable}): "
            f"{counted(delivery.left, 'meddelande', 'meddelanden')} skickas vid nästa körning.",
            err=True,
        )
        sys.exit(1)
    if delivery.left:
        click.echo(
            f"{counted(delivery.left, 'meddelande', 'meddelanden')} fick svaret 'försök senare' "
            "och skickas vid nästa körning.",
            err=True,
        )
