"""Planning the HR import: compare the checked files with the database, change by change.

Nothing is written here. The existing units, people and managers are read once,
as plain rows, into dictionaries; the differences are worked out in Python into
a Plan (what to insert, update and deactivate, and the list of Changes HR sees
in the dry run). apply.py carries a Plan out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.admin.imports.reading import Problem
from app.admin.imports.validation import Checked, StaffRow, UnitRow
from app.models import Employee, ManagerRole, OrgUnit, UnitManager

LOCAL_ACCOUNT_PREFIX = "admin-"  # accounts made by `users create-admin`, not from HR

UNITS = OrgUnit.__table__
EMPLOYEES = Employee.__table__
MANAGERS = UnitManager.__table__


@dataclass(frozen=True, slots=True)
class Change:
    """One change HR sees in the dry run; its kind is named by labels.CHANGE_KIND."""

    kind: str
    key: str  # unit code or employee number
    name: str
    detail: str = ""


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


def units_by_code(session: Session) -> dict[str, Any]:
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


@dataclass
class Plan:
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


def make_plan(
    session: Session,
    checked: Checked,
    *,
    full_export: bool,
    today: date,
    files: tuple[str, str] = ("", ""),
) -> Plan:
    units = units_by_code(session)
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
    plan = Plan(
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


def _keep_units_of_kept_people(plan: Plan) -> None:
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


def _plan_units(plan: Plan) -> None:
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


def _plan_emails(plan: Plan) -> None:
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


def _plan_employees(plan: Plan) -> None:
    """Each person in the file is new, changed or as before; in a full export, the absent leave."""
    seen: set[str] = set()
    for s in plan.checked.staff:
        old = plan.employees.get(s.employee_number) or plan.claims.get(s.employee_number)
        if old is None:
            seen.add(s.employee_number)
            _plan_new_person(plan, s)
        else:
            seen.add(old.employee_number)
            _plan_known_person(plan, old, s)
    if plan.full_export:
        _plan_missing_people(plan, seen)
    # An account that has left and only loses its address counts as updated.
    plan.counts.employees_updated += sum(1 for old in plan.emails_freed if not old.active)


def _has_left(s: StaffRow, today: date) -> bool:
    return s.end_date is not None and s.end_date < today


def _person_label(s: StaffRow) -> str:
    return f"{s.employee_number} {s.first_name} {s.last_name}"


def _plan_new_person(plan: Plan, s: StaffRow) -> None:
    """Someone Värna does not know yet; one whose end date has passed is not brought in."""
    if _has_left(s, plan.today):
        plan.counts.skipped_already_left += 1
        return
    plan.emp_inserts.append(s)
    plan.counts.employees_created += 1
    plan.changes.append(
        Change("emp_new", s.employee_number, _person_label(s), f"{s.unit_code}, {s.level}")
    )


def _plan_known_person(plan: Plan, old: Any, s: StaffRow) -> None:
    """Someone Värna knows (or a local account the file claims): what changes, and from when."""
    label = _person_label(s)
    old_unit = plan.unit_code_by_id.get(old.unit_id)
    details = _field_changes(old, s, old_unit=old_unit, label=label)
    active = not _has_left(s, plan.today)
    leaves = old.active and not active
    claimed = old.employee_number != s.employee_number  # a local account HR's file takes over
    if leaves:
        plan.counts.employees_deactivated += 1
        if old.start_date == s.start_date:  # "left" says it: the end date is given there
            details = [d for d in details if d.kind != "emp_dates"]
        details.append(Change("emp_left", s.employee_number, label, f"slutdatum {s.end_date}"))
    elif not old.active and active:
        details.append(Change("emp_reactivated", s.employee_number, label))
    if claimed:
        details = [d for d in details if d.kind != "emp_email"]
    if not details and not claimed:
        return
    if not leaves:
        plan.counts.employees_updated += 1
    plan.changes.extend(details)
    new_audience = active and (not old.active or old_unit != s.unit_code or old.level != s.level)
    # Back, or in a new audience: due dates count from today. None: placed_on unchanged.
    placed_on = plan.today if new_audience else s.start_date if claimed else None
    plan.emp_updates.append((old, s, active, placed_on))


def _field_changes(old: Any, s: StaffRow, *, old_unit: str | None, label: str) -> list[Change]:
    """The file's values against Värna's, field by field, in the order the dry run lists them."""
    n = s.employee_number
    changes: list[Change] = []
    if old_unit != s.unit_code:
        changes.append(Change("emp_unit", n, label, f"{old_unit} → {s.unit_code}"))
    if old.level != s.level:
        changes.append(Change("emp_level", n, label, f"{old.level} → {s.level}"))
    if (old.title or "") != s.title:
        changes.append(Change("emp_title", n, label, f"{old.title} → {s.title}"))
    if old.email != s.email:
        changes.append(Change("emp_email", n, label, f"{old.email or '–'} → {s.email or '–'}"))
    if (old.first_name, old.last_name) != (s.first_name, s.last_name):
        before, after = f"{old.first_name} {old.last_name}", f"{s.first_name} {s.last_name}"
        changes.append(Change("emp_name", n, label, f"{before} → {after}"))
    if (old.start_date, old.end_date) != (s.start_date, s.end_date):
        before, after = _days(old.start_date, old.end_date), _days(s.start_date, s.end_date)
        changes.append(Change("emp_dates", n, label, f"{before} → {after}"))
    return changes


def _plan_missing_people(plan: Plan, seen: set[str]) -> None:
    """A full export leaves out those who have gone; never a local account or an HR person."""
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


def _days(start: date | None, end: date | None) -> str:
    return f"{start or '–'}–{end or ''}"


def _plan_managers(session: Session, plan: Plan) -> None:
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


def _unit_label(plan: Plan, code: str) -> str:
    for u in plan.checked.units:
        if u.code == code:
            return f"{code} {u.name}"
    old = plan.units.get(code)
    return f"{code} {old.name}" if old else code


def _old_name(plan: Plan, number: str) -> str:
    old = plan.employees.get(number)
    return f"{old.first_name} {old.last_name}" if old else ""
