"""Forgotten passwords and lost invitations: a link by e-mail, nothing told about whether
an account exists (review L1), and reset links that live an hour, once, the latest only (L2)."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from email import policy
from email.parser import BytesParser

import pytest
import sqlalchemy as sa

from app import dates, mail
from app.extensions import db
from app.models import AuditEvent, MailStatus, OutgoingMail, PasswordReset
from tests.conftest import AuthActions, csrf_from

LINK = re.compile(r"https?://\S*(/konto/nytt-losenord/[A-Za-z0-9_-]+)")
ANSWER = "Om adressen hör till ett konto i Värna har vi skickat en länk"


def _mails(smtp_server) -> list[str]:
    """The plain-text bodies, once the mail sent after the responses has gone."""
    assert mail.background.wait()
    return [
        BytesParser(policy=policy.strict).parsebytes(m.content).get_body(("plain",)).get_content()
        for m in smtp_server.messages
    ]


def _ask(client, email):
    token = csrf_from(client.get("/konto/glomt-losenord").get_data(as_text=True))
    return client.post("/konto/glomt-losenord", data={"email": email, "csrf_token": token})


def _link(body: str) -> str:
    return LINK.search(body).group(1)


def _choose(client, link: str, password: str = "en helt ny lösenfras"):
    page = client.get(link)
    assert page.status_code == 200
    return client.post(
        link,
        data={
            "new_password": password,
            "confirm": password,
            "csrf_token": csrf_from(page.get_data(as_text=True)),
        },
    )


def test_a_forgotten_password_is_replaced_through_a_single_use_link(app, client, make, smtp_server):
    person = make.employee(email="anna@kommun.se")
    unknown = _ask(client, "ingen@kommun.se")
    known = _ask(client, "Anna@Kommun.se")
    assert (unknown.status_code, unknown.location) == (known.status_code, known.location)
    assert ANSWER in client.get(known.location).get_data(as_text=True)
    mails = _mails(smtp_server)
    assert len(mails) == 1  # only the real account got mail
    assert "länken fungerar en gång och i en timme" in mails[0]
    link = _link(mails[0])

    assert _choose(client, link).status_code == 302
    assert (
        AuthActions(app.test_client()).login("anna@kommun.se", "en helt ny lösenfras").status_code
        == 302
    )
    assert client.get(link).status_code == 400  # used once: no more
    event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "account.password_reset_requested",
            AuditEvent.target_id == str(person.id),
        )
    )
    assert event.remote_addr == "127.0.0.1"  # the asking request's, though made after it


def _same_answer(client, known: str, unknown: str) -> None:
    a, b = _ask(client, known), _ask(client, unknown)
    assert (a.status_code, a.location) == (b.status_code, b.location) == (302, "/logga-in")
    assert mail.background.wait()


def test_the_answer_is_the_same_when_the_mail_server_refuses_the_address(client, make, smtp_server):
    make.employee(email="borta@kommun.se")
    smtp_server.refuse["borta@kommun.se"] = "550 5.1.1 User unknown"
    _same_answer(client, "borta@kommun.se", "ingen@kommun.se")
    row = db.session.scalar(sa.select(OutgoingMail))
    assert (row.to_addr, row.status) == ("borta@kommun.se", MailStatus.REFUSED)


def test_the_answer_is_the_same_when_the_mail_server_is_down(client, make, smtp_server):
    make.employee(email="anna@kommun.se")
    smtp_server.stop()
    _same_answer(client, "anna@kommun.se", "ingen@kommun.se")
    # The mail waits in the outbox; the next delivery sends it.
    smtp_server.start()
    mail.deliver_queued(db.session, commit=db.session.commit)
    assert [m.rcpt_tos for m in smtp_server.messages] == [["anna@kommun.se"]]


def test_the_mail_is_sent_after_the_response(client, make, smtp_server):
    make.employee(email="anna@kommun.se")
    smtp_server.hold()  # the server takes the message but does not answer yet
    try:
        response = _ask(client, "anna@kommun.se")
        assert response.status_code == 302  # answered while the mail is still on its way
        assert smtp_server.messages == []
    finally:
        smtp_server.release()
    assert len(_mails(smtp_server)) == 1


def test_the_request_does_the_same_work_for_any_address(app, client, make, smtp_server):
    """No database work inside the request at all: nothing to time."""
    make.employee(email="anna@kommun.se")
    test_thread = threading.get_ident()
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if threading.get_ident() == test_thread:
            statements.append(statement)

    token = csrf_from(client.get("/konto/glomt-losenord").get_data(as_text=True))
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        counts = []
        for email in ("anna@kommun.se", "ingen@kommun.se", "anna@kommun.se", "x@kommun.se"):
            statements.clear()
            client.post("/konto/glomt-losenord", data={"email": email, "csrf_token": token})
            counts.append(len(statements))
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert counts == [0, 0, 0, 0]
    assert len(_mails(smtp_server)) == 2


def _reset_link(client, smtp_server, email: str) -> str:
    before = len(smtp_server.messages)
    _ask(client, email)
    return _link(_mails(smtp_server)[before])


@pytest.mark.parametrize(("minutes", "status"), [(59, 200), (61, 400)])
def test_a_reset_link_lives_an_hour(client, make, smtp_server, minutes, status):
    make.employee(email="anna@kommun.se")
    link = _reset_link(client, smtp_server, "anna@kommun.se")
    db.session.execute(
        sa.update(PasswordReset).values(created_at=dates.now() - timedelta(minutes=minutes))
    )
    db.session.commit()
    assert client.get(link).status_code == status


def test_asking_again_replaces_the_earlier_link(client, make, smtp_server):
    make.employee(email="anna@kommun.se")
    first = _reset_link(client, smtp_server, "anna@kommun.se")
    second = _reset_link(client, smtp_server, "anna@kommun.se")
    assert first != second
    assert client.get(first).status_code == 400
    assert "har ersatts av en nyare länk" in client.get(first).get_data(as_text=True)
    assert _choose(client, second).status_code == 302
    assert client.get(second).status_code == 400


def test_a_reset_link_is_not_an_invitation_and_an_invitation_still_lives_14_days(
    client, make, smtp_server
):
    make.employee(email="anna@kommun.se")
    link = _reset_link(client, smtp_server, "anna@kommun.se")
    token = link.rsplit("/", 1)[1]
    assert client.get(f"/konto/inbjudan/{token}").status_code == 400
    assert client.get("/konto/nytt-losenord/" + "x" * 43).status_code == 400


def test_a_deactivated_account_gets_no_link(client, make, smtp_server):
    make.employee(email="slutat@kommun.se", active=False)
    _ask(client, "slutat@kommun.se")
    assert _mails(smtp_server) == []


def test_hr_sends_a_new_invitation(client, auth, make, smtp_server):
    make.employee(email="hr@kommun.se", is_hr=True)
    person = make.employee(email="ny@kommun.se", password=None)
    auth.login("hr@kommun.se")
    page = client.get(f"/admin/personal/{person.id}").get_data(as_text=True)
    token = re.search(r'name="invite-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        f"/admin/personal/{person.id}/inbjudan", data={"invite-csrf_token": token}
    )
    assert response.status_code == 302
    mails = _mails(smtp_server)
    assert len(mails) == 1
    assert "i 14 dagar" in mails[0]
    assert "ny@kommun.se" in smtp_server.messages[0].rcpt_tos
    assert db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "account.invitation_resent")
    )


@pytest.mark.parametrize("server", ["refuses", "down"])
def test_hr_is_told_when_an_invitation_does_not_go(client, auth, make, smtp_server, server):
    make.employee(email="hr@kommun.se", is_hr=True)
    person = make.employee(email="ny@kommun.se", password=None)
    if server == "refuses":
        smtp_server.refuse["ny@kommun.se"] = "550 5.1.1 User unknown"
    else:
        smtp_server.stop()
    auth.login("hr@kommun.se")
    page = client.get(f"/admin/personal/{person.id}").get_data(as_text=True)
    token = re.search(r'name="invite-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        f"/admin/personal/{person.id}/inbjudan",
        data={"invite-csrf_token": token},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "E-postservern tog inte emot brevet till ny@kommun.se" in response.get_data(as_text=True)
