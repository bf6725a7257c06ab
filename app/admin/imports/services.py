"""The HR import: read, check, compare with the database, and (unless a dry run) apply.

Set-based all the way: the existing units, people and managers are read once
into dictionaries, the differences are worked out in Python, and the writes are
executemany statements in chunks. No query per row, no ORM objects per row, so
100,000 people take seconds and memory stays flat (docs/benchmarks.md).

The service only flushes; the caller commits once (one transaction) and holds
`import_lock()` around it so that two imports never run at once.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import socket
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import dates, labels, org
from app.admin.imports.mapping import Mapping
from app.admin.imports.reading import FileRejected, ImportFile, Problem, Table, read_table
from app.admin.imports.validation import Checked, StaffRow, UnitRow, check
from app.extensions import db
from app.models import AuditEvent, Employee, JobLock, ManagerRole, OrgUnit, UnitManager, utcnow

log = logging.getLogger(__name__)

LOCK_NAME = "hr-import"
LOCK_KEY = 0x5641524E41  # "VARNA": PostgreSQL advisory lock key of the HR import
LOCK_STALE_AFTER = timedelta(hours=2)  # a crashed import must not block the next for ever
LOCAL_ACCOUNT_PREFIX = "admin-"  # accounts made by `users create-admin`, not from HR
CHUNK = 2000

UNITS = OrgUnit.__table__
EMPLOYEES = Employee.__table__
MANAGERS = UnitManager.__table__


class ImportRejected(Exception):
    """The files were refused as a whole; nothing changed."""

    def __init__(self, problems: list[Problem], warnings: list[Problem] | None = None) -> None:
        super().__init__(f"{len(problems)} problem")
        self.problems = problems
        self.warnings = warnings or []


class ImportBusy(ImportRejected):
    """Another import holds the lock."""

    def __init__(self, holder: str, since: datetime | None) -> None:
        when = since.strftime("%Y-%m-%d %H:%M UTC") if since else "nyss"
        message = (
            f"En annan import pågår redan (startad {when} av {holder}). "
            "Vänta tills den är klar och försök igen. Inget har ändrats."
        )
        super().__init__([Problem("", None, None, message)])


@dataclass(frozen=True, slots=True)
class Change:
    kind: str
    key: str  # unit code or employee number
    name: str
    detail: str = ""

    @property
    def label(self) -> str:
        return labels.name(labels.CHANGE_KIND, self.kind)


@dataclass
class Counts:
    units_created: int = 0
    units_updated: int = 0
    units_deactivated: int = 0
    employees_created: int = 0
    employees_updated: int = 0
    employees_deactivated: int = 0
    managers_added: int = 0
    managers_removed: int = 0
    skipped_already_left: int = 0

    @property
    def created(self) -> int:
        return self.units_created + self.employees_created

    @property
    def updated(self) -> int:
        return self.units_updated + self.employees_updated

    @property
    def deactivated(self) -> int:
        return self.units_deactivated + self.employees_deactivated


@dataclass
class ImportResult:
    files: list[str]
    units: int  # rows in the units file
    employees: int  # rows in the staff file
    counts: Counts
    changes: list[Change]
    warnings: list[Problem]
    dry_run: bool
    encodings: list[str] = field(default_factory=list)
    created_employee_ids: list[int] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        """Identifies the planned changes: a confirmation must apply what the dry run showed."""
        digest = hashlib.sha256()
        for c in self.changes:
            digest.update(f"{c.kind}\x1f{c.key}\x1f{c.detail}\x1e".encode())
        return digest.hexdigest()[:32]

    def by_kind(self) -> dict[str, list[Change]]:
        grouped: dict[str, list[Change]] = {kind: [] for kind in labels.CHANGE_KIND}
        for c in self.changes:
            grouped.setdefault(c.kind, []).append(c)
        return {k: v for k, v in grouped.items() if v}

    def summary(self) -> dict[str, Any]:
        return {
            "units": self.units,
            "employees": self.employees,
            "created": self.counts.created,
            "updated": self.counts.updated,
            "deactivated": self.counts.deactivated,
            "errors": [],
            "dry_run": self.dry_run,
            "details": asdict(self.counts),
            "warnings": [w.as_dict() for w in self.warnings],
            "changes": [
                {"kind": c.kind, "key": c.key, "name": c.name, "detail": c.detail}
                for c in self.changes
            ],
        }


def rejected_summary(problems: list[Problem]) -> dict[str, Any]:
    return {
        "units": 0,
        "employees": 0,
        "created": 0,
        "updated": 0,
        "deactivated": 0,
        "errors": [p.as_dict() for p in problems],
    }


def _units_by_code(session: Session) -> dict[str, Any]:
    """Every unit as a plain row, by its code: read once, in one query."""
    stmt = sa.select(
        UNITS.c.id,
        UNITS.c.code,
        UNITS.c.name,
        UNITS.c.kind,
        UNITS.c.parent_id,
        UNITS.c.path,
        UNITS.c.depth,
        UNITS.c.active,
    )
    return {r.code: r for r in session.execute(stmt)}


# --- the lock -------------------------------------------------------------------------------


@contextmanager
def import_lock(holder: str) -> Iterator[None]:
    """Hold the import lock for the block; raise ImportBusy when a live import holds it.

    The lock is a JobLock row (so the refusal can say who holds it), committed on
    its own connection. A killed import cannot leave it behind for long:
    on PostgreSQL a session advisory lock, which the server drops with the dead
    process's connection, says whether the holder still lives; on SQLite (one
    host) the holder's process id does. A row older than LOCK_STALE_AFTER is taken
    over in any case. An exception inside the block rolls back db.session before
    the lock is let go.
    """
    tag = f"{holder[:120]} #{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
    guard = db.engine.connect() if db.engine.dialect.name == "postgresql" else None
    try:
        if guard is not None:
            free = guard.execute(sa.select(sa.func.pg_try_advisory_lock(LOCK_KEY))).scalar()
            guard.commit()
            if not free:
                raise _busy()
        _take_lock_row(tag, holder_alive=guard is None)
        try:
            yield
        except BaseException:
            # Roll back first: on SQLite the unfinished import holds the write lock.
            db.session.rollback()
            raise
        finally:
            with db.engine.begin() as conn:
                conn.execute(
                    sa.delete(JobLock).where(JobLock.name == LOCK_NAME, JobLock.holder == tag)
                )
    finally:
        if guard is not None:
            guard.execute(sa.select(sa.func.pg_advisory_unlock(LOCK_KEY)))
            guard.commit()
            guard.close()


def _take_lock_row(tag: str, *, holder_alive: bool) -> None:
    """Insert our JobLock row, first removing one whose holder is gone.

    holder_alive=False means the caller already knows no live import holds the
    lock (PostgreSQL's advisory lock was free): any row left is stale.
    """
    now = utcnow()
    with db.engine.begin() as conn:
        row = conn.execute(
            sa.select(JobLock.holder, JobLock.acquired_at).where(JobLock.name == LOCK_NAME)
        ).first()
        if row is not None and (
            not holder_alive
            or row.acquired_at < now - LOCK_STALE_AFTER
            or _process_is_gone(row.holder)
        ):
            conn.execute(
                sa.delete(JobLock).where(JobLock.name == LOCK_NAME, JobLock.holder == row.holder)
            )
    try:
        with db.engine.begin() as conn:
            conn.execute(sa.insert(JobLock).values(name=LOCK_NAME, holder=tag, acquired_at=now))
    except sa.exc.IntegrityError:
        raise _busy() from None


def _busy() -> ImportBusy:
    with db.engine.connect() as conn:
        row = conn.execute(
            sa.select(JobLock.holder, JobLock.acquired_at).where(JobLock.name == LOCK_NAME)
        ).first()
    holder_name = row.holder.rsplit(" #", 1)[0] if row else "?"
    return ImportBusy(holder_name, row.acquired_at if row else None)


def _process_is_gone(tag: str) -> bool:
    """True when the tag names a process on this host that no longer runs."""
    host, _, rest = tag.rpartition(" #")[2].partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


# --- the service ----------------------------------------------------------------------------


def import_files(
    session: Session,
    *,
    units_file: ImportFile,
    staff_file: ImportFile,
    mapping: Mapping,
    encoding: str | None = None,
    actor: Employee | None = None,
    dry_run: bool = False,
    today: date | None = None,
    via: str = "web",
) -> ImportResult:
    """Check both files and bring the database up to date with them (or say what would change).

    Raises ImportRejected with every problem found; then nothing has changed.
    """
    today = today or dates.today()
    problems: list[Problem] = []
    tables: list[Table] = []
    for file in (units_file, staff_file):
        try:
            tables.append(read_table(file, encoding=encoding, delimiter=mapping.delimiter))
        except FileRejected as exc:
            problems.append(exc.problem)
    if problems:
        raise ImportRejected(problems)
    units_table, staff_table = tables
    checked = check(units_table, staff_table, mapping, today=today)
    units_table.rows = staff_table.rows = []  # checked rows are kept; the raw text can go
    if checked.problems:
        raise ImportRejected(checked.problems, checked.warnings)

    plan = _plan(
        session,
        checked,
        full_export=mapping.full_export,
        today=today,
        files=(units_file.name, staff_file.name),
    )
    plan.problems.sort(key=lambda p: p.line or 0)
    if plan.problems:
        raise ImportRejected(plan.problems, checked.warnings + plan.warnings)
    result = ImportResult(
        files=[units_file.name, staff_file.name],
        units=len(checked.units),
        employees=len(checked.staff),
        counts=plan.counts,
        changes=plan.changes,
        warnings=checked.warnings + plan.warnings,
        dry_run=dry_run,
        encodings=[units_table.encoding, staff_table.encoding],
    )
    if dry_run:
        return result
    result.created_employee_ids = _apply(session, plan, today=today)
    session.add(
        AuditEvent(
            actor_id=actor.id if actor else None,
            action="hr.import",
            target_type="import",
            details={
                "files": result.files,
                "units": result.units,
                "employees": result.employees,
                "counts": asdict(plan.counts),
                "via": via,
            },
        )
    )
    session.flush()
    log.info(
        "hr import of %s by %s: %s",
        ", ".join(result.files),
        actor.id if actor else via,
        asdict(plan.counts),
    )
    return result


# --- planning: what would change ------------------------------------------------------------


@dataclass
class _Plan:
    today: date
    full_export: bool
    checked: Checked
    units: dict[str, Any]  # code → existing unit row
    unit_code_by_id: dict[int, str]
    employees: dict[str, Any]  # number → existing employee row
    units_file: str = ""
    staff_file: str = ""
    counts: Counts = field(default_factory=Counts)
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    unit_inserts: list[UnitRow] = field(default_factory=list)
    units_gone: list[Any] = field(default_factory=list)  # existing rows to deactivate
    emp_inserts: list[StaffRow] = field(default_factory=list)
    # (existing row, file row, active afterwards, placed_on afterwards)
    emp_updates: list[tuple[Any, StaffRow, bool, date | None]] = field(default_factory=list)
    emp_gone: list[Any] = field(default_factory=list)  # missing from a full export
    emails_freed: list[Any] = field(default_factory=list)
    kept: list[Any] = field(default_factory=list)  # not in a full export, but not deactivated
    claims: dict[str, Any] = field(default_factory=dict)  # file number → local account row
    manager_removals: list[int] = field(default_factory=list)  # unit_managers ids
    manager_adds: list[tuple[str, str]] = field(default_factory=list)  # unit code, number


def _plan(
    session: Session,
    checked: Checked,
    *,
    full_export: bool,
    today: date,
    files: tuple[str, str] = ("", ""),
) -> _Plan:
    units = _units_by_code(session)
    employees = {
        r.employee_number: r
        for r in session.execute(
            sa.select(
                EMPLOYEES.c.id,
                EMPLOYEES.c.employee_number,
                EMPLOYEES.c.first_name,
                EMPLOYEES.c.last_name,
                EMPLOYEES.c.email,
                EMPLOYEES.c.unit_id,
                EMPLOYEES.c.title,
                EMPLOYEES.c.level,
                EMPLOYEES.c.active,
                EMPLOYEES.c.start_date,
                EMPLOYEES.c.end_date,
                EMPLOYEES.c.is_hr,
            )
        )
    }
    plan = _Plan(
        today=today,
        full_export=full_export,
        checked=checked,
        units=units,
        unit_code_by_id={r.id: r.code for r in units.values()},
        employees=employees,
        units_file=files[0],
        staff_file=files[1],
    )
    _plan_units(plan)
    _plan_emails(plan)
    _plan_employees(plan)
    _keep_units_of_kept_people(plan)
    _plan_managers(session, plan)
    return plan


def _keep_units_of_kept_people(plan: _Plan) -> None:
    """A unit missing from the file stays while someone who stays active belongs to it."""
    local = [e for e in plan.employees.values() if _is_local(e.employee_number) and e.active]
    claimed = {e.employee_number for e in plan.claims.values()}
    needed = {
        plan.unit_code_by_id.get(e.unit_id)
        for e in [*plan.kept, *local]
        if e.employee_number not in claimed
    }
    keep = [u for u in plan.units_gone if u.code in needed]
    if not keep:
        return
    plan.units_gone = [u for u in plan.units_gone if u.code not in needed]
    plan.counts.units_deactivated -= len(keep)
    kept_codes = {u.code for u in keep}
    plan.changes = [
        c for c in plan.changes if not (c.kind == "unit_deactivated" and c.key in kept_codes)
    ]


def _plan_units(plan: _Plan) -> None:
    code_of = plan.unit_code_by_id
    in_file = set()
    for u in plan.checked.units:
        in_file.add(u.code)
        old = plan.units.get(u.code)
        label = f"{u.code} {u.name}"
        if old is None:
            plan.unit_inserts.append(u)
            plan.counts.units_created += 1
            plan.changes.append(
                Change("unit_new", u.code, label, _under(u.parent_code) if u.parent_code else "")
            )
            continue
        changed = False
        if old.name != u.name:
            plan.changes.append(Change("unit_renamed", u.code, label, f"{old.name} → {u.name}"))
            changed = True
        old_parent = code_of.get(old.parent_id) if old.parent_id else None
        if old_parent != u.parent_code:
            plan.changes.append(
                Change(
                    "unit_moved", u.code, label, f"{_under(old_parent)} → {_under(u.parent_code)}"
                )
            )
            changed = True
        if old.kind != u.kind:
            plan.changes.append(Change("unit_kind", u.code, label, f"{old.kind} → {u.kind}"))
            changed = True
        if not old.active:
            plan.changes.append(Change("unit_reactivated", u.code, label))
            changed = True
        plan.counts.units_updated += changed
    if plan.full_export:
        for code, old in plan.units.items():
            if code not in in_file and old.active:
                plan.units_gone.append(old)
                plan.counts.units_deactivated += 1
                plan.changes.append(Change("unit_deactivated", code, f"{code} {old.name}"))


def _under(code: str | None) -> str:
    return f"under {code}" if code else "överst"


def _is_local(number: str) -> bool:
    return number.startswith(LOCAL_ACCOUNT_PREFIX)


def _plan_emails(plan: _Plan) -> None:
    """An address in the file that belongs to an account not in the file."""
    numbers = {s.employee_number for s in plan.checked.staff}
    owners = {e.email: e for e in plan.employees.values() if e.email}
    header = "e-post"
    for s in plan.checked.staff:
        owner = owners.get(s.email) if s.email else None
        if owner is None or owner.employee_number in numbers:
            continue  # free, the person's own, or moving to someone in this file
        if _is_local(owner.employee_number) and s.employee_number not in plan.employees:
            # The HR administrator made with `users create-admin` is found in HR's file:
            # the account becomes theirs, keeping its password and rights.
            plan.claims[s.employee_number] = owner
            plan.changes.append(
                Change(
                    "emp_claimed",
                    s.employee_number,
                    f"{s.employee_number} {s.first_name} {s.last_name}",
                    f"{owner.employee_number} → {s.employee_number} ({s.email})",
                )
            )
            continue
        leaves = plan.full_export and not _is_local(owner.employee_number)
        if not owner.active or leaves:
            plan.emails_freed.append(owner)
            plan.changes.append(
                Change(
                    "emp_email_freed",
                    owner.employee_number,
                    f"{owner.employee_number} {owner.first_name} {owner.last_name}",
                    f"{owner.email} → {s.employee_number}",
                )
            )
            continue
        plan.problems.append(
            Problem(
                plan.staff_file,
                s.line,
                header,
                f"E-postadressen {s.email} används redan av {owner.first_name} "
                f"{owner.last_name} (anställningsnummer {owner.employee_number}), "
                "som inte finns i personalfilen.",
            )
        )


def _plan_employees(plan: _Plan) -> None:
    today = plan.today
    code_of = plan.unit_code_by_id
    seen: set[str] = set()
    for s in plan.checked.staff:
        old = plan.employees.get(s.employee_number) or plan.claims.get(s.employee_number)
        seen.add(old.employee_number if old is not None else s.employee_number)
        left = s.end_date is not None and s.end_date < today
        label = f"{s.employee_number} {s.first_name} {s.last_name}"
        if old is None:
            if left:
                plan.counts.skipped_already_left += 1
                continue
            plan.emp_inserts.append(s)
            plan.counts.employees_created += 1
            plan.changes.append(
                Change("emp_new", s.employee_number, label, f"{s.unit_code}, {s.level}")
            )
            continue
        details: list[Change] = []
        old_unit = code_of.get(old.unit_id)
        moved = old_unit != s.unit_code
        if moved:
            details.append(
                Change("emp_unit", s.employee_number, label, f"{old_unit} → {s.unit_code}")
            )
        if old.level != s.level:
            details.append(
                Change("emp_level", s.employee_number, label, f"{old.level} → {s.level}")
            )
        if (old.title or "") != s.title:
            details.append(
                Change("emp_title", s.employee_number, label, f"{old.title} → {s.title}")
            )
        if old.email != s.email:
            details.append(
                Change(
                    "emp_email", s.employee_number, label, f"{old.email or '–'} → {s.email or '–'}"
                )
            )
        if (old.first_name, old.last_name) != (s.first_name, s.last_name):
            details.append(
                Change(
                    "emp_name",
                    s.employee_number,
                    label,
                    f"{old.first_name} {old.last_name} → {s.first_name} {s.last_name}",
                )
            )
        if (old.start_date, old.end_date) != (s.start_date, s.end_date):
            details.append(
                Change(
                    "emp_dates",
                    s.employee_number,
                    label,
                    f"{_days(old.start_date, old.end_date)} → {_days(s.start_date, s.end_date)}",
                )
            )
        active = not left
        placed_on: date | None = None  # unchanged
        if old.active and not active:
            plan.counts.employees_deactivated += 1
            if old.start_date == s.start_date:  # "left" says it: the end date is given there
                details = [d for d in details if d.kind != "emp_dates"]
            details.append(Change("emp_left", s.employee_number, label, f"slutdatum {s.end_date}"))
        elif not old.active and active:
            details.append(Change("emp_reactivated", s.employee_number, label))
            placed_on = today
        if active and (moved or old.level != s.level):
            placed_on = today  # a new audience: due dates count from today
        if old.employee_number != s.employee_number:  # a claimed local account
            details = [d for d in details if d.kind != "emp_email"]
            placed_on = placed_on or s.start_date
        if details or old.employee_number != s.employee_number:
            if not (old.active and not active):
                plan.counts.employees_updated += 1
            plan.changes.extend(details)
            plan.emp_updates.append((old, s, active, placed_on))
    if plan.full_export:
        for number, old in plan.employees.items():
            if number in seen or _is_local(number) or not old.active:
                continue
            if old.is_hr:
                # Absence is not enough to lock out an administrator (perhaps the only one).
                plan.kept.append(old)
                plan.warnings.append(
                    Problem(
                        plan.staff_file,
                        None,
                        None,
                        f"{old.first_name} {old.last_name} ({number}) finns inte i personalfilen "
                        "men har HR-behörighet och avslutas därför inte. Ta bort behörigheten "
                        "först om personen har slutat.",
                    )
                )
                continue
            plan.emp_gone.append(old)
            plan.counts.employees_deactivated += 1
            plan.changes.append(
                Change("emp_missing", number, f"{number} {old.first_name} {old.last_name}")
            )
    # An account that has left and only loses its address counts as updated.
    plan.counts.employees_updated += sum(1 for old in plan.emails_freed if not old.active)


def _days(start: date | None, end: date | None) -> str:
    return f"{start or '–'}–{end or ''}"


def _plan_managers(session: Session, plan: _Plan) -> None:
    """Chef rows follow the units file; deputies (role delegate) are never touched."""
    number_of = {e.id: e.employee_number for e in plan.employees.values()}
    # An existing person is known by id (a claimed account changes number), a new one by number.
    key_of_number: dict[str, Any] = {n: e.id for n, e in plan.employees.items()}
    key_of_number.update({n: e.id for n, e in plan.claims.items()})
    staying = {s.employee_number for s in plan.checked.staff} - {
        s.employee_number
        for s in plan.checked.staff
        if s.end_date is not None and s.end_date < plan.today
    }
    names = {s.employee_number: f"{s.first_name} {s.last_name}" for s in plan.checked.staff}
    wanted: dict[str, Any] = {}  # unit code → person key
    file_units = {u.code: u for u in plan.checked.units}
    for u in plan.checked.units:
        if not u.manager_number:
            continue
        if u.manager_number not in staying:
            plan.warnings.append(
                Problem(
                    plan.units_file,
                    u.line,
                    None,
                    f"Chefen {u.manager_number} för {u.code} har slutat; "
                    "enheten får ingen chef från importen.",
                )
            )
            continue
        wanted[u.code] = key_of_number.get(u.manager_number, ("new", u.manager_number))
    have: dict[str, dict[Any, int]] = {}
    rows = session.execute(
        sa.select(MANAGERS.c.id, MANAGERS.c.unit_id, MANAGERS.c.employee_id).where(
            MANAGERS.c.role == ManagerRole.CHEF.value
        )
    )
    for row in rows:
        code = plan.unit_code_by_id.get(row.unit_id)
        if code is not None:
            have.setdefault(code, {})[row.employee_id] = row.id
    changed_units: set[str] = set()
    for code, current in have.items():
        if code not in file_units and not plan.full_export:
            continue  # a partial export says nothing about units it leaves out
        for emp_id, row_id in current.items():
            if wanted.get(code) != emp_id:
                plan.manager_removals.append(row_id)
                plan.counts.managers_removed += 1
                changed_units.add(code)
                number = number_of.get(emp_id, "?")
                plan.changes.append(
                    Change(
                        "manager_removed",
                        code,
                        _unit_label(plan, code),
                        f"{number} {_old_name(plan, number)}",
                    )
                )
    for code, key in wanted.items():
        if key in have.get(code, {}):
            continue
        number = file_units[code].manager_number or ""
        plan.manager_adds.append((code, number))
        plan.counts.managers_added += 1
        changed_units.add(code)
        plan.changes.append(
            Change("manager_added", code, _unit_label(plan, code), f"{number} {names[number]}")
        )
    # A unit whose only change is its manager counts as updated; new ones are counted already.
    touched = {c.key for c in plan.changes if c.kind.startswith("unit_")}
    plan.counts.units_updated += len(changed_units - touched)


def _unit_label(plan: _Plan, code: str) -> str:
    for u in plan.checked.units:
        if u.code == code:
            return f"{code} {u.name}"
    old = plan.units.get(code)
    return f"{code} {old.name}" if old else code


def _old_name(plan: _Plan, number: str) -> str:
    old = plan.employees.get(number)
    return f"{old.first_name} {old.last_name}" if old else ""


# --- applying: set-based writes -------------------------------------------------------------


def _chunks(rows: Iterable[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _executemany(session: Session, stmt: Any, rows: Iterable[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        session.execute(stmt, chunk)


def _apply(session: Session, plan: _Plan, *, today: date) -> list[int]:
    now = utcnow()
    _apply_units(session, plan, now)
    unit_ids = dict(session.execute(sa.select(UNITS.c.code, UNITS.c.id)).all())
    created = _apply_employees(session, plan, unit_ids, now)
    _apply_managers(session, plan, unit_ids)
    session.flush()
    return created


def _apply_units(session: Session, plan: _Plan, now: datetime) -> None:
    _executemany(
        session,
        sa.insert(UNITS),
        (
            {
                "code": u.code,
                "name": u.name,
                "kind": u.kind,
                "parent_id": None,
                "path": "/",
                "depth": 0,
                "active": True,
                "created_at": now,
                "updated_at": now,
            }
            for u in plan.unit_inserts
        ),
    )
    current = _units_by_code(session)
    code_of = {r.id: r.code for r in current.values()}
    file_units = {u.code: u for u in plan.checked.units}
    gone = {r.code for r in plan.units_gone}
    parent: dict[str, str | None] = {}
    for code, row in current.items():
        u = file_units.get(code)
        parent[code] = u.parent_code if u else code_of.get(row.parent_id)

    parent_ids = {
        row.id: current[parent[code]].id if parent[code] else None for code, row in current.items()
    }
    paths = org.build_paths(parent_ids)

    updates = []
    for code, row in current.items():
        u = file_units.get(code)
        path, depth = paths[row.id]
        parent_id = parent_ids[row.id]
        name = u.name if u else row.name
        kind = u.kind if u else row.kind
        active = bool(u) or (row.active and code not in gone)
        if (name, kind, parent_id, path, depth, active) != (
            row.name,
            row.kind,
            row.parent_id,
            row.path,
            row.depth,
            row.active,
        ):
            updates.append(
                {
                    "_id": row.id,
                    "name": name,
                    "kind": kind,
                    "parent_id": parent_id,
                    "path": path,
                    "depth": depth,
                    "active": active,
                    "updated_at": now,
                }
            )
    _executemany(session, sa.update(UNITS).where(UNITS.c.id == sa.bindparam("_id")), updates)


def _apply_employees(
    session: Session, plan: _Plan, unit_ids: dict[str, int], now: datetime
) -> list[int]:
    by_id = sa.update(EMPLOYEES).where(EMPLOYEES.c.id == sa.bindparam("_id"))
    # Addresses that move between people are cleared first, so the unique index never
    # sees one address twice halfway through.
    clear = [
        {"_id": old.id, "email": None}
        for old, s, _, _ in plan.emp_updates
        if old.email is not None and old.email != s.email
    ] + [{"_id": old.id, "email": None} for old in plan.emails_freed]
    _executemany(session, by_id, clear)
    _executemany(
        session,
        sa.insert(EMPLOYEES),
        (
            {
                "employee_number": s.employee_number,
                "first_name": s.first_name,
                "last_name": s.last_name,
                "email": s.email,
                "unit_id": unit_ids[s.unit_code],
                "title": s.title,
                "level": s.level,
                "active": True,
                "start_date": s.start_date,
                "end_date": s.end_date,
                "placed_on": s.start_date,
                "session_token": secrets.token_hex(16),
                "is_hr": False,
                "is_reporter": False,
                "created_at": now,
                "updated_at": now,
            }
            for s in plan.emp_inserts
        ),
    )
    updates, placed, tokens = [], [], []
    for old, s, active, placed_on in plan.emp_updates:
        updates.append(
            {
                "_id": old.id,
                "employee_number": s.employee_number,
                "first_name": s.first_name,
                "last_name": s.last_name,
                "email": s.email,
                "unit_id": unit_ids[s.unit_code],
                "title": s.title,
                "level": s.level,
                "active": active,
                "start_date": s.start_date,
                "end_date": s.end_date,
                "updated_at": now,
            }
        )
        if placed_on is not None:
            placed.append({"_id": old.id, "placed_on": placed_on})
        if old.active and not active:
            tokens.append({"_id": old.id, "session_token": secrets.token_hex(16)})
    _executemany(session, by_id, updates)
    _executemany(session, by_id, placed)
    _executemany(
        session,
        by_id,
        ({"_id": old.id, "active": False, "updated_at": now} for old in plan.emp_gone),
    )
    # Leaving ends every session at once (Employee.end_all_sessions, set-based).
    tokens += [{"_id": old.id, "session_token": secrets.token_hex(16)} for old in plan.emp_gone]
    _executemany(session, by_id, tokens)
    if not plan.emp_inserts:
        return []
    new_numbers = {s.employee_number for s in plan.emp_inserts}
    rows = session.execute(sa.select(EMPLOYEES.c.employee_number, EMPLOYEES.c.id))
    return [emp_id for number, emp_id in rows if number in new_numbers]


def _apply_managers(session: Session, plan: _Plan, unit_ids: dict[str, int]) -> None:
    _executemany(
        session,
        sa.delete(MANAGERS).where(MANAGERS.c.id == sa.bindparam("_id")),
        ({"_id": row_id} for row_id in plan.manager_removals),
    )
    if not plan.manager_adds:
        return
    numbers = {n for _, n in plan.manager_adds}
    stmt = sa.select(EMPLOYEES.c.employee_number, EMPLOYEES.c.id).where(
        EMPLOYEES.c.employee_number.in_(sa.bindparam("numbers", expanding=True))
    )
    ids = dict(session.execute(stmt, {"numbers": sorted(numbers)}).all())
    _executemany(
        session,
        sa.insert(MANAGERS),
        (
            {
                "unit_id": unit_ids[code],
                "employee_id": ids[number],
                "role": ManagerRole.CHEF.value,
                "created_at": utcnow(),
            }
            for code, number in plan.manager_adds
        ),
    )
