"""Tabular output: services return (headers, rows); one writer makes CSV or XLSX of them.

CSV is what Swedish Excel opens without a wizard: UTF-8 with BOM, semicolons, CRLF,
decimal comma. Cells that a spreadsheet would read as a formula are neutralised.
Both writers stream: memory stays flat however many rows there are. Headers and names
come from app/labels.py, in Swedish whatever the language of the person exporting.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
import xlsxwriter
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app import labels
from app.models import Completion, Course, CourseVersion, Employee, OrgUnit, Status
from app.org import ancestor_ids, in_subtrees
from app.records import audit
from app.reports import coverage
from app.reports.coverage import STATUSES, Scope
from app.reports.sqlfunc import utc_date

KINDS = ("records", "coverage")
FORMATS = ("csv", "xlsx")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMULA_CHARS = frozenset(FORMULA_START)
CHUNK_ROWS = 2000

Table = tuple[list[str], Iterable[tuple[Any, ...]]]


@dataclass(frozen=True)
class ExportFilters:
    on: date
    unit: OrgUnit | None = None
    course_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    status: str | None = None
    within: list[str] | None = None  # the caller's reach (None: everything)

    def describe(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "unit": self.unit.code if self.unit else None,
            "course_id": self.course_id,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "status": self.status,
        }

    @property
    def unit_paths(self) -> list[str] | None:
        if self.unit is not None:
            return [self.unit.path]
        return self.within


class InvalidFilter(ValueError):
    pass


def check_status(kind: str, status: str | None) -> None:
    allowed = [s.value for s in STATUSES]
    if kind == "records":
        allowed = [Status.COMPLETED.value, Status.EXPIRING.value, Status.EXPIRED.value]
    if status and status not in allowed:
        raise InvalidFilter(f"Okänd status '{status}' (tillåtna: {', '.join(allowed)}).")


# --- cells ---------------------------------------------------------------------------------


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv_row(row: tuple[Any, ...]) -> list[Any]:
    """Cells as Swedish Excel reads them; the hot loop of a million-row export."""
    out: list[Any] = []
    for value in row:
        kind = type(value)
        if kind is str:
            out.append("'" + value if value[:1] in FORMULA_CHARS else value)
        elif value is None:
            out.append("")
        elif kind is int:
            out.append(value)
        elif kind is float:
            out.append(labels.share_number(value))  # the only float in a table is a share
        elif kind is bool:
            out.append("ja" if value else "nej")
        elif isinstance(value, date):
            out.append(value.isoformat())
        else:
            out.append(neutralise(str(value)))
    return out


def csv_chunks(headers: list[str], rows: Iterable[tuple[Any, ...]]) -> Iterator[bytes]:
    """The table as CSV bytes, a few thousand rows per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralise(h) for h in headers])
    yield codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    batch: list[list[Any]] = []
    for row in rows:
        batch.append(_csv_row(row))
        if len(batch) == CHUNK_ROWS:
            writer.writerows(batch)
            batch.clear()
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if batch:
        writer.writerows(batch)
        yield buffer.getvalue().encode("utf-8")


EXCEL_EPOCH = date(1899, 12, 30).toordinal()


def _xlsx_row(row: tuple[Any, ...]) -> list[Any]:
    out: list[Any] = []
    for value in row:
        kind = type(value)
        if kind is str:
            out.append("'" + value if value[:1] in FORMULA_CHARS else value)
        elif kind is date:
            out.append(
                float(value.toordinal() - EXCEL_EPOCH)
            )  # a day serial; the column formats it
        elif kind is bool:
            out.append("ja" if value else "nej")
        elif isinstance(value, datetime):
            out.append(float(value.date().toordinal() - EXCEL_EPOCH))
        else:
            out.append(value)
    return out


def write_xlsx(headers: list[str], rows: Iterable[tuple[Any, ...]], target: Any) -> int:
    """Write the table to an XLSX file (a path or a binary file); returns the row count.

    constant_memory mode writes each row to disk as it comes; dates and shares get
    their number format from the column, so each row is one write_row call.
    """
    workbook = xlsxwriter.Workbook(
        target, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = workbook.add_worksheet("Värna")
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    share = workbook.add_format({"num_format": labels.XLSX_SHARE_FORMAT})
    sheet.write_row(0, 0, [neutralise(h) for h in headers], bold)
    sheet.freeze_panes(1, 0)
    iterator = iter(rows)
    first = next(iterator, None)
    n = 0
    if first is not None:
        for col, value in enumerate(first):
            if isinstance(value, date):
                sheet.set_column(col, col, 11, day)
            elif isinstance(value, float):
                sheet.set_column(col, col, 9, share)
        for n, row in enumerate(itertools.chain([first], iterator), start=1):
            sheet.write_row(n, 0, _xlsx_row(row))
    workbook.close()
    return n


def xlsx_chunks(headers: list[str], rows: Iterable[tuple[Any, ...]]) -> Iterator[bytes]:
    """Build the workbook in a temporary file, then hand it out in chunks and delete it."""
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        write_xlsx(headers, rows, path)
        with open(path, "rb") as fh:
            while chunk := fh.read(256 * 1024):
                yield chunk
    finally:
        os.unlink(path)


def chunks(fmt: str, table: Table) -> Iterator[bytes]:
    headers, rows = table
    return csv_chunks(headers, rows) if fmt == "csv" else xlsx_chunks(headers, rows)


MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# --- the tables -----------------------------------------------------------------------------


@dataclass
class UnitNames:
    """Unit id -> "Kommunen / Förvaltning / Enhet", from one query of all units."""

    session: Session
    _units: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    _paths: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for uid, code, name, path in self.session.execute(
            sa.select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.path)
        ):
            self._units[uid] = (code, name, path)

    def code(self, unit_id: int) -> str:
        return self._units[unit_id][0]

    def path_names(self, unit_id: int) -> str:
        if unit_id not in self._paths:
            path = self._units[unit_id][2]
            names = (self._units[i][1] for i in ancestor_ids(path) if i in self._units)
            self._paths[unit_id] = " / ".join(names)
        return self._paths[unit_id]


