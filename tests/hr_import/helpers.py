"""Small HR exports for the tests, and the sample municipality's files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa

from app.admin.imports import services
from app.admin.imports.mapping import default_mapping
from app.admin.imports.reading import ImportFile
from app.extensions import db
from app.models import AuditEvent, Employee, OrgUnit, UnitManager

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "hr-exempelby"
SAMPLE_WITH_ERRORS = DATA / "hr-exempelby-fel"
TODAY = date(2026, 11, 27)

UNIT_HEADER = [
    "enhetskod",
    "enhetsnamn",
    "enhetstyp",
    "overordnad_enhetskod",
    "chef_anstallningsnummer",
]
STAFF_HEADER = [
    "anstallningsnummer",
    "fornamn",
    "efternamn",
    "epost",
    "enhetskod",
    "befattning",
    "personalkategori",
    "anstallningsdatum",
    "slutdatum",
]
UNITS = [
    ["K", "Lilleby kommun", "kommun", "", "1"],
    ["SOC", "Socialförvaltningen", "förvaltning", "K", "2"],
    ["SOC-1", "Barn och familj", "enhet", "SOC", "3"],
    ["UTB", "Utbildningsförvaltningen", "förvaltning", "K", ""],
]
STAFF = [
    [
        "1",
        "Åsa",
        "Öberg",
        "asa.oberg@lilleby.se",
        "K",
        "kommundirektör",
        "ledning",
        "2010-01-01",
        "",
    ],
    ["2", "Bo", "Ek", "bo.ek@lilleby.se", "SOC", "förvaltningschef", "ledning", "2015-03-01", ""],
    ["3", "Cia", "Al", "cia.al@lilleby.se", "SOC-1", "enhetschef", "chef", "2018-06-01", ""],
    [
        "4",
        "Dan",
        "Ås",
        "dan.as@lilleby.se",
        "SOC-1",
        "socialsekreterare",
        "medarbetare",
        "2020-01-15",
        "",
    ],
    ["5", "Eva", "Berg", "eva.berg@lilleby.se", "UTB", "lärare", "medarbetare", "2021-08-01", ""],
]


def csv_bytes(rows: list[list[str]], *, sep: str = ";", encoding: str = "utf-8-sig") -> bytes:
    return ("\r\n".join(sep.join(r) for r in rows) + "\r\n").encode(encoding)


def files(
    units: list[list[str]] | None = None,
    staff: list[list[str]] | None = None,
    **options,
) -> tuple[ImportFile, ImportFile]:
    return (
        ImportFile("enheter.csv", csv_bytes([UNIT_HEADER, *(units or UNITS)], **options)),
        ImportFile("personal.csv", csv_bytes([STAFF_HEADER, *(staff or STAFF)], **options)),
    )


def sample_files(folder: Path = SAMPLE) -> tuple[ImportFile, ImportFile]:
    return (
        ImportFile("enheter.csv", (folder / "enheter.csv").read_bytes()),
        ImportFile("personal.csv", (folder / "personal.csv").read_bytes()),
    )


def run(
    pair: tuple[ImportFile, ImportFile],
    *,
    dry_run: bool = False,
    mapping=None,
    encoding: str | None = None,
    actor: Employee | None = None,
    today: date = TODAY,
) -> services.ImportResult:
    result = services.import_files(
        db.session,
        units_file=pair[0],
        staff_file=pair[1],
        mapping=mapping or default_mapping(),
        encoding=encoding,
        actor=actor,
        dry_run=dry_run,
        today=today,
        via="test",
    )
    db.session.commit()
    return result


def employee(number: str) -> Employee:
    return db.session.scalar(sa.select(Employee).where(Employee.employee_number == number))


def unit(code: str) -> OrgUnit:
    return db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == code))


def chefs(code: str) -> set[str]:
    return set(
        db.session.scalars(
            sa.select(Employee.employee_number)
            .join(UnitManager, UnitManager.employee_id == Employee.id)
            .join(OrgUnit, UnitManager.unit_id == OrgUnit.id)
            .where(OrgUnit.code == code, UnitManager.role == "chef")
        )
    )


def snapshot() -> list[tuple]:
    """Every row the import could touch, to compare before and after."""
    rows: list[tuple] = []
    for model in (OrgUnit, Employee, UnitManager, AuditEvent):
        table = model.__table__
        rows += [
            tuple(r) for r in db.session.execute(sa.select(table).order_by(*table.primary_key))
        ]
    return rows
