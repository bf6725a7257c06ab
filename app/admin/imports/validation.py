"""Checking both files against each other, collecting every problem (not just the first).

Pure Python, no database: the units file is the whole organisation, so every
check here can be made from the two files alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from app.admin.imports.mapping import STAFF_FIELDS, UNIT_FIELDS, Mapping
from app.admin.imports.reading import MAX_FIELD_CHARS, Problem, Table
from app.models.org import NAME_LENGTH

# Column sizes in the models (app/models/org.py).
LIMITS = {
    "code": 64,
    "name": NAME_LENGTH,
    "kind": 64,
    "parent_code": 64,
    "manager_number": 64,
    "employee_number": 64,
    "first_name": NAME_LENGTH,
    "last_name": NAME_LENGTH,
    "email": 254,
    "unit_code": 64,
    "title": NAME_LENGTH,
    "level": 64,
    "start_date": 40,
    "end_date": 40,
}
# Practical, not RFC 5322: one @, a dot in the domain, no spaces or angle brackets.
EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
FORMULA_START = ("=", "+", "-", "@")


@dataclass(slots=True)
class UnitRow:
    line: int
    code: str
    name: str
    kind: str
    parent_code: str | None
    manager_number: str | None


@dataclass(slots=True)
class StaffRow:
    line: int
    employee_number: str
    first_name: str
    last_name: str
    email: str | None
    unit_code: str
    title: str
    level: str
    start_date: date
    end_date: date | None


@dataclass
class Checked:
    units: list[UnitRow] = field(default_factory=list)
    staff: list[StaffRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def check(units: Table, staff: Table, mapping: Mapping, *, today: date) -> Checked:
    result = Checked()
    unit_cols = _columns(units, mapping.units, UNIT_FIELDS, result.problems)
    staff_cols = _columns(staff, mapping.staff, STAFF_FIELDS, result.problems)
    if unit_cols is not None:
        result.units = _unit_rows(units, mapping, unit_cols, result)
    if staff_cols is not None:
        result.staff = _staff_rows(staff, mapping, staff_cols, result)
        _share_emails(staff, mapping, result, today)
    if unit_cols is not None:
        known = {u.code for u in result.units} | _raw_values(units, mapping.units["code"])
        _check_tree(units.file, mapping.units["parent_code"], known, result)
    if unit_cols is not None and staff_cols is not None:
        _check_references(units, staff, mapping, result)
    result.problems.sort(key=lambda p: (p.file != units.file, p.line or 0))
    result.warnings.sort(key=lambda p: (p.file != units.file, p.line or 0))
    return result


def _columns(
    table: Table,
    fields: dict[str, str],
    spec: dict[str, tuple[str, bool]],
    problems: list[Problem],
) -> dict[str, int] | None:
    """Field → column index, or None when the header lacks something required."""
    lowered = [h.lower() for h in table.header]
    found: dict[str, int] = {}
    ok = True
    for header in sorted({h for h in lowered if h and lowered.count(h) > 1}):
        problems.append(
            Problem(table.file, 1, header, "Kolumnen finns flera gånger i rubrikraden.")
        )
        ok = False
    for key, header in fields.items():
        if header.lower() in lowered:
            found[key] = lowered.index(header.lower())
        elif spec[key][1]:
            problems.append(
                Problem(
                    table.file,
                    1,
                    header,
                    f"Rubrikraden saknar kolumnen {header!r} ({spec[key][0]}). "
                    f"Rubrikerna i filen är: {_shown_headers(table)}. "
                    "Är det rätt fil, och stämmer kolumnmappningen?",
                )
            )
            ok = False
    if ok and not table.rows:
        problems.append(Problem(table.file, None, None, "Filen har inga rader under rubrikraden."))
        ok = False
    return found if ok else None


def _shown_headers(table: Table) -> str:
    shown = ", ".join(repr(h[:40]) for h in table.header[:12])
    return shown + (" …" if len(table.header) > 12 else "")


class _RowReader:
    """Takes one row's values field by field, noting problems as it goes."""

    def __init__(self, table: Table, line: int, values: list[str], cols: dict[str, int]) -> None:
        self.table, self.line, self.values, self.cols = table, line, values, cols
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def header(self, key: str) -> str:
        return self.table.header[self.cols[key]]

    def problem(self, key: str | None, message: str) -> None:
        self.problems.append(
            Problem(self.table.file, self.line, self.header(key) if key else None, message)
        )

    def text(self, key: str, *, required: bool = True) -> str:
        if key not in self.cols:
            return ""
        value = self.values[self.cols[key]].strip()
        if not value:
            if required:
                self.problem(key, "Värdet saknas.")
            return ""
        if len(value) > min(LIMITS[key], MAX_FIELD_CHARS):
            self.problem(
                key, f"Värdet är för långt: {len(value)} tecken, högst {LIMITS[key]} får plats."
            )
            return ""
        if CONTROL_RE.search(value):
            self.problem(key, "Värdet innehåller otillåtna kontrolltecken (t.ex. radbrytning).")
            return ""
        return value

    def name(self, key: str, *, required: bool = True) -> str:
        value = self.text(key, required=required)
        if value and (value.startswith(FORMULA_START) or ("<" in value and ">" in value)):
            self.warnings.append(
                Problem(
                    self.table.file,
                    self.line,
                    self.header(key),
                    f'"{value}" ser ut som HTML eller en kalkylbladsformel. '
                    "Det sparas som vanlig text och visas aldrig som kod.",
                )
            )
        return value

    def day(self, key: str, date_format: str, *, required: bool) -> date | None:
        value = self.text(key, required=required)
        if not value:
            return None
        try:
            if date_format == "%Y-%m-%d" and len(value) == 10:
                return date.fromisoformat(value)
            return datetime.strptime(value, date_format).date()  # noqa: DTZ007 (a day, no time)
        except ValueError:
            shown = date_format.replace("%Y", "ÅÅÅÅ").replace("%m", "MM").replace("%d", "DD")
            self.problem(key, f'"{value}" är inget giltigt datum (formatet är {shown}).')
            return None


