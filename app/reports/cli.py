"""`flask reports snapshot` and `flask reports send-status` (daily, from cron) and
`flask reports export`."""

from __future__ import annotations

import sys
from datetime import date

import click
from flask import current_app, url_for
from flask.cli import AppGroup

from app import dates, org
from app.extensions import db
from app.labels import counted
from app.models import Course
from app.reports import exports, schedule, services

reports_cli = AppGroup("reports", help="Täckning: dagliga ögonblicksbilder och exporter.")


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(f"{name}: '{value}' är inget datum (ÅÅÅÅ-MM-DD).")
    return None


@reports_cli.command("snapshot")
@click.option("--on", "on_", help="Dagen (ÅÅÅÅ-MM-DD); standard i dag.")
@click.option(
    "--rebuild-from",
    help="Bygg också upp historiken månadsvis från detta datum ur genomförandedatumen.",
)
def snapshot(on_: str | None, rebuild_from: str | None) -> None:
    """Write the day's coverage per unit, level and course (running it twice is harmless)."""
    day = _day(on_, "--on") or dates.today()
    if day > dates.today():
        _fail(
            f"--on: {day.isoformat()} har inte varit än; en ögonblicksbild gäller i dag eller tidigare."
        )
    rebuilt: list[date] = []
    if rebuild_from:
        since = _day(rebuild_from, "--rebuild-from") or day
        if since >= day:
            _fail("--rebuild-from måste ligga före --on.")
        rebuilt = services.rebuild_history(db.session, since=since, until=day)
    rows = services.take_snapshot(db.session, on=day)
    db.session.commit()
    click.echo(f"Ögonblicksbild {day.isoformat()}: {counted(rows, 'rad', 'rader')}.")
    if rebuilt:
        click.echo(
            f"Historik uppbyggd för {len(rebuilt)} dagar "
            f"({rebuilt[0].isoformat()} – {rebuilt[-1].isoformat()})."
        )


@reports_cli.command("send-status")
@click.option("--on", "on_", help="Dagen (ÅÅÅÅ-MM-DD); standard i dag.")
def send_status(on_: str | None) -> None:
    """E-mail the status report to HR's recipients on HR's day of the month, once a month."""
    day = _day(on_, "--on") or dates.today()
    if day > dates.today():
        _fail(f"--on: {day.isoformat()} har inte varit än.")
    plan = schedule.get_schedule(db.session)
    if not plan.active:
        click.echo("Inget utskick: HR har inte valt mottagare och dag (Rapporter → Lägesrapport).")
        return
    if not schedule.is_due(plan, day):
        click.echo(f"Inte dags: lägesrapporten skickas den {plan.day} varje månad.")
        return
    base = current_app.config["BASE_URL"].rstrip("/")
    with current_app.test_request_context():
        page_url = base + url_for("reports.status_report")
    outcome = schedule.send_status_report(
        db.session,
        on=day,
        municipality=current_app.config["MUNICIPALITY_NAME"],
        page_url=page_url,
        commit=db.session.commit,
    )
    month = outcome.month
    if outcome.sent:
        click.echo(f"Lägesrapporten för {month} skickad till {len(outcome.sent)} mottagare.")
    if outcome.already and not outcome.sent and not outcome.failed:
        click.echo(f"Lägesrapporten för {month} är redan skickad; inget skickades nu.")
    for address, why in outcome.failed:
        click.echo(f"{address}: kunde inte skickas ({why}); nästa körning försöker igen.", err=True)
    if outcome.failed:
        sys.exit(1)


@reports_cli.command("export")
@click.argument("kind", type=click.Choice(exports.KINDS))
@click.option("--format", "fmt", type=click.Choice(exports.FORMATS), default="csv")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--unit", "unit_code", help="Enhetskod: bara den enheten och enheterna under.")
@click.option("--course", "course_slug", help="Kursens mappnamn (slug).")
@click.option("--from", "date_from", help="Genomförd från och med (ÅÅÅÅ-MM-DD).")
@click.option("--to", "date_to", help="Genomförd till och med (ÅÅÅÅ-MM-DD).")
@click.option("--status", help="Bara par med denna status (completed, expiring, …).")
@click.option("--on", "on_", help="Dagen statusen gäller (standard i dag).")
def export(
    kind: str,
    fmt: str,
    out: str,
    unit_code: str | None,
    course_slug: str | None,
    date_from: str | None,
    date_to: str | None,
    status: str | None,
    on_: str | None,
) -> None:
    """Export training records or coverage as CSV (Swedish Excel) or XLSX."""
    unit = None
    if unit_code:
        unit = org.unit_by_code(db.session, unit_code)
        if unit is None:
            _fail(f"--unit: ingen enhet har koden '{unit_code}'.")
    course_id = None
    if course_slug:
        course_id = db.session.scalar(db.select(Course.id).where(Course.slug == course_slug))
        if course_id is None:
            _fail(f"--course: ingen kurs heter '{course_slug}'.")
    f = exports.ExportFilters(
        on=_day(on_, "--on") or dates.today(),
        **exports.ExportFilters.of_unit(unit),
        course_id=course_id,
        date_from=_day(date_from, "--from"),
        date_to=_day(date_to, "--to"),
        status=status or None,
    )
    try:
        table = exports.table(db.session, kind, f)
    except exports.InvalidFilter as error:
        _fail(f"--status: {error}")
    exports.audit_export(db.session, kind=kind, fmt=fmt, f=f, actor_id=None, via="cli")
    db.session.commit()
    headers, rows = table
    tally = _Counter(rows)
    if fmt == "csv":
        with open(out, "wb") as fh:
            for chunk in exports.csv_chunks(headers, tally):
                fh.write(chunk)
    else:
        exports.write_xlsx(headers, tally, out)
    click.echo(f"{counted(tally.n, 'rad', 'rader')} till {out}.")


class _Counter:
    def __init__(self, rows) -> None:
        self.rows, self.n = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.n += 1
            yield row
