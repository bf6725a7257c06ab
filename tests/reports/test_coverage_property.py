"""Property test: the SQL coverage agrees with the plain-Python reference on random
organisations, on SQLite and on PostgreSQL."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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

world = st.fixed_dictionaries(
    {
        "parents": st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=8),
        "people": st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=8),  # unit index
                st.sampled_from(LEVELS),
                st.sets(st.sampled_from(TAGS), max_size=2),
                st.one_of(st.none(), days),  # start offset
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
                st.sets(st.integers(min_value=0, max_value=11), max_size=2),  # exempt people
            ),
            max_size=4,
        ),
        "completions": st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=11),
                st.integers(min_value=0, max_value=2),
                days,
            ),
            max_size=15,
        ),
        "on": days,
    }
)


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
def test_sql_coverage_matches_the_reference(app_ctx, data):
    _clear()
    session = db.session
    units: list[OrgUnit] = []
    root = OrgUnit(code=f"R{secrets.token_hex(3)}", name="Rot", kind="kommun")
    session.add(root)
    session.flush()
    root.path = f"/{root.id}/"
    units.append(root)
    for i, parent_index in enumerate(data["parents"]):
        parent = units[parent_index % len(units)]
        unit = OrgUnit(code=f"U{i}-{secrets.token_hex(3)}", name=f"E{i}", parent_id=parent.id)
        session.add(unit)
        session.flush()
        unit.path = f"{parent.path}{unit.id}/"
        units.append(unit)

    people: list[reference.Person] = []
    employees: list[Employee] = []
    for i, (unit_index, level, tags, start, active) in enumerate(data["people"]):
        unit = units[unit_index % len(units)]
        start_date = BASE + timedelta(days=start) if start is not None else None
        emp = Employee(
            employee_number=f"P{i}",
            first_name="A",
            last_name=str(i),
            email=f"p{i}@x.se",
            unit_id=unit.id,
            level=level,
            active=active,
            start_date=start_date,
            placed_on=start_date,
        )
        emp.tags = [EmployeeTag(tag=t) for t in tags]
        session.add(emp)
        session.flush()
        employees.append(emp)
        people.append(
            reference.Person(emp.id, unit.path, level, set(tags), start_date, start_date, active)
        )

    courses = []
    for i, months in enumerate(data["courses"]):
        course = Course(slug=f"c{i}", title=f"C{i}", valid_months=months)
        session.add(course)
        session.flush()
        courses.append(course)

    rules: list[reference.Rule] = []
    for course_i, unit_i, levels, tags, due, months, start, end, exempt in data["rules"]:
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
        exempt_ids = set()
        for p_index in exempt:
            if p_index < len(employees):
                emp = employees[p_index]
                session.add(
                    Exemption(
                        employee_id=emp.id,
                        requirement_id=req.id,
                        reason="x",
                        created_at=datetime(2020, 1, 1, tzinfo=UTC),
                    )
                )
                exempt_ids.add(emp.id)
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
                exempt_ids,
            )
        )

    done: list[reference.Done] = []
    for n, (p_index, course_i, day) in enumerate(data["completions"]):
        if p_index >= len(employees):
            continue
        emp = employees[p_index]
        course = courses[course_i % len(courses)]
        completed_at = datetime.combine(BASE + timedelta(days=day), time(12, 0), UTC)
        expires_at = expiry_for(completed_at, course.valid_months)
        session.add(
            Completion(
                employee_id=emp.id,
                course_id=course.id,
                completed_at=completed_at,
                expires_at=expires_at,
                verification_code=f"v{n}-{secrets.token_hex(4)}",
            )
        )
        done.append(reference.Done(emp.id, course.id, completed_at, expires_at))
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
