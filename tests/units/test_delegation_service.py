"""The delegation service itself (app/units/delegation.py), without the pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, UnitManager
from app.units import delegation

TODAY = date(2025, 3, 3)


def _grant(town, key: str, *, actor=None, starts_on=TODAY, ends_on=TODAY + timedelta(days=14)):
    return delegation.grant(
        db.session,
        unit=town["bof"],
        deputy_key=key,
        starts_on=starts_on,
        ends_on=ends_on,
        actor=actor or town["chef"],
        today=TODAY,
    )


def test_grant_by_e_mail_or_number_flushes_audits_and_leaves_the_commit(town):
    row = _grant(town, " BO@k.se ")
    assert (row.unit_id, row.employee_id, row.role) == (town["bof"].id, town["bo"].id, "delegate")
    assert (row.starts_on, row.ends_on, row.granted_by_id) == (
        TODAY,
        TODAY + timedelta(days=14),
        town["chef"].id,
    )
    (event,) = db.session.scalars(sa.select(AuditEvent)).all()
    assert (event.action, event.actor_id, event.target_id) == (
        "delegation.grant",
        town["chef"].id,
        str(town["bof"].id),
    )
    assert event.details["deputy_id"] == town["bo"].id
    # The view commits, not the service: a rollback leaves nothing.
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0

    # Granting again to the same person moves the period of the one row.
    again = _grant(town, town["bo"].employee_number, ends_on=TODAY + timedelta(days=30))
    db.session.commit()
    _grant(town, "bo@k.se", ends_on=TODAY + timedelta(days=60))
    rows = db.session.scalars(sa.select(UnitManager).where(UnitManager.role == "delegate")).all()
    assert [(r.id, r.ends_on) for r in rows] == [(again.id, TODAY + timedelta(days=60))]


@pytest.mark.parametrize(
    ("key", "period", "field", "message"),
    [
        ("ingen@k.se", None, "deputy", "Ingen person med den e-postadressen"),
        ("chef@k.se", None, "ends_on", "Du kan inte delegera till dig själv."),
        ("bo@k.se", (TODAY, TODAY - timedelta(days=1)), "ends_on", "Slutdatum kan inte"),
        (
            "bo@k.se",
            (TODAY - timedelta(days=9), TODAY - timedelta(days=1)),
            "ends_on",
            "Perioden har redan tagit slut.",
        ),
        # M1: at most 12 months, both days counted, and no start years ahead
        (
            "bo@k.se",
            (TODAY, date(2026, 3, 3)),
            "ends_on",
            "högst 12 månader: ”Till och med” kan vara senast 2026-03-02.",
        ),
        (
            "bo@k.se",
            (date(2025, 6, 4), date(2025, 6, 30)),
            "starts_on",
            "”Från och med” kan ligga högst 3 månader fram, senast 2025-06-03.",
        ),
        (
            "bo@k.se",
            (date(2031, 1, 1), date(2031, 12, 31)),
            "starts_on",
            "”Från och med” kan ligga högst 3 månader fram",
        ),
        # L8: a person outside the chef's units is not found, as if no one had the address
        ("vera@k.se", None, "deputy", "Ingen person med den e-postadressen eller det numret i"),
        ("E" + "9" * 6, None, "deputy", "Ingen person med den e-postadressen eller det numret i"),
    ],
)
def test_refusals_name_the_field_and_change_nothing(town, key, period, field, message):
    starts_on, ends_on = period or (TODAY, TODAY + timedelta(days=14))
    with pytest.raises(delegation.DelegationRejected) as refused:
        _grant(town, key, starts_on=starts_on, ends_on=ends_on)
    assert refused.value.field == field
    assert message in str(refused.value)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


def test_the_longest_period_and_the_latest_start_are_accepted(town):
    year = _grant(town, "bo@k.se", starts_on=TODAY, ends_on=date(2026, 3, 2))
    assert year.ends_on == date(2026, 3, 2)
    later = _grant(town, "anna@k.se", starts_on=date(2025, 6, 3), ends_on=date(2026, 6, 2))
    assert later.starts_on == date(2025, 6, 3)


def test_a_chef_names_deputies_among_their_own_people_hr_anyone(town):
    # L8: the chef of Barn och familj cannot look up Vera (Vuxen) by address or number
    for key in ("vera@k.se", town["vera"].employee_number):
        with pytest.raises(delegation.DelegationRejected) as refused:
            _grant(town, key)
        assert "Vera" not in str(refused.value)
    # the head of the administration leads Vuxen too, and HR reaches everyone
    assert _grant(town, "vera@k.se", actor=town["head"]).employee_id == town["vera"].id
    assert _grant(town, "olle@k.se", actor=town["hr"]).employee_id == town["olle"].id


def test_a_person_who_has_left_gets_no_delegation(town, make):
    make.employee(unit=town["bof"], email="slutat@k.se", active=False)
    with pytest.raises(delegation.DelegationRejected, match="ingen aktiv anställning"):
        _grant(town, "slutat@k.se")


def test_hr_may_name_themself(town):
    row = _grant(town, "hr@k.se", actor=town["hr"])
    assert row.employee_id == town["hr"].id


def test_find_end_and_list(town):
    row = _grant(town, "bo@k.se", starts_on=TODAY + timedelta(days=2))
    db.session.commit()
    chef_row = db.session.scalar(
        sa.select(UnitManager).where(UnitManager.employee_id == town["chef"].id)
    )
    assert delegation.find(db.session, row.id) is row
    assert delegation.find(db.session, chef_row.id) is None  # a chef's own row is no delegation
    assert delegation.find(db.session, 999_999) is None

    listed = delegation.delegations(db.session, within=[town["soc"].path], today=TODAY)
    assert [(r.delegation.id, r.current) for r in listed] == [(row.id, False)]
    assert delegation.delegations(db.session, within=[town["utb"].path], today=TODAY) == []
    assert len(delegation.delegations(db.session, within=None, today=TODAY)) == 1

    delegation.end(db.session, delegation=row, actor=town["hr"], today=TODAY)
    assert row.ends_on == TODAY - timedelta(days=1)
    assert delegation.delegations(db.session, within=None, today=TODAY) == []
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["delegation.grant", "delegation.end"]