RECORD_HEADERS = [
    _l("Anställningsnummer"),
    _l("Förnamn"),
    _l("Efternamn"),
    _l("Enhetskod"),
    _l("Enhet"),
    _l("Nivå"),
    _l("Kurs"),
    _l("Kursversion"),
    _l("Datum"),
    _l("Poäng"),
    _l("Källa"),
    _l("Giltig till"),
]


def records_stmt(f: ExportFilters) -> sa.Select:
    completed_on = Completion.completed_at
    stmt = (
        sa.select(
            Employee.employee_number,
            Employee.first_name,
            Employee.last_name,
            Employee.unit_id,
            Employee.level,
            sa.func.coalesce(Course.title, Completion.title),
            CourseVersion.version,
            utc_date(Completion.completed_at),
            Completion.score,
            Completion.source,
            utc_date(Completion.expires_at),
        )
        .select_from(Completion)
        .join(Employee, Employee.id == Completion.employee_id)
        .outerjoin(Course, Course.id == Completion.course_id)
        .outerjoin(CourseVersion, CourseVersion.id == Completion.course_version_id)
        .where(Completion.superseded_by_id.is_(None))
        .order_by(Completion.id)
    )
    if f.unit_paths is not None:
        unit = sa.orm.aliased(OrgUnit)
        stmt = stmt.join(unit, unit.id == Employee.unit_id).where(
            in_subtrees(unit.path, f.unit_paths)
        )
    if f.course_id is not None:
        stmt = stmt.where(Completion.course_id == f.course_id)
    if f.date_from is not None:
        stmt = stmt.where(completed_on >= datetime.combine(f.date_from, time.min, UTC))
    if f.date_to is not None:
        stmt = stmt.where(
            completed_on < datetime.combine(f.date_to + timedelta(days=1), time.min, UTC)
        )
    if f.status:
        pairs = coverage.pairs_stmt(f.on, Scope(unit_paths=f.unit_paths)).subquery("p")
        stmt = stmt.join(
            pairs,
            sa.and_(
                pairs.c.employee_id == Completion.employee_id,
                pairs.c.course_id == Completion.course_id,
            ),
        ).where(pairs.c.status == f.status)
    return stmt


def records_table(session: Session, f: ExportFilters) -> Table:
    """One row per completion (corrected rows left out), in the order they were recorded."""
    names = UnitNames(session)
    level_names = labels.swedish(labels.LEVEL)
    source_names = labels.swedish(labels.SOURCE)

    def rows() -> Iterator[tuple[Any, ...]]:
        result = session.execute(
            records_stmt(f), execution_options={"yield_per": CHUNK_ROWS, "stream_results": True}
        )
        for (
            number,
            first,
            last,
            unit_id,
            level,
            title,
            version,
            done,
            score,
            source,
            expires,
        ) in result:
            yield (
                number,
                first,
                last,
                names.code(unit_id),
                names.path_names(unit_id),
                level_names.get(level, level),
                title,
                version,
                done if type(done) is date else coverage.as_date(done),
                score,
                source_names.get(source, source),
                expires if expires is None or type(expires) is date else coverage.as_date(expires),
            )

    return labels.swedish_texts(RECORD_HEADERS), rows()


COVERAGE_HEADERS = [
    _l("Enhetskod"),
    _l("Enhet"),
    _l("Nivå"),
    _l("Kurs"),
    *[labels.STATUS[s] for s in STATUSES],
    _l("Totalt"),
    _l("Täckning"),
]


def coverage_table(session: Session, f: ExportFilters) -> Table:
    """Unit × level × course with the count per status on day f.on (one grouped query)."""
    scope = Scope(
        unit_paths=f.unit_paths, course_ids=[f.course_id] if f.course_id is not None else None
    )
    counts = coverage.status_counts(
        session, on=f.on, group_by=("unit", "level", "course"), scope=scope
    )
    names = UnitNames(session)
    level_names = labels.swedish(labels.LEVEL)
    titles = dict(session.execute(sa.select(Course.id, Course.title)).all())
    rows = []
    for row in counts:
        unit_id, level, course_id = row.key
        c = row.counts
        if f.status and not getattr(c, f.status):
            continue
        rows.append(
            (
                names.code(unit_id),
                names.path_names(unit_id),
                level_names.get(level, level),
                titles.get(course_id, ""),
                *[getattr(c, s.value) for s in STATUSES],
                c.total,
                c.coverage,
            )
        )
    rows.sort(key=lambda r: (r[1], r[0], r[2], r[3]))
    return labels.swedish_texts(COVERAGE_HEADERS), rows


def table(session: Session, kind: str, f: ExportFilters) -> Table:
    check_status(kind, f.status)
    return records_table(session, f) if kind == "records" else coverage_table(session, f)


def audit_export(
    session: Session, *, kind: str, fmt: str, f: ExportFilters, actor_id: int | None, via: str
) -> None:
    """Every export is logged: who took out what, with which filters."""
    audit(
        session,
        None,
        f"export.{kind}",
        "export",
        fmt,
        {"format": fmt, "via": via, **f.describe()},
        actor_id=actor_id,
    )
    session.flush()


def filename(kind: str, fmt: str, on: date) -> str:
    stem = "utbildningsregister" if kind == "records" else "tackning"
    return f"varna-{stem}-{on.isoformat()}.{fmt}"
