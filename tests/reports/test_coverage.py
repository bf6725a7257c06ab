"""The one coverage definition (DESIGN.md), checked case by case on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from app.dates import add_months
from app.extensions import db
from app.models import Status
from app.reports import coverage
from app.reports.coverage import Scope

TODAY = date(2026, 6, 1)


@pytest.fixture
def org(make):
    root = make.unit("Kommunen")
    soc = make.unit("Socialförvaltningen", parent=root, kind="förvaltning")
    soc_unit = make.unit("Barn och familj", parent=soc)
    utb = make.unit("Utbildningsförvaltningen", parent=root, kind="förvaltning")
    return {"root": root, "soc": soc, "soc_unit": soc_unit, "utb": utb}


def status_of(employee, course, on=TODAY):
    rows = coverage.employee_statuses(db.session, employee.id, on)
    found = [r for r in rows if r.course_id == course.id]
    return found[0].status if found else None


def test_each_status(make, org):
    course = make.course(valid_months=12)
    make.requirement(course, due_days=30, starts_on=date(2026, 1, 1))
    done = make.employee(unit=org["soc_unit"])
    make.completion(done, course, on=date(2026, 3, 1))
    soon = make.employee(unit=org["soc_unit"])
    make.completion(soon, course, on=date(2025, 6, 20))  # expires 2026-06-20
    old = make.employee(unit=org["soc_unit"])
    make.completion(old, course, on=date(2025, 5, 1))  # expired 2026-05-01
    late = make.employee(unit=org["soc_unit"], start_date=date(2020, 1, 1))
    new = make.employee(unit=org["soc_unit"], start_date=date(2026, 5, 20))  # due 2026-06-19
    assert status_of(done, course) == Status.COMPLETED
    assert status_of(soon, course) == Status.EXPIRING
    assert status_of(old, course) == Status.EXPIRED
    assert status_of(late, course) == Status.OVERDUE
    assert status_of(new, course) == Status.PENDING


def test_due_date_counts_from_entry_or_rule_start(make, org):
    course = make.course()
    make.requirement(course, due_days=30, starts_on=date(2026, 1, 1))
    veteran = make.employee(unit=org["soc"], start_date=date(2010, 1, 1))
    newcomer = make.employee(unit=org["soc"], start_date=date(2026, 3, 1))
    rows = {r.course_id: r for r in coverage.employee_statuses(db.session, veteran.id, TODAY)}
    assert rows[course.id].due_on == date(2026, 1, 31)
    rows = {r.course_id: r for r in coverage.employee_statuses(db.session, newcomer.id, TODAY)}
    assert rows[course.id].due_on == date(2026, 3, 31)
    # on the due day itself the person is not yet overdue
    assert status_of(newcomer, course, on=date(2026, 3, 31)) == Status.PENDING
    assert status_of(newcomer, course, on=date(2026, 4, 1)) == Status.OVERDUE


def test_audience_by_level_unit_and_tag(make, org):
    course = make.course()
    make.requirement(course, levels=("chef", "ledning"))
    course2 = make.course()
    make.requirement(course2, unit=org["soc"], tags=("socialsekreterare",))
    chef = make.employee(unit=org["utb"], level="chef")
    staff = make.employee(unit=org["utb"])
    social = make.employee(unit=org["soc_unit"], tags=("socialsekreterare",))
    social_elsewhere = make.employee(unit=org["utb"], tags=("socialsekreterare",))
    untagged = make.employee(unit=org["soc_unit"])
    assert status_of(chef, course) is not None
    assert status_of(staff, course) is None
    assert status_of(social, course2) is not None
    assert status_of(social_elsewhere, course2) is None
    assert status_of(untagged, course2) is None


def test_strictest_rule_wins_and_ended_rules_stop(make, org):
    course = make.course(valid_months=None)
    make.requirement(course, due_days=365, starts_on=date(2026, 1, 1))
    make.requirement(course, due_days=30, starts_on=date(2026, 1, 1), levels=("chef",))
    make.requirement(course, due_days=1, starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31))
    chef = make.employee(unit=org["soc"], level="chef")
    staff = make.employee(unit=org["soc"])
    assert status_of(chef, course) == Status.OVERDUE  # the 30-day rule applies
    assert status_of(staff, course) == Status.PENDING  # only the 365-day rule reaches staff
    # one pair per person and course, however many rules reach it
    rows = coverage.employee_statuses(db.session, chef.id, TODAY)
    assert len(rows) == 1


def test_rule_validity_overrides_the_course(make, org):
    course = make.course(valid_months=36)
    make.requirement(course, valid_months=12)
    person = make.employee(unit=org["soc"])
    make.completion(person, course, on=date(2025, 1, 31))
    rows = coverage.employee_statuses(db.session, person.id, TODAY)
    assert rows[0].status == Status.EXPIRED
    assert rows[0].expires_on == add_months(date(2025, 1, 31), 12)


def test_a_new_completion_after_expiry_counts_and_the_old_stays(make, org):
    course = make.course(valid_months=12)
    make.requirement(course)
    person = make.employee(unit=org["soc"])
    make.completion(person, course, on=date(2024, 1, 10))
    assert status_of(person, course) == Status.EXPIRED
    make.completion(person, course, on=date(2026, 5, 1))
    assert status_of(person, course) == Status.COMPLETED


def test_completion_in_the_future_of_the_day_does_not_count(make, org):
    course = make.course(valid_months=None)
    make.requirement(course, starts_on=date(2020, 1, 1))
    person = make.employee(unit=org["soc"])
    make.completion(person, course, on=date(2026, 7, 1))
    assert status_of(person, course, on=TODAY) == Status.OVERDUE
    assert status_of(person, course, on=date(2026, 7, 1)) == Status.COMPLETED


def test_exemption_and_leavers_leave_the_audience(make, org):
    course = make.course()
    rule = make.requirement(course)
    exempt = make.employee(unit=org["soc"])
    make.exemption(exempt, rule)
    leaver = make.employee(unit=org["soc"], active=False)
    assert status_of(exempt, course) is None
    assert status_of(leaver, course) is None


def test_counts_by_administration_level_and_course(make, org):
    course = make.course(valid_months=None)
    make.requirement(course, starts_on=date(2026, 1, 1), due_days=10)
    for i in range(3):
        person = make.employee(unit=org["soc_unit"])
        if i < 2:
            make.completion(person, course, on=date(2026, 2, 1))
    make.employee(unit=org["utb"], level="chef")
    rows = coverage.status_counts(
        db.session, on=TODAY, group_by=("top", "level"), tops=[org["soc"], org["utb"]]
    )
    by_key = {r.key: r.counts for r in rows}
    assert by_key[(org["soc"].id, "medarbetare")].completed == 2
    assert by_key[(org["soc"].id, "medarbetare")].overdue == 1
    assert by_key[(org["soc"].id, "medarbetare")].coverage == pytest.approx(2 / 3)
    assert by_key[(org["utb"].id, "chef")].overdue == 1
    total = coverage.total_counts(db.session, on=TODAY)
    assert (total.total, total.covered) == (4, 2)
    only_soc = coverage.total_counts(
        db.session, on=TODAY, scope=Scope(unit_paths=[org["soc"].path])
    )
    assert only_soc.total == 3


def test_counts_use_a_constant_number_of_queries(make, org):
    from sqlalchemy import event

    course = make.course()
    make.requirement(course)
    statements = []

    def count(*_args):
        statements.append(1)

    def run():
        tops = [org["soc"], org["utb"]]
        _ = [(t.id, t.path) for t in tops]  # loaded before counting
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            coverage.status_counts(
                db.session,
                on=TODAY,
                group_by=("top", "level", "course"),
                tops=tops,
            )
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    make.employee(unit=org["soc_unit"])
    few = run()
    for _ in range(30):
        make.employee(unit=org["soc_unit"])
    assert run() == few == 1
