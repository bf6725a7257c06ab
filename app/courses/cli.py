"""`flask --app wsgi courses validate [PATH]`, `courses sync` and `courses import-scorm FILE`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.courses import services
from app.extensions import db
from app.labels import counted

courses_cli = AppGroup("courses", help="Kurser som innehåll: granska och läsa in courses/.")


def _root(path: str | None) -> Path:
    return Path(path or current_app.config["COURSES_DIR"])


@courses_cli.command("validate")
@click.argument("path", required=False)
def validate(path: str | None) -> None:
    """Granska kurserna i PATH (en kursmapp eller en mapp med kurser; standard COURSES_DIR)."""
    results = services.validate_path(_root(path))
    bad = 0
    for slug, problems in results.items():
        if problems:
            bad += 1
            for problem in problems:
                click.echo(str(problem), err=True)
        else:
            click.echo(f"OK {slug}")
    if not results:
        click.echo(f"Inga kurser i {_root(path)}", err=True)
        sys.exit(1)
    if bad:
        click.echo(f"{bad} av {counted(len(results), 'kurs', 'kurser')} har fel.", err=True)
        sys.exit(1)


@courses_cli.command("sync")
@click.option("--path", default=None, help="Mappen med kurser (standard COURSES_DIR).")
def sync(path: str | None) -> None:
    """Läs in giltiga kurser; en trasig kurs vägras och den inlästa versionen gäller."""
    root = _root(path)
    if not root.is_dir():
        click.echo(f"{root}: mappen finns inte", err=True)
        sys.exit(1)
    try:
        report = services.sync_courses(db.session, root)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    for label in report.created:
        click.echo(f"Ny version: {label}")
    for label in report.unchanged:
        click.echo(f"Oförändrad: {label}")
    for slug in report.deactivated:
        click.echo(f"Inaktiverad (mappen finns inte): {slug}")
    for slug, problems in report.refused.items():
        click.echo(f"Vägrad: {slug} (den tidigare inlästa versionen gäller)", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)
    if not report.ok:
        sys.exit(1)


@courses_cli.command("import-scorm")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def import_scorm(file: Path) -> None:
    """Läs in ett SCORM-paket (zip) som köpt kurs; samma paket med nytt innehåll blir en ny version."""
    from app.courses import scorm

    try:
        result = scorm.import_package(db.session, file, actor=None, filename=file.name)
        db.session.commit()
    except scorm.PackageRefused as exc:
        db.session.rollback()
        click.echo(f"Vägrad: {file.name}: {exc.message}", err=True)
        sys.exit(1)
    except Exception:
        db.session.rollback()
        raise
    click.echo(result.message)
    version = result.version
    click.echo(
        f"SCORM {version.content['scorm_version']}, "
        f"{counted(len(version.content['items']), 'del', 'delar')}: "
        + ", ".join(item["title"] for item in version.content["items"])
    )
    if result.created_course:
        click.echo(
            "Fyll i målgrupp, giltighet, innehållsvarning och stödkontakter under "
            "Administration › Köpta kurser (SCORM), och lägg till kravet under Krav."
        )
