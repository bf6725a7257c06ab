"""Reminders go through a real SMTP server on localhost and respect the weekly limit."""

from __future__ import annotations

from datetime import date, timedelta
from email import message_from_bytes, policy

import sqlalchemy as sa

from app import dates
from app.extensions import db
from app.models import AuditEvent, ReminderLog
from tests.conftest import csrf_from


def _mails(smtp_server) -> dict[str, str]:
    """Recipient → plain-text body."""
    found = {}
    for envelope in smtp_server.messages:
        msg = message_from_bytes(envelope.content, policy=policy.default)
        found[envelope.rcpt_tos[0]] = msg.get_body(("plain",)).get_content()
    return found


def test_reminders_reach_the_right_people_and_a_second_run_sends_none(
    runner, smtp_server, town, make, app
):
    soon = make.employee(unit=town["fsk"], email="ny@k.se", start_date=dates.today())
    expiring = make.employee(unit=town["fsk"], email="gammal@k.se")
    # Valid for 36 months: completed so that it runs out in about two weeks, on any day.
    completed_on = dates.add_months(dates.today() + timedelta(days=15), -36)
    make.completion(expiring, town["course"], on=completed_on)
    make.requirement(town["course"], due_days=10, unit=town["fsk"], starts_on=date(2024, 1, 1))
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    mails = _mails(smtp_server)
    # Overdue: Bo, Cesar, Vera, Olle, Hedda, Hanna; due within 14 days: the new hire;
    # expiring: the old completion. Anna completed this month: nothing.
    assert "anna@k.se" not in mails
    for person in ("bo@k.se", "vera@k.se", "olle@k.se", "ny@k.se", "gammal@k.se"):
        assert person in mails
    # each course by the status name the pages use, then what to do
    assert "Grundkurs: Försenad – sista dag var 2024-01-31." in mails["bo@k.se"]
    assert "Grundkurs: Ej påbörjad – ska vara genomförd senast " in mails["ny@k.se"]
    assert "Grundkurs: Går snart ut – giltigheten går ut " in mails["gammal@k.se"]
    assert f"{app.config['BASE_URL']}/kurser/grundkurs" in mails["bo@k.se"]
    # Digests: Cesar (Barn och familj) and Hedda (Socialförvaltningen) get the weekly list.
    assert "Bo Al" in mails["chef@k.se"]
    assert "Vera Vik" not in mails["chef@k.se"]
    assert "Olle" not in mails["head@k.se"]
    assert soon.id
    with app.app_context():
        logged = db.session.scalar(sa.select(sa.func.count()).select_from(ReminderLog))
    sent = len(smtp_server.messages)

    again = runner.invoke(args=["reminders", "send"])
    assert again.exit_code == 0
    assert len(smtp_server.messages) == sent
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReminderLog)) == logged


def test_weekly_limit_holds_across_days(runner, smtp_server, town):
    def send_on(day: date) -> set[str]:
        before = len(smtp_server.messages)
        result = runner.invoke(args=["reminders", "send", "--on", day.isoformat()])
        assert result.exit_code == 0, result.output
        return {m.rcpt_tos[0] for m in smtp_server.messages[before:]}

    today = dates.today()
    first = send_on(today)
    # Bo, Vera and Olle are overdue; Cesar and Hedda get their units' lists too.
    assert {"bo@k.se", "vera@k.se", "olle@k.se", "chef@k.se", "head@k.se"} <= first
    assert send_on(today + timedelta(days=6)) == set()
    assert send_on(today + timedelta(days=7)) == first


def test_dry_run_sends_and_records_nothing(runner, smtp_server, town, app):
    result = runner.invoke(args=["reminders", "send", "--dry-run"])
    assert result.exit_code == 0
    assert "person bo@k.se: grundkurs (overdue)" in result.output
    assert smtp_server.messages == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReminderLog)) == 0


def _remind(client, unit_id: int, **data):
    page = client.get(f"/enheter/{unit_id}").get_data(as_text=True)
    return client.post(f"/enheter/{unit_id}/paminn", data={"csrf_token": csrf_from(page), **data})


def test_manager_reminds_one_person_once_a_week(client, auth, smtp_server, town, app):
    auth.login("chef@k.se")
    response = _remind(client, town["bof"].id, employee_id=town["bo"].id)
    assert response.status_code == 302
    assert [m.rcpt_tos for m in smtp_server.messages] == [["bo@k.se"]]
    _remind(client, town["bof"].id, employee_id=town["bo"].id)
    assert len(smtp_server.messages) == 1
    with app.app_context():
        log = db.session.scalar(sa.select(ReminderLog))
        assert (log.kind, log.sent_by_id) == ("manual", town["chef"].id)
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).where(AuditEvent.action == "reminder.manual")
            )
            == 2
        )


def test_manager_reminds_all_overdue_in_their_unit(client, auth, smtp_server, town):
    auth.login("chef@k.se")
    _remind(client, town["bof"].id)
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == ["bo@k.se", "chef@k.se"]


def test_manager_cannot_remind_outside_their_subtree(client, auth, smtp_server, town, app):
    auth.login("chef@k.se")
    assert _remind(client, town["bof"].id, employee_id=town["vera"].id).status_code == 403
    assert _remind(client, town["bof"].id, employee_id="1 OR 1=1").status_code == 400
    page = client.get(f"/enheter/{town['bof'].id}").get_data(as_text=True)
    response = client.post(
        f"/enheter/{town['vux'].id}/paminn", data={"csrf_token": csrf_from(page)}
    )
    assert response.status_code == 403
    assert smtp_server.messages == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReminderLog)) == 0
