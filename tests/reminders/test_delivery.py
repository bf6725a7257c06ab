"""Reminders always arrive: one recipient at a time, a refused address kept for HR,
a server that goes away leaves the rest for the next run, nothing is sent twice."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from email import policy
from email.parser import BytesParser

import sqlalchemy as sa

from app import dates
from app.extensions import db
from app.models import Employee, MailStatus, OutgoingMail, UnitManager
from tests.conftest import csrf_from


def _recipients(smtp_server, start: int = 0) -> list[str]:
    return [m.rcpt_tos[0] for m in smtp_server.messages[start:]]


def _digest(smtp_server, address: str) -> str:
    parsed = [
        BytesParser(policy=policy.strict).parsebytes(m.content)
        for m in smtp_server.messages
        if m.rcpt_tos == [address]
    ]
    [msg] = [m for m in parsed if m["Subject"].startswith("Veckosammanfattning")]
    return msg.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_a_refused_address_is_skipped_shown_to_hr_and_not_tried_again(
    runner, smtp_server, town, client, auth, app
):
    smtp_server.refuse["bo@k.se"] = "550 5.1.1 User unknown"
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    assert "Avvisad adress: bo@k.se (550 5.1.1 User unknown)" in result.stderr
    # Everyone after Bo still gets their mail.
    reached = set(_recipients(smtp_server))
    assert {"vera@k.se", "olle@k.se", "chef@k.se", "head@k.se"} <= reached
    assert "bo@k.se" not in reached
    # Every message passes the strict parser, with both parts and the automatic marker.
    for envelope in smtp_server.messages:
        msg = BytesParser(policy=policy.strict).parsebytes(envelope.content)
        assert msg["Auto-Submitted"] == "auto-generated"
        assert msg.get_body(("plain",)) is not None
        assert msg.get_body(("html",)) is not None

    # The same day again: nothing; a week later: the others again, never Bo's dead address.
    sent = len(smtp_server.messages)
    assert runner.invoke(args=["reminders", "send"]).exit_code == 0
    assert len(smtp_server.messages) == sent
    week = (dates.today() + timedelta(days=7)).isoformat()
    assert runner.invoke(args=["reminders", "send", "--on", week]).exit_code == 0
    assert "vera@k.se" in _recipients(smtp_server, sent)
    assert smtp_server.refused == ["bo@k.se"]

    # HR sees it on the administration page and on Bo's record.
    auth.login("hr@k.se")
    admin = client.get("/admin/").get_data(as_text=True)
    assert "E-post som inte kommer fram" in admin
    assert "bo@k.se (550 5.1.1 User unknown" in admin
    record = client.get(f"/admin/personal/{town['bo'].id}").get_data(as_text=True)
    assert "E-postservern avvisade adressen" in record
    assert "E-postservern avvisade" not in client.get(
        f"/admin/personal/{town['vera'].id}"
    ).get_data(as_text=True)

    # Once HR's data gives Bo a new address, he is reminded there.
    with app.app_context():
        db.session.get(Employee, town["bo"].id).email = "bo.al@k.se"
        db.session.commit()
    later = len(smtp_server.messages)
    fortnight = (dates.today() + timedelta(days=14)).isoformat()
    assert runner.invoke(args=["reminders", "send", "--on", fortnight]).exit_code == 0
    assert "bo.al@k.se" in _recipients(smtp_server, later)
    assert "E-post som inte kommer fram" not in client.get("/admin/").get_data(as_text=True)


def test_a_server_that_goes_away_mid_run_leaves_the_rest_for_the_next_run(
    runner, smtp_server, town, app
):
    smtp_server.go_away_after(2)
    first = runner.invoke(args=["reminders", "send"])
    assert first.exit_code == 1
    assert "E-postservern svarar inte" in first.stderr
    assert "Traceback" not in first.output
    assert len(smtp_server.messages) == 2
    smtp_server.wait_until_stopped()

    down = runner.invoke(args=["reminders", "send"])
    assert down.exit_code == 1
    assert len(smtp_server.messages) == 2

    smtp_server.start()
    back = runner.invoke(args=["reminders", "send"])
    assert back.exit_code == 0, back.output
    # Nobody gets the same message twice (a manager gets a reminder and a digest).
    counts = Counter(
        (m.rcpt_tos[0], BytesParser(policy=policy.strict).parsebytes(m.content)["Subject"])
        for m in smtp_server.messages
    )
    assert max(counts.values()) == 1
    assert {"bo@k.se", "vera@k.se", "olle@k.se", "chef@k.se", "head@k.se"} <= {
        to for to, _ in counts
    }
    with app.app_context():
        statuses = set(db.session.scalars(sa.select(OutgoingMail.status)))
        assert statuses == {MailStatus.SENT}
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingMail)) == len(
            counts
        )


def test_a_digest_names_people_only_in_units_the_manager_leads(runner, smtp_server, town):
    assert runner.invoke(args=["reminders", "send"]).exit_code == 0
    chef = _digest(smtp_server, "chef@k.se")
    assert "- Bo Al (Barn och familj): Grundkurs" in chef
    assert "- Cesar" not in chef  # their own courses come in their own reminder
    assert f"/enheter/{town['bof'].id}?status=overdue" in chef

    head = _digest(smtp_server, "head@k.se")
    # Hedda leads Socialförvaltningen: the units below it are counts with a link, no names.
    for name in ("Bo Al", "Cesar", "Vera Vik"):
        assert name not in head
    base = smtp_server.app.config["BASE_URL"]
    assert f"- Barn och familj: 2 personer\n  {base}/enheter/{town['bof'].id}?status" in head
    assert "- Vuxen: 1 person\n" in head


def _page(client, url: str) -> str:
    return client.get(url).get_data(as_text=True)


def test_remind_all_overdue_says_how_many_first(client, auth, smtp_server, town):
    auth.login("chef@k.se")
    unit = town["bof"].id
    show = _page(client, f"/enheter/{unit}")
    assert f'href="/enheter/{unit}/paminn"' in show
    confirm = _page(client, f"/enheter/{unit}/paminn")
    assert "2 personer får en påminnelse via e-post:" in confirm
    assert "Bo Al" in confirm
    assert "Skicka 2 påminnelser" in confirm
    assert smtp_server.messages == []  # asking costs nothing

    # After Bo was reminded on his own, one person is left: the singular.
    client.post(
        f"/enheter/{unit}/paminn",
        data={"csrf_token": csrf_from(confirm), "employee_id": town["bo"].id},
    )
    confirm = _page(client, f"/enheter/{unit}/paminn")
    assert "1 person får en påminnelse via e-post:" in confirm
    assert "Skicka 1 påminnelse<" in confirm
    done = client.post(
        f"/enheter/{unit}/paminn", data={"csrf_token": csrf_from(confirm)}, follow_redirects=True
    )
    assert "Påminnelse skickad till 1 person." in done.get_data(as_text=True)
    assert sorted(_recipients(smtp_server)) == ["bo@k.se", "chef@k.se"]
    assert "Ingen får någon påminnelse nu" in _page(client, f"/enheter/{unit}/paminn")


def test_a_manager_reminding_a_refused_address_gets_an_answer_not_an_error(
    client, auth, smtp_server, town
):
    smtp_server.refuse["bo@k.se"] = "550 5.1.1 User unknown"
    auth.login("chef@k.se")
    unit = town["bof"].id
    confirm = _page(client, f"/enheter/{unit}/paminn")
    done = client.post(
        f"/enheter/{unit}/paminn", data={"csrf_token": csrf_from(confirm)}, follow_redirects=True
    )
    assert done.status_code == 200
    text = done.get_data(as_text=True)
    assert "Påminnelse skickad till 1 person." in text
    assert "1 adress avvisades av e-postservern" in text
    assert _recipients(smtp_server) == ["chef@k.se"]


def test_a_manager_reminding_while_the_server_is_down_is_told_it_will_go_later(
    client, auth, smtp_server, town, runner
):
    auth.login("chef@k.se")
    unit = town["bof"].id
    confirm = _page(client, f"/enheter/{unit}/paminn")
    smtp_server.stop()
    done = client.post(
        f"/enheter/{unit}/paminn", data={"csrf_token": csrf_from(confirm)}, follow_redirects=True
    )
    assert done.status_code == 200
    assert "2 påminnelser kunde inte skickas nu" in done.get_data(as_text=True)
    smtp_server.start()
    assert runner.invoke(args=["reminders", "send"]).exit_code == 0
    assert Counter(_recipients(smtp_server))["bo@k.se"] == 1


def test_a_manager_who_also_leads_a_unit_below_gets_its_people_by_name(
    runner, smtp_server, town, make
):
    make.employee(
        unit=town["vux"], email="vice@k.se", first_name="Vide", manages=(town["vux"], town["soc"])
    )
    assert runner.invoke(args=["reminders", "send"]).exit_code == 0
    vide = _digest(smtp_server, "vice@k.se")
    assert "- Vera Vik (Vuxen): Grundkurs" in vide  # Vuxen: led directly, named
    assert "Bo Al" not in vide  # Barn och familj: further down, counted
    assert "- Barn och familj: 2 personer" in vide
    assert "- Vuxen:" not in vide  # not counted again


def _deputy_for_bof(make, town, granted_by) -> None:
    today = dates.today()
    make.session.add(
        UnitManager(
            unit_id=town["bof"].id,
            employee_id=town["vera"].id,
            role="delegate",
            starts_on=today - timedelta(days=10),
            ends_on=today + timedelta(days=30),
            granted_by_id=granted_by.id,
        )
    )
    make.session.commit()


def test_a_deputy_gets_the_digest_while_the_chef_who_granted_it_leads(
    runner, smtp_server, town, make
):
    _deputy_for_bof(make, town, granted_by=town["chef"])
    assert runner.invoke(args=["reminders", "send"]).exit_code == 0
    assert "- Bo Al (Barn och familj): Grundkurs" in _digest(smtp_server, "vera@k.se")


def test_a_deputy_whose_chef_has_left_gets_no_digest(runner, smtp_server, town, make):
    """M1: the delegation ends with the grantor's right, for the weekly digest too."""
    _deputy_for_bof(make, town, granted_by=town["chef"])
    town["chef"].active = False
    make.session.commit()
    assert runner.invoke(args=["reminders", "send"]).exit_code == 0
    assert smtp_server.messages  # the run sent the others their reminders
    subjects = [
        BytesParser(policy=policy.strict).parsebytes(m.content)["Subject"]
        for m in smtp_server.messages
        if m.rcpt_tos == ["vera@k.se"]
    ]
    assert not [s for s in subjects if s.startswith("Veckosammanfattning")]
