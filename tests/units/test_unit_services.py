"""The manager's view as services (app/units/services.py), called directly, no HTML.

The town (tests/org.py): one course required of everyone; only Anna has done it,
everyone else is overdue.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from app import dates
from app.extensions import db
from app.models import (
    AuditEvent,
    Completion,
    Exemption,
    ReminderLog,
    SessionAttendance,
    TrainingSession,
)
from app.units import services


def _overview(unit, **filters):
    return services.unit_overview(
        db.session, unit, on=dates.today(), filters=services.Filters(**filters)
    )


def _node(node, code):
    if node.unit.code == code:
        return node
    for child in node.children:
        found = _node(child, code)
        if found is not None:
            return found
    return None


def test_unit_overview_rolls_the_subtree_up_and_counts_per_course(town):
    overview = _overview(town["soc"])
    root = overview.root
    assert root.unit == town["soc"]
    assert [c.unit.code for c in root.children] == ["SOC-1", "SOC-2"]  # by name
    # Hedda (the unit itself), Cesar, Anna, Bo (Barn och familj), Vera (Vuxen)
    assert (root.counts.total, root.counts.covered, root.counts.overdue) == (5, 1, 4)
    assert (root.own.total, root.own.overdue) == (1, 1)
    bof = _node(root, "SOC-1")
    assert (bof.counts.total, bof.counts.completed, bof.counts.overdue) == (3, 1, 2)
    assert bof.own == bof.counts
    assert list(overview.course_counts) == [town["course"].id]
    assert overview.course_counts[town["course"].id] == root.counts
    assert overview.courses[town["course"].id].title == "Grundkurs"
    assert overview.counts == root.counts


def test_unit_overview_of_the_unit_alone_and_by_level(town):
    alone = _overview(town["soc"], whole=False)
    assert (alone.counts.total, alone.counts.overdue) == (1, 1)  # Hedda only
    assert alone.course_counts[town["course"].id].total == 1
    assert [c.unit.code for c in alone.root.children] == ["SOC-1", "SOC-2"]  # the tree stays

    chefs = _overview(town["soc"], level="chef")
    assert chefs.counts.total == 1  # Cesar
    assert _node(chefs.root, "SOC-2").counts.total == 0


def test_units_deeper_than_the_tree_still_count(town, make):
    deep = make.unit("Grupp", parent=make.unit("Team", parent=town["bof"]))
    make.employee(unit=deep, first_name="Djup")
    overview = _overview(town["soc"])
    assert _node(overview.root, "SOC-1").counts.total == 4
    assert overview.counts.total == 6
    # TREE_DEPTH levels below the unit are shown: Team is, Grupp is not.
    team = _node(overview.root, "SOC-1").children[0]
    assert team.unit.name == "Team"
    assert team.children == []
    assert team.counts.total == 1


def test_filtered_people_and_their_rows(town, make):
    today = dates.today()
    overdue = services.filtered_people_stmt(
        town["bof"], on=today, filters=services.Filters(status="overdue")
    )
    people = list(db.session.scalars(overdue))
    assert [p.first_name for p in people] == ["Bo", "Cesar"]  # by last name: Al, Person…
    db.session.add(
        ReminderLog(
            employee_id=town["bo"].id,
            course_id=town["course"].id,
            kind="overdue",
            sent_on=today - timedelta(days=2),
        )
    )
    db.session.commit()
    everyone = list(db.session.scalars(services.people_stmt(town["bof"])))
    rows = services.person_rows(db.session, everyone, on=today, course_ids=None)
    by_name = {r.employee.first_name: r for r in rows}
    assert set(by_name) == {"Anna", "Bo", "Cesar"}
    anna, bo = by_name["Anna"], by_name["Bo"]
    cell = anna.cells[town["course"].id]
    assert (cell.status, cell.completed_on) == ("completed", today.replace(day=1))
    assert not anna.needs_action
    assert bo.cells[town["course"].id].status == "overdue"
    assert bo.cells[town["course"].id].due_on == date(2024, 1, 31)
    assert bo.needs_action
    assert bo.reminded_on == today - timedelta(days=2)
    assert anna.reminded_on is None
    # Restricted to a course no one is required to take: no cells.
    other = make.course("annan")
    assert all(
        r.cells == {}
        for r in services.person_rows(db.session, everyone, on=today, course_ids=[other.id])
    )
    assert services.person_rows(db.session, [], on=today, course_ids=None) == []


def test_person_history_is_the_record_as_it_is(town, make):
    anna, chef, hr = town["anna"], town["chef"], town["hr"]
    ts = TrainingSession(
        title="APT om våld", held_on=date(2024, 5, 2), unit_id=town["bof"].id, created_by_id=chef.id
    )
    db.session.add(ts)
    db.session.flush()
    db.session.add(SessionAttendance(session_id=ts.id, employee_id=anna.id, recorded_by_id=chef.id))
    db.session.add(
        Completion(
            employee_id=anna.id,
            title="APT om våld",
            completed_at=datetime(2024, 5, 2, 12, tzinfo=UTC),
            source="session",
            session_id=ts.id,
            recorded_by_id=chef.id,
            verification_code="SESSION-TEST-1",
        )
    )
    db.session.add(
        Exemption(
            employee_id=anna.id,
            requirement_id=town["rule"].id,
            reason="Tjänstledig",
            created_by_id=hr.id,
        )
    )
    db.session.commit()

    history = services.person_history(db.session, anna, on=dates.today(), hr_notes=True)
    assert history.employee == anna
    # Newest first; the session's title and who recorded it.
    assert [e.completion.source for e in history.completions] == ["online", "session"]
    session_entry = history.completions[1]
    assert (session_entry.session_title, session_entry.recorded_by) == (
        "APT om våld",
        chef.full_name,
    )
    ((exemption, rule, granted_by, reason),) = history.exemptions
    assert (reason, rule.id, granted_by) == ("Tjänstledig", town["rule"].id, hr.full_name)
    # Without HR's notes (a manager's view) the exemption is there, its reason is not.
    managers_view = services.person_history(db.session, anna, on=dates.today())
    assert [(e.exemption.id, e.reason) for e in managers_view.exemptions] == [(exemption.id, None)]
    # Exempted from the only rule: no course is required of her any more.
    assert history.statuses == []
    assert town["course"].id in history.courses
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


def test_view_person_logs_who_looked(town):
    history = services.view_person(
        db.session, viewer=town["chef"], employee=town["bo"], on=dates.today()
    )
    assert history.employee == town["bo"]
    ((status),) = history.statuses
    assert status.status == "overdue"
    (event,) = db.session.scalars(sa.select(AuditEvent)).all()
    assert (event.action, event.actor_id, event.target_type, event.target_id) == (
        "person.view",
        town["chef"].id,
        "employee",
        str(town["bo"].id),
    )


def test_subtree_headcounts_and_sessions_for_a_unit(town):
    rows = services.subtree_headcounts(db.session, [town["soc"], town["utb"], town["vux"]])
    assert [(r.unit.code, r.headcount) for r in rows] == [("SOC", 5), ("UTB", 1), ("SOC-2", 1)]
    assert services.subtree_headcounts(db.session, []) == []
    db.session.add_all(
        [
            TrainingSession(title=f"Tillfälle {n}", held_on=date(2025, 1, n), unit_id=unit.id)
            for n, unit in ((1, town["bof"]), (2, town["vux"]), (3, town["fsk"]))
        ]
    )
    db.session.commit()
    listed = services.sessions_for_unit(db.session, town["soc"])
    assert [(ts.title, attendees) for ts, attendees in listed] == [
        ("Tillfälle 2", 0),
        ("Tillfälle 1", 0),
    ]
    assert len(services.sessions_for_unit(db.session, town["root"], limit=1)) == 1
