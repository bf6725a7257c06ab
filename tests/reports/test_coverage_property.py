"""Property test: the SQL coverage agrees with the plain-Python reference on random
organisations, on SQLite and on PostgreSQL.

The worlds include what real data has: placement after the start date, exemptions made and
revoked on any day, completions corrected (superseded) later, training with a free title and
no course, and times of day on both sides of midnight. Month-end and leap-day edges are
always tried as explicit examples.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app import org
from app.dates import expiry_for
from app.extensions import db
from app.models import (
    Completion,
    Course,
    Employee,
    EmployeeTag,
    Exemption,
    OrgUnit,
    Requirement,
    RequirementLevel,
    RequirementTag,
)
from app.reports import coverage
from tests.reports import reference

LEVELS = ["ledning", "chef", "medarbetare", "fortroendevald"]
TAGS = ["lärare", "socialsekreterare", "undersköterska"]
BASE = date(2024, 1, 1)

days = st.integers(min_value=0, max_value=1000)
maybe_months = st.one_of(st.none(), st.integers(min_value=1, max_value=36))
# Times of day in UTC, close to midnight on either side, and midday.
moments = st.sampled_from(
    [time(0, 0), time(0, 30), time(12, 0), time(22, 59, 59), time(23, 59, 59)]
)
exemptions = st.tuples(
    st.integers(min_value=0, max_value=11),  # person index
    days,  # made on
    moments,
    st.one_of(st.none(), days),  # revoked that many days later
)

world = st.fixed_dictionaries(
    {
        "parents": st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=8),
        "people": st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=8),  # unit index
                st.sampled_from(LEVELS),
                st.sets(st.sampled_from(TAGS), max_size=2),
                st.one_of(st.none(), days),  # start offset
                st.one_of(st.none(), days),  # placed in the unit, days after the start
                st.booleans(),  # active
            ),
            min_size=1,
            max_size=12,
        ),
        "courses": st.lists(maybe_months, min_size=1, max_size=3),
        "rules": st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=2),  # course index
                st.one_of(st.none(), st.integers(min_value=0, max_value=8)),  # unit index
                st.sets(st.sampled_from(LEVELS), max_size=2),
                st.sets(st.sampled_from(TAGS), max_size=1),
                st.integers(min_value=0, max_value=400),  # due days
                maybe_months,
                days,  # starts offset
                st.one_of(st.none(), days),  # ends offset
                st.lists(exemptions, max_size=2),
            ),
            max_size=4,
        ),
        "completions": st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=11),
                st.one_of(st.none(), st.integers(min_value=0, max_value=2)),  # None: free title
                days,
                moments,
                st.one_of(st.none(), days),  # corrected: superseded by a record on this day
            ),
            max_size=15,
        ),
        "on": days,
    }
)


def _month_end(on: int, at: time = time(12, 0), exemption: tuple | None = None) -> dict:
    """A course valid a month: one person completed it on 31 January 2024 (day 30); a
    second on 15 February, corrected to 21 January (the earlier record no longer counts)."""
    return {
        "parents": [0],
        "people": [(1, "medarbetare", set(), 0, None, True), (1, "chef", set(), 0, 40, True)],
        "courses": [1],
        "rules": [(0, None, set(), set(), 10, None, 0, None, [exemption] if exemption else [])],
        "completions": [(0, 0, 30, at, None), (1, 0, 45, at, 20)],
        "on": on,
    }


def _clear() -> None:
    db.session.rollback()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=world)
# 31 January + 1 month is 29 February 2024: expiring the day before, expired on the day.
@example(data=_month_end(on=58))
@example(data=_month_end(on=59))
# Completed at 23:59:59 UTC on 31 January; an exemption made and revoked around midnight.
@example(data=_month_end(on=30, at=time(23, 59, 59), exemption=(0, 29, time(23, 59, 59), 1)))
@example(data=_month_end(on=31, at=time(0, 0), exemption=(0, 30, time(0, 0), 1)))
def test_sql_coverage_matches_the_reference(app_ctx, data):
    _clear()
    session = db.session
    units: list[OrgUnit] = []
    root = OrgUnit(code=f"R{secrets.token_hex(3)}", name="Rot", kind="kommun")
    session.add(root)
    session.flush()
    org.place(root, None)
    units.append(root)
    for i, parent_index in enumerate(data["parents"]):
        parent = units[parent_index % len(units)]
        unit = OrgUnit(code=f"U{i}-{secrets.token_hex(3)}", name=f"E{i}", parent_id=parent.id)
        session.add(unit)
        session.flush()
        org.place(unit, parent)
        units.append(unit)

    people: list[reference.Person] = []
    employees: list[Employee] = []
    for i, (unit_index, level, tags, start, placed, active) in enumerate(data["people"]):
        unit = units[unit_index % len(units)]
        start_date = BASE + timedelta(days=start) if start is not None else None
        placed_on = start_date + timedelta(days=placed) if start_date and placed else start_date
        emp = Employee(
            employee_number=f"P{i}",
            first_name="A",
            last_name=str(i),
            email=f"p{i}@x.se",
            unit_id=unit.id,
            level=level,
            active=active,
            start_date=start_date,
            placed_on=placed_on,
        )
        emp.tags = [EmployeeTag(tag=t) for t in tags]
        session.add(emp)
        session.flush()
        employees.append(emp)
        people.append(
            reference.Person(emp.id, unit.path, level, set(tags), start_date, placed_on, active)
        )

    courses = []
    for i, months in enumerate(data["courses"]):
        course = Course(slug=f"c{i}", title=f"C{i}", valid_months=months)
        session.add(course)
        session.flush()
        courses.append(course)

    rules: list[reference.Rule] = []
    for course_i, unit_i, levels, tags, due, months, start, end, exemptions_of_rule in data[
        "rules"
    ]:
        course = courses[course_i % len(courses)]
        unit = units[unit_i % len(units)] if unit_i is not None else None
        starts_on = BASE + timedelta(days=start)
        ends_on = starts_on + timedelta(days=end) if end is not None else None
        req = Requirement(
            course_id=course.id,
            unit_id=unit.id if unit else None,
            due_days=due,
            valid_months=months,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        req.levels = [RequirementLevel(level=lvl) for lvl in levels]
        req.tags = [RequirementTag(tag=t) for t in tags]
        session.add(req)
        session.flush()
        exempt: list[reference.Exempt] = []
        for p_index, made, at, revoked in exemptions_of_rule:
            if p_index >= len(employees):
                continue
            emp = employees[p_index]
            created_at = datetime.combine(BASE + timedelta(days=made), at, UTC)
            revoked_at = created_at + timedelta(days=revoked) if revoked is not None else None
            session.add(
                Exemption(
                    employee_id=emp.id,
                    requirement_id=req.id,
                    reason="x",
                    created_at=created_at,
                    revoked_at=revoked_at,
                )
            )
            exempt.append(reference.Exempt(emp.id, created_at, revoked_at))
        rules.append(
            reference.Rule(
                req.id,
                course.id,
                unit.path if unit else None,
                set(levels),
                set(tags),
                due,
                months,
                starts_on,
                ends_on,
                exempt,
            )
        )

    done: list[reference.Done] = []

    def complete(emp: Employee, course: Course | None, completed_at: datetime) -> Completion:
        months = course.valid_months if course else None
        record = Completion(
            employee_id=emp.id,
            course_id=course.id if course else None,
            title="" if course else "Föreläsning om våld i nära relationer",
            completed_at=completed_at,
            expires_at=expiry_for(completed_at, months),
            verification_code=secrets.token_hex(8),
        )
        session.add(record)
        session.flush()
        return record

    for p_index, course_i, day, at, corrected in data["completions"]:
        if p_index >= len(employees):
            continue
        emp = employees[p_index]
        course = courses[course_i % len(courses)] if course_i is not None else None
        record = complete(emp, course, datetime.combine(BASE + timedelta(days=day), at, UTC))
        if corrected is not None:
            # A correction: the first record stays (nothing is lost) but no longer counts.
            fixed = complete(
                emp, course, datetime.combine(BASE + timedelta(days=corrected), at, UTC)
            )
            record.superseded_by_id = fixed.id
            record = fixed
        done.append(
            reference.Done(emp.id, record.course_id, record.completed_at, record.expires_at)
        )
    session.commit()

    on = BASE + timedelta(days=data["on"])
    expected = reference.statuses(people, rules, done, on)
    got = {
        (row.employee_id, row.course_id): row.status
        for row in session.execute(coverage.pairs_stmt(on))
    }
    assert got == expected
    totals = coverage.total_counts(session, on=on)
    assert totals.total == len(expected)
    assert totals.covered == sum(1 for s in expected.values() if s in ("completed", "expiring"))