def _rows(table: Table, cols: dict[str, int], result: Checked):
    width = len(table.header)
    for line, values in table.rows:
        if len(values) != width:
            result.problems.append(
                Problem(
                    table.file,
                    line,
                    None,
                    f"Raden har {len(values)} fält men rubrikraden har {width}. "
                    f"Kontrollera avgränsaren ({_delimiter_name(table.delimiter)}) på raden.",
                )
            )
            continue
        yield _RowReader(table, line, values, cols)


def _delimiter_name(sep: str) -> str:
    return {";": "semikolon", ",": "komma", "\t": "tabb", "|": "lodstreck"}.get(sep, repr(sep))


def _unit_rows(
    table: Table, mapping: Mapping, cols: dict[str, int], result: Checked
) -> list[UnitRow]:
    rows: list[UnitRow] = []
    seen: dict[str, int] = {}
    for r in _rows(table, cols, result):
        code = r.text("code")
        name = r.name("name")
        kind = r.text("kind", required=False) or "enhet"
        parent = r.text("parent_code", required=False) or None
        manager = r.text("manager_number", required=False) or None
        if code:
            first = seen.setdefault(code, r.line)
            if first != r.line:
                r.problem("code", f"Enhetskoden {code} finns redan på rad {first}.")
            elif parent == code:
                r.problem("parent_code", "Enheten kan inte vara sin egen överordnade enhet.")
                parent = None
        result.warnings.extend(r.warnings)
        if r.problems:
            result.problems.extend(r.problems)
            continue
        rows.append(UnitRow(r.line, code, name, kind, parent, manager))
    return rows


def _staff_rows(
    table: Table, mapping: Mapping, cols: dict[str, int], result: Checked
) -> list[StaffRow]:
    rows: list[StaffRow] = []
    seen_numbers: dict[str, int] = {}
    allowed = ", ".join(sorted(set(mapping.levels.values())))
    for r in _rows(table, cols, result):
        number = r.text("employee_number")
        first_name = r.name("first_name")
        last_name = r.name("last_name")
        email = r.text("email").lower() or None
        unit_code = r.text("unit_code")
        title = r.name("title", required=False)
        raw_level = r.text("level")
        start = r.day("start_date", mapping.date_format, required=True)
        end = r.day("end_date", mapping.date_format, required=False)
        if number:
            first = seen_numbers.setdefault(number, r.line)
            if first != r.line:
                r.problem(
                    "employee_number", f"Anställningsnumret {number} finns redan på rad {first}."
                )
        level = mapping.levels.get(raw_level.lower()) if raw_level else None
        if raw_level and level is None:
            r.problem("level", f'Okänd personalkategori "{raw_level}". Tillåtna värden: {allowed}.')
        if email and not EMAIL_RE.match(email):
            r.problem("email", f'"{email}" är ingen giltig e-postadress.')
        if start and end and end < start:
            r.problem(
                "end_date",
                f"Slutdatum {end.isoformat()} är före anställningsdatum {start.isoformat()}.",
            )
        result.warnings.extend(r.warnings)
        if r.problems:
            result.problems.extend(r.problems)
            continue
        if start is None or level is None:  # pragma: no cover (reported above)
            continue
        rows.append(
            StaffRow(
                r.line, number, first_name, last_name, email, unit_code, title, level, start, end
            )
        )
    return rows


