"""Expected figures for the report tests, from the plain-Python reference (tests/reports/reference.py)
run on the rows a fixture wrote: no SQL status logic, no coverage code."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import Completion, Employee, Exemption, OrgUnit, Requirement
from tests.reports import reference

REST = "Direkt under kommunen"  # the row of people placed above every administration


def expected_statuses(on: date) -> dict[tuple[int, int], str]:
    """(employee, course) -> status on `on`, by the reference reading of the rules."""
    units = dict(db.session.execute(sa.select(OrgUnit.id, OrgUnit.path)).all())
    people = [
        reference.Person(
            e.id, units[e.unit_id], e.level, {t.tag for t in e.tags}, e.start_date, e.placed_on
        )
        for e in db.session.scalars(sa.select(Employee).where(Employee.active.is_(True)))
    ]
    rules = []
    for r in db.session.scalars(sa.select(Requirement)):
        exempt = {
            x.employee_id
            for x in db.session.scalars(
                sa.select(Exemption).where(Exemption.requirement_id == r.id)
            )
            if x.created_at.date() <= on and (x.revoked_at is None or x.revoked_at.date() > on)
        }
        rules.append(
            reference.Rule(
                r.id,
                r.course_id,
                units[r.unit_id] if r.unit_id else None,
                {lv.level for lv in r.levels},
                {t.tag for t in r.tags},
                r.due_days,
                r.valid_months,
                r.starts_on,
                r.ends_on,
                exempt,
            )
        )
    done = [
        reference.Done(c.employee_id, c.course_id, c.completed_at, c.expires_at)
        for c in db.session.scalars(
            sa.select(Completion).where(
                Completion.course_id.is_not(None), Completion.superseded_by_id.is_(None)
            )
        )
    ]
    return reference.statuses(people, rules, done, on)


@dataclass
class Tally:
    covered: int = 0
    total: int = 0
    people: set[int] = field(default_factory=set)
    statuses: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, employee_id: int, status: str) -> None:
        self.total += 1
        self.covered += status in ("completed", "expiring")
        self.people.add(employee_id)
        self.statuses[status] += 1

    @property
    def share(self) -> str:
        """Covered / total as the reports write it: 52,9 %."""
        return f"{self.covered / self.total * 100:.1f}".replace(".", ",") + " %"

    def text(self, *, masked: bool = False) -> str:
        """The cell as the page shows it (reports/_macros.html `cov`)."""
        if not self.total:
            return "–"
        if masked and len(self.people) < 5:
            return "färre än 5"
        return f"{self.share} {self.covered} av {self.total}"


def expected_matrix(
    on: date, course_ids: set[int] | None = None, within: str | None = None
) -> dict[str, dict[str | None, Tally]]:
    """Row label -> level (None: all levels) -> tally, like the report's matrix."""
    adm = {
        u.id: u.name
        for u in db.session.scalars(sa.select(OrgUnit).where(OrgUnit.depth == 1, OrgUnit.active))
    }
    units = dict(db.session.execute(sa.select(OrgUnit.id, OrgUnit.path)).all())
    where = {e: (path, level) for e, path, level in _people_paths()}
    rows: dict[str, dict[str | None, Tally]] = defaultdict(lambda: defaultdict(Tally))
    for unit_id, name in adm.items():  # every administration has a row, if only of dashes
        if within is None or units[unit_id].startswith(within):
            rows[name]
    rows["Totalt"]
    for (emp, course), status in expected_statuses(on).items():
        if course_ids is not None and course not in course_ids:
            continue
        path, level = where[emp]
        if within is not None and not path.startswith(within):
            continue
        ids = [int(p) for p in path.strip("/").split("/")]
        label = next((adm[i] for i in ids if i in adm), REST)
        for row in (label, "Totalt"):
            rows[row][level].add(emp, status)
            rows[row][None].add(emp, status)
    return rows


def _people_paths():
    return db.session.execute(
        sa.select(Employee.id, OrgUnit.path, Employee.level).join(
            OrgUnit, OrgUnit.id == Employee.unit_id
        )
    ).all()
