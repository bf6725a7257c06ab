"""`flask --app wsgi hr import UNITS.csv STAFF.csv [--dry-run] [--mapping FILE] [--encoding ENC] [--json]`"""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from app import labels
from app.admin.imports import services
from app.admin.imports.mapping import MappingError, default_mapping, load_mapping
from app.admin.imports.reading import ImportFile, ImportRejected, Problem, normalise_encoding
from app.extensions import db
from app.labels import counted

hr_cli = AppGroup("hr", help="HR-systemets organisation och personal.")


def _refuse(problems: list[Problem], as_json: bool) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)
    if as_json:
        click.echo(json.dumps(services.rejected_summary(problems), ensure_ascii=False))
    click.echo(f"Importen avvisades: {len(problems)} problem. Inget har ändrats.", err=True)
    sys.exit(1)


@hr_cli.command("import")
@click.argument("units_path", metavar="UNITS.csv", type=click.Path(dir_okay=False))
@click.argument("staff_path", metavar="STAFF.csv", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Visa vad som skulle ändras, men ändra inget.")
@click.option(
    "--mapping",
    "mapping_path",
    type=click.Path(dir_okay=False),
    help="Kolumnmappning (TOML); standard: Exempelbys HR-system.",
)
@click.option("--encoding", help="Teckenkodning, t.ex. utf-8 eller windows-1252 (annars gissas).")
@click.option("--json", "as_json", is_flag=True, help="Skriv en sammanfattning som JSON.")
@click.option("--no-invitations", is_flag=True, help="Skicka ingen inbjudan till nya konton.")
def import_command(
    units_path: str,
    staff_path: str,
    dry_run: bool,
    mapping_path: str | None,
    encoding: str | None,
    as_json: bool,
    no_invitations: bool,
) -> None:
    """Läs in enheter (UNITS.csv) och personal (STAFF.csv) från HR-systemet.

    Allt eller inget: en fil med problem avvisas i sin helhet, och varje
    problem skrivs på en egen rad till stderr. Avslutas med 0 när importen
    gick igenom och 1 när den avvisades.
    """
    problems: list[Problem] = []
    files: list[ImportFile] = []
    for path in (units_path, staff_path):
        try:
            files.append(ImportFile(Path(path).name, Path(path).read_bytes()))
        except OSError as exc:
            problems.append(Problem(path, None, None, f"Filen kunde inte läsas: {exc.strerror}."))
    try:
        mapping = load_mapping(mapping_path) if mapping_path else default_mapping()
    except MappingError as exc:
        problems.append(Problem(mapping_path or "", None, None, str(exc)))
    if encoding:
        try:
            normalise_encoding(encoding)
        except ValueError as exc:
            problems.append(Problem("--encoding", None, None, str(exc)))
    if problems:
        _refuse(problems, as_json)

    try:
        run = services.run_import(
            db.session,
            units_file=files[0],
            staff_file=files[1],
            mapping=mapping,
            encoding=encoding,
            holder=f"kommandoraden ({getpass.getuser()})",
            commit=db.session.commit,
            dry_run=dry_run,
            invite=not no_invitations,
            via="cli",
        )
    except ImportRejected as exc:
        for warning in exc.warnings:
            click.echo(f"Varning: {warning}", err=True)
        _refuse(exc.problems, as_json)
        return
    if run.invitations_failed:
        click.echo(
            f"Varning: inbjudningarna kunde inte skickas: {run.invitations_failed}", err=True
        )
    with force_locale("sv"):
        _report(run.result, as_json, run.invitations_sent)


def _report(result: services.ImportResult, as_json: bool, sent: int) -> None:
    for warning in result.warnings:
        click.echo(f"Varning: {warning}", err=True)
    if as_json:
        summary = result.summary()
        summary["invitations_sent"] = sent
        click.echo(json.dumps(summary, ensure_ascii=False, default=str))
        return
    c = result.counts
    if result.dry_run:
        click.echo("Provkörning – inget har ändrats. Så här skulle importen ändra Värna:")
        for kind, changes in result.by_kind().items():
            click.echo(f"\n{labels.name(labels.CHANGE_KIND, kind)} ({len(changes)}):")
            for change in changes:
                detail = f": {change.detail}" if change.detail else ""
                click.echo(f"  {change.name}{detail}")
        click.echo("")
    else:
        click.echo(f"Importen är genomförd ({', '.join(result.files)}).")
    click.echo(
        f"Filerna: {counted(result.units, 'enhet', 'enheter')}, "
        f"{counted(result.employees, 'person', 'personer')}."
    )
    click.echo(
        f"Enheter: {counted(c.units_created, 'ny', 'nya')}, {counted(c.units_updated, 'ändrad', 'ändrade')}, "
        f"{counted(c.units_deactivated, 'avvecklad', 'avvecklade')}."
    )
    click.echo(
        f"Personer: {counted(c.employees_created, 'ny', 'nya')}, "
        f"{counted(c.employees_updated, 'ändrad', 'ändrade')}, "
        f"{counted(c.employees_deactivated, 'avslutad', 'avslutade')}"
        + (
            f", {c.skipped_already_left} hoppades över (redan slutat)"
            if c.skipped_already_left
            else ""
        )
        + "."
    )
    click.echo(
        f"Chefer: {counted(c.managers_added, 'tillagd', 'tillagda')}, "
        f"{counted(c.managers_removed, 'borttagen', 'borttagna')}."
    )
    if sent:
        click.echo(f"Inbjudningar skickade: {sent}.")