def _share_emails(staff: Table, mapping: Mapping, result: Checked, today: date) -> None:
    """One address on several rows: one account keeps it, the others are read in without.

    HR systems do this for a person with two employments, and by mistake. An
    address is one login, so it goes to the row that stays employed, then the
    lowest employee number (the same choice on every import); the others are
    warned about, not refused.
    """
    groups: dict[str, list[StaffRow]] = {}
    for row in result.staff:
        if row.email:
            groups.setdefault(row.email, []).append(row)
    header = mapping.staff["email"]
    for email, rows in groups.items():
        if len(rows) < 2:
            continue
        keep = min(
            rows,
            key=lambda r: (
                r.end_date is not None and r.end_date < today,
                len(r.employee_number),
                r.employee_number,
            ),
        )
        for row in rows:
            if row is keep:
                continue
            row.email = None
            result.warnings.append(
                Problem(
                    staff.file,
                    row.line,
                    header,
                    f"E-postadressen {email} har också anställningsnummer "
                    f"{keep.employee_number} (rad {keep.line}), som får den. "
                    f"{row.first_name} {row.last_name} ({row.employee_number}) läses in utan "
                    "e-postadress och kan inte logga in förrän adressen rättas i HR-systemet.",
                )
            )


def _check_tree(file: str, parent_header: str, known: set[str], result: Checked) -> None:
    """Every parent exists, there is a root, and no unit is its own ancestor."""
    by_code = {u.code: u for u in result.units}
    for unit in result.units:
        if unit.parent_code and unit.parent_code not in known:
            result.problems.append(
                Problem(
                    file,
                    unit.line,
                    parent_header,
                    f"Den överordnade enheten {unit.parent_code} finns inte i enhetsfilen.",
                )
            )
    state: dict[str, int] = {}  # 1: on the current chain, 2: reaches a root
    for unit in result.units:
        chain: list[str] = []
        code: str | None = unit.code
        while code is not None and code in by_code and state.get(code) is None:
            state[code] = 1
            chain.append(code)
            code = by_code[code].parent_code
        if code is not None and state.get(code) == 1:
            cycle = chain[chain.index(code) :] + [code]
            for member in cycle[:-1]:
                result.problems.append(
                    Problem(
                        file,
                        by_code[member].line,
                        parent_header,
                        "Enheterna bildar en cirkel av överordnade enheter: "
                        + " → ".join(cycle)
                        + ".",
                    )
                )
        for member in chain:
            state[member] = 2


def _check_references(units: Table, staff: Table, mapping: Mapping, result: Checked) -> None:
    unit_codes = {u.code for u in result.units}
    numbers = {s.employee_number for s in result.staff}
    # Rows refused above still count as present: their own problem says what is wrong.
    all_numbers = numbers | _raw_values(staff, mapping.staff["employee_number"])
    all_units = unit_codes | _raw_values(units, mapping.units["code"])
    unit_header = mapping.staff["unit_code"]
    for s in result.staff:
        if s.unit_code not in all_units:
            result.problems.append(
                Problem(
                    staff.file,
                    s.line,
                    unit_header,
                    f"Enheten {s.unit_code} finns inte i enhetsfilen.",
                )
            )
    manager_header = mapping.units.get("manager_number", "")
    for u in result.units:
        if u.manager_number and u.manager_number not in all_numbers:
            result.problems.append(
                Problem(
                    units.file,
                    u.line,
                    manager_header,
                    f"Chefen {u.manager_number} finns inte i personalfilen.",
                )
            )


def _raw_values(table: Table, header: str) -> set[str]:
    lowered = [h.lower() for h in table.header]
    if header.lower() not in lowered:
        return set()
    i = lowered.index(header.lower())
    return {values[i].strip() for _, values in table.rows if len(values) > i}
