"""Tabular output: services return (headers, rows); one writer makes CSV or XLSX of them.

CSV is what Swedish Excel opens without a wizard: UTF-8 with BOM, semicolons, CRLF,
decimal comma. CSV cells that a spreadsheet would read as a formula are neutralised
with an apostrophe; XLSX needs none: a text cell is written as text, never a formula.
Both writers stream: memory stays flat however many rows there are. Headers and names
come from app/labels.py, in Swedish whatever the language of the person exporting.

The filters carry plain values (a unit's code and path, not the OrgUnit): the web
download is written after its audit event is committed, when the request's objects
are expired, and on a real server no longer attached to a session (review L6).
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
    unit_code: str | None = None
    unit_path: str | None = None  # the unit and everything below it
    course_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    status: str | None = None
    within: list[str] | None = None  # the caller's reach (None: everything)

    def describe(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "unit": self.unit_code,
            "course_id": self.course_id,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "status": self.status,
        }

    @property
    def unit_paths(self) -> list[str] | None:
        if self.unit_path is not None:
            return [self.unit_path]
        return self.within

    @staticmethod
    def of_unit(unit: OrgUnit | None) -> dict[str, str | None]:
        """unit_code and unit_path of a unit (or None: the whole municipality)."""
        return {"unit_code": unit.code if unit else None, "unit_path": unit.path if unit else None}


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
WIDTH_SAMPLE = 200  # rows read to size the columns
MIN_WIDTH, MAX_WIDTH = 6, 60


def _xlsx_row(row: tuple[Any, ...]) -> list[Any]:
    """Numbers and day serials as numbers; text as it is (written with write_string)."""
    out: list[Any] = []
    for value in row:
        kind = type(value)
        if kind is str:
            out.append(value)
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


def _width(value: Any) -> int:
    if isinstance(value, date):
        return 10
    if isinstance(value, float):
        return 7
    return len(str(value)) if value is not None else 0


def column_widths(headers: list[str], sample: list[tuple[Any, ...]]) -> list[int]:
    """A width for every column: its header or its widest value in the sample, bounded."""
    widths = []
    for col, header in enumerate(headers):
        widest = max([len(str(header)), *(_width(row[col]) for row in sample)])
        widths.append(min(max(widest + 2, MIN_WIDTH), MAX_WIDTH))
    return widths


def write_xlsx(headers: list[str], rows: Iterable[tuple[Any, ...]], target: Any) -> int:
    """Write the table to an XLSX file (a path or a binary file); returns the row count.

    constant_memory mode writes each row to disk as it comes. Every column gets a width
    from the header and the first rows; dates and shares get their number format from
    the column. Text goes through write_string, so "=1+1" is the text "=1+1".
    """
    workbook = xlsxwriter.Workbook(
        target, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = workbook.add_worksheet("Värna")
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    share = workbook.add_format({"num_format": labels.XLSX_SHARE_FORMAT})
    iterator = iter(rows)
    sample = list(itertools.islice(iterator, WIDTH_SAMPLE))
    for col, width in enumerate(column_widths(headers, sample)):
        kinds = {type(row[col]) for row in sample if row[col] is not None}
        fmt = day if kinds & {date, datetime} else share if float in kinds else None
        sheet.set_column(col, col, width, fmt)
    for col, header in enumerate(headers):
        sheet.write_string(0, col, str(header), bold)
    sheet.freeze_panes(1, 0)
    n = 0
    write_string, write = sheet.write_string, sheet.write
    for n, row in enumerate(itertools.chain(sample, iterator), start=1):
        for col, value in enumerate(_xlsx_row(row)):
            if type(value) is str:
                write_string(n, col, value)
            elif value is not None:
                write(n, col, value)
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
    "csv": "text/csv",  # Werkzeug adds "; charset=utf-8" to a text/* type
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
