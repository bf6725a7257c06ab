"""`flask --app wsgi evaluation send-followups` and `evaluation release`.

Both also run from the daily `reminders send` (app/units/cli.py): follow-ups when
FOLLOWUP_ENABLED, the release of held answers always.
"""

from __future__ import annotations

import sys
from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup

from app import dates, mail
from app.evaluation import services
from app.extensions import db
from app.labels import counted

evaluation_cli = AppGroup("evaluation", help="Kursutvärdering och uppföljning (anonyma svar).")


def followup_message(title: str, link: str, municipality: str, locale: str) -> tuple[str, str]:
    """The follow-up e-mail: Swedish, with the same words in English below."""
    subject = "Uppföljning av kursen: två korta frågor"
    body = (
        "Hej!\n\n"
        f"För några månader sedan gick du kursen {title} i Värna. Har den gjort skillnad? "
        "Svara på två korta frågor:\n\n"
        f"{link}\n\n"
        "Svaren är anonyma: de sparas utan ditt namn. Länken fungerar en gång och gäller i "
        f"{services.FOLLOWUP_VALID_DAYS} dagar. Du behöver inte logga in, och du kan låta bli "
        "att svara.\n\n"
        "In English: a few months ago you took the course above. Two short questions, "
        "anonymous, at the link above (it works once, for "
        f"{services.FOLLOWUP_VALID_DAYS} days).\n\n"
        f"{municipality}\n"
    )
    return subject, body


def run_followups(*, on, months: int) -> services.FollowupRun:
    """Queue the due follow-ups and commit (the caller delivers the outbox)."""
    run = services.send_followups(
        db.session,
        on=on,
        months=months,
        base_url=current_app.config["BASE_URL"].rstrip("/"),
        municipality=current_app.config["MUNICIPALITY_NAME"],
        message=followup_message,
    )
    db.session.commit()
    return run


def release_held(*, on) -> int:
    """Full batches, and everything held since an earlier month."""
    return services.release_now(
        db.session,
        batch=current_app.config["EVALUATION_BATCH"],
        everything_before=services.month_of(on),
    )


@evaluation_cli.command("send-followups")
@click.option(
    "--on",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Räkna som om det vore den här dagen (ÅÅÅÅ-MM-DD); standard i dag.",
)
def send_followups(on: datetime | None) -> None:
    """Skicka uppföljningen (två frågor) till dem som gick en kurs FOLLOWUP_MONTHS sedan."""
    months = current_app.config["FOLLOWUP_MONTHS"]
    if not 3 <= months <= 6:
        click.echo(f"FOLLOWUP_MONTHS ska vara 3–6 (är {months}).", err=True)
        sys.exit(2)
    if not current_app.config["FOLLOWUP_ENABLED"]:
        click.echo("Uppföljningen är avstängd (FOLLOWUP_ENABLED). Inget skickas.")
        return
    day = on.date() if on else dates.today()
    run = run_followups(on=day, months=months)
    delivery = mail.deliver_queued(db.session, commit=db.session.commit)
    click.echo(
        f"Uppföljning: {counted(run.sent, 'inbjudan', 'inbjudningar')} köade, "
        f"{counted(delivery.sent, 'e-postmeddelande', 'e-postmeddelanden')} skickade."
    )
    if run.no_email:
        click.echo(
            f"{counted(run.no_email, 'person', 'personer')} utan e-postadress fick ingen "
            "uppföljning.",
            err=True,
        )
    if delivery.unavailable:
        click.echo(f"E-postservern svarar inte ({delivery.unavailable}).", err=True)
        sys.exit(1)


@evaluation_cli.command("release")
def release() -> None:
    """Skriv väntande anonyma svar till sina tabeller, blandade (fulla omgångar och äldre månader)."""
    n = release_held(on=dates.today())
    click.echo(f"{counted(n, 'anonymt svar', 'anonyma svar')} skrivna.")
