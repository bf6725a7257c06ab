"""The HR import as one service: read, check, plan, and (unless a dry run) apply.

The stages live in their own modules: reading.py (bytes → rows), mapping.py
(headers → fields), validation.py (every problem, by file and line), plan.py
(compare with the database: the changes), apply.py (set-based writes), lock.py
(one import at a time). import_files() runs the stages in the caller's
transaction and only flushes; run_import() is the whole import as HR's page and
`flask hr import` both run it: lock → import_files → fingerprint → commit →
invitations.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app import dates, labels
from app.admin.imports.apply import apply_plan
from app.admin.imports.lock import import_lock
from app.admin.imports.mapping import Mapping
from app.admin.imports.plan import Change, Counts, make_plan
from app.admin.imports.reading import (
    FileRejected,
    ImportFile,
    ImportRejected,
    Problem,
    Table,
    read_table,
)
from app.admin.imports.validation import check
from app.auth import invitations
from app.models import Employee, Setting
from app.records import audit

log = logging.getLogger(__name__)


# The column mapping the municipality used in its last web import, offered on the next one.
MAPPING_KEY = "hr_import_mapping"


def saved_mapping_text(session: Session) -> str | None:
    """The own mapping (TOML) of the last confirmed web import; None when it used the standard."""
    setting = session.get(Setting, MAPPING_KEY)
    return setting.value.get("text") if setting is not None else None


def remember_mapping(session: Session, text: str | None, actor: Employee) -> None:
    """Keep the mapping a confirmed import used (None: the standard); audited when it changes.

    The caller commits."""
    if text == saved_mapping_text(session):
        return
    setting = session.get(Setting, MAPPING_KEY)
    if text is None:
        if setting is not None:
            session.delete(setting)
    elif setting is None:
        session.add(Setting(key=MAPPING_KEY, value={"text": text}))
    else:
        setting.value = {"text": text}
    audit(session, actor, "hr.import_mapping", details={"own": text is not None})


def same_mapping_text(a: str | None, b: str | None) -> bool:
    """Two mapping texts alike but for line endings and trailing spaces."""

    def norm(text: str | None) -> str:
        return "\n".join(line.rstrip() for line in (text or "").strip().splitlines())

    return norm(a) == norm(b)


class PlanChanged(Exception):
    """A confirmation found other changes than its dry run showed; nothing was applied."""


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

    plan = make_plan(
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
    result.created_employee_ids = apply_plan(session, plan, today=today)
    audit(
        session,
        actor,
        "hr.import",
        "import",
        None,
        {
            "files": result.files,
            "units": result.units,
            "employees": result.employees,
            "counts": asdict(plan.counts),
            "via": via,
        },
    )
    session.flush()
    log.info(
        "hr import of %s by %s: %s",
        ", ".join(result.files),
        actor.id if actor else via,
        asdict(plan.counts),
    )
    return result


@dataclass(frozen=True)
class ImportRun:
    result: ImportResult
    invitations_sent: int = 0
    invitations_failed: str = ""  # why the invitations could not be sent; the import stands


def run_import(
    session: Session,
    *,
    units_file: ImportFile,
    staff_file: ImportFile,
    mapping: Mapping,
    holder: str,
    commit: Callable[[], None],
    encoding: str | None = None,
    actor: Employee | None = None,
    dry_run: bool = False,
    fingerprint: str | None = None,
    invite: bool = True,
    via: str = "web",
) -> ImportRun:
    """The whole import, as HR's page and `flask hr import` run it.

    Under the import lock (`holder` names who holds it): import_files(); a
    confirmation whose changes differ from its dry run's (`fingerprint`) raises
    PlanChanged; otherwise commit() (a dry run rolls back). Then, with the lock
    let go, the new accounts get their invitations: a failing mail server is
    reported in the result, and the committed import stands.

    Raises ImportBusy, ImportRejected or PlanChanged; then nothing has changed.
    """
    with import_lock(holder):
        result = import_files(
            session,
            units_file=units_file,
            staff_file=staff_file,
            mapping=mapping,
            encoding=encoding,
            actor=actor,
            dry_run=dry_run,
            via=via,
        )
        if fingerprint is not None and result.fingerprint != fingerprint:
            raise PlanChanged()  # the lock rolls the import back
        if dry_run:
            session.rollback()
        else:
            commit()
    if dry_run or not invite or not result.created_employee_ids:
        return ImportRun(result)
    try:
        sent = invitations.send_invitations(session, result.created_employee_ids, commit=commit)
    except Exception as exc:  # the import is committed; the mail server is a separate matter
        log.exception("invitations after hr import could not be sent")
        return ImportRun(result, invitations_failed=str(exc) or type(exc).__name__)
    return ImportRun(result, invitations_sent=sent)
