"""Benchmark of the HR import at municipal scale (docs/benchmarks.md, "HR import").

Generates an export like the HR system's (semicolon, UTF-8 with BOM, CRLF) with
N staff and U units, then times, on a fresh database:

1. the first import (everything new),
2. the same files again (nothing changes),
3. a month later: 2 % moved, 1 % promoted, 1 % with a passed end date, 1 %
   missing from the export, 2 % new, 1 % of units renamed and 20 moved, 5 %
   of managers replaced,
4. the invitation e-mails for the first import's accounts (to the log, which
   is switched off here: this measures making the links),

each through the same service the CLI and the web page call, in one
transaction, with the import lock. Peak memory is the process's maximum RSS.

    .venv/bin/python bench/import_bench.py [--staff 100000] [--units 3000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import resource
import secrets
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TODAY = date.today()
LEVELS = ["medarbetare"] * 90 + ["chef"] * 6 + ["ledning"] * 1 + ["fortroendevald"] * 3
FIRST = ["Anna", "Erik", "Maria", "Lars", "Fatima", "Ali", "Sofia", "Johan", "Åsa", "Örjan"]
LAST = ["Andersson", "Johansson", "Nilsson", "Öberg", "Yilmaz", "Hussein", "Lindqvist", "Ek"]
TITLES = ["undersköterska", "lärare", "socialsekreterare", "förskollärare", "ekonom"]
UNIT_HEADER = "enhetskod;enhetsnamn;enhetstyp;overordnad_enhetskod;chef_anstallningsnummer"
STAFF_HEADER = (
    "anstallningsnummer;fornamn;efternamn;epost;enhetskod;befattning;"
    "personalkategori;anstallningsdatum;slutdatum"
)


def generate(folder: Path, *, staff: int, units: int, month: int = 0, seed: int = 2026) -> None:
    """Write enheter.csv and personal.csv; month=1 is the same municipality a month later."""
    rng = random.Random(seed)
    codes = ["K0001"] + [f"E{i:05d}" for i in range(1, units)]
    parents: dict[str, str] = {"K0001": ""}
    names = {c: f"Enhet {c}" for c in codes}
    administrations = codes[1:16]
    for c in administrations:
        parents[c] = "K0001"
    for i, c in enumerate(codes[16:]):
        parents[c] = codes[1 + (i * 7919) % (15 + i)] if i else administrations[0]
    numbers = [str(100000 + i) for i in range(staff)]
    unit_of = {n: codes[1 + (i * 31) % (units - 1)] for i, n in enumerate(numbers)}
    manager = {c: numbers[(i * 97) % staff] for i, c in enumerate(codes)}
    level = {n: rng.choice(LEVELS) for n in numbers}
    gone: set[str] = set()
    ended: set[str] = set()
    new: list[str] = []
    if month:
        change = random.Random(seed + month)
        for n in change.sample(numbers, staff // 50):
            unit_of[n] = change.choice(codes[1:])
        for n in change.sample(numbers, staff // 100):
            level[n] = "chef"
        ended = set(change.sample(numbers, staff // 100))
        gone = set(change.sample(numbers, staff // 100)) - ended
        new = [str(100000 + staff + i) for i in range(staff // 50)]
        for n in new:
            unit_of[n] = change.choice(codes[1:])
            level[n] = "medarbetare"
        for c in change.sample(codes[16:], units // 100):
            names[c] = names[c] + " (ny)"
        for c in change.sample(codes[16:], 20):
            parents[c] = change.choice(administrations)
        for c in change.sample(codes, units // 20):
            candidate = change.choice(numbers)
            if candidate not in gone and candidate not in ended:
                manager[c] = candidate
    with (folder / "enheter.csv").open("w", encoding="utf-8-sig", newline="") as f:
        f.write(UNIT_HEADER + "\r\n")
        for c in codes:
            boss = manager[c] if manager[c] not in gone and manager[c] not in ended else ""
            f.write(f"{c};{names[c]};enhet;{parents[c]};{boss}\r\n")
    with (folder / "personal.csv").open("w", encoding="utf-8-sig", newline="") as f:
        f.write(STAFF_HEADER + "\r\n")
        for i, n in enumerate(numbers + new):
            if n in gone:
                continue
            first, last = FIRST[i % len(FIRST)], LAST[(i // 7) % len(LAST)]
            start = date(2000, 1, 1) + timedelta(days=(i * 37) % 9000)
            end = (TODAY - timedelta(days=3)).isoformat() if n in ended else ""
            f.write(
                f"{n};{first};{last};p{n}@kommun.example;{unit_of[n]};"
                f"{TITLES[i % len(TITLES)]};{level[n]};{start.isoformat()};{end}\r\n"
            )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fresh_database(url: str | None, tmp: Path) -> tuple[str, callable]:
    """A SQLite file in tmp, or a scratch PostgreSQL database; and how to drop it."""
    if not url:
        return f"sqlite:///{tmp / 'bench.sqlite3'}", lambda: None
    base = sa.make_url(url).set(drivername="postgresql+psycopg")
    name = f"varna_bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


def run(*, staff: int, units: int, database_url: str | None = None) -> list[tuple[str, float, str]]:
    """Returns (step, seconds, what happened) for each step; prints as it goes."""
    from flask_migrate import upgrade

    from app import create_app
    from app.admin.imports import lock, services
    from app.admin.imports.mapping import default_mapping
    from app.admin.imports.reading import ImportFile
    from app.auth import invitations
    from app.extensions import db

    logging.getLogger("app").setLevel(logging.WARNING)
    rows: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        first, later = tmp / "first", tmp / "later"
        first.mkdir()
        later.mkdir()
        generate(first, staff=staff, units=units)
        generate(later, staff=staff, units=units, month=1)
        url, drop = fresh_database(database_url, tmp)
        try:
            app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": False})
            with app.app_context():
                upgrade(revision="heads")
                backend = db.engine.dialect.name
                print(f"HR import: {staff} staff and {units} units on {backend}")
                print(f"  before: peak RSS {_peak_mb():.0f} MB")
                created: list[int] = []
                for step, folder in (
                    ("first import", first),
                    ("same files again", first),
                    ("a month later", later),
                ):
                    pair = [
                        ImportFile(p.name, p.read_bytes())
                        for p in (folder / "enheter.csv", folder / "personal.csv")
                    ]
                    started = time.perf_counter()
                    with lock.import_lock("bench"):
                        result = services.import_files(
                            db.session,
                            units_file=pair[0],
                            staff_file=pair[1],
                            mapping=default_mapping(),
                            via="bench",
                        )
                        db.session.commit()
                    seconds = time.perf_counter() - started
                    created = created or result.created_employee_ids
                    c = result.counts
                    what = (
                        f"{c.created} created, {c.updated} updated, {c.deactivated} deactivated, "
                        f"managers +{c.managers_added}/-{c.managers_removed}"
                    )
                    rows.append((step, seconds, what))
                    print(f"  {step:<18} {seconds:6.1f} s   {what}; peak RSS {_peak_mb():.0f} MB")
                    del pair, result
                started = time.perf_counter()
                sent = invitations.send_invitations(db.session, created)
                seconds = time.perf_counter() - started
                rows.append(("invitations", seconds, f"{sent} links made and mailed to the log"))
                print(
                    f"  {'invitations':<18} {seconds:6.1f} s   {sent} links; peak RSS {_peak_mb():.0f} MB"
                )
                db.session.remove()
                db.engine.dispose()
        finally:
            drop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=3_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="PostgreSQL server to create a scratch database on (default: a SQLite file)",
    )
    args = parser.parse_args()
    run(staff=args.staff, units=args.units, database_url=args.database_url)


if __name__ == "__main__":
    main()
