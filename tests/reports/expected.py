"""Expected figures for the report tests, from the plain-Python reference (tests/reports/reference.py)
run on the rows a fixture wrote: no SQL status logic, no coverage code."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import Completion, Employee, Exemption, OrgUnit, Requirement
from tests.reports import reference


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
