"""Forgotten passwords and lost invitations: a single-use link by e-mail, nothing told about
whether an account exists."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent
from tests.conftest import AuthActions, csrf_from

LINK = re.compile(r"http\S*/konto/inbjudan/(\S+)")


def _mails(smtp_server):
    return [m.content.decode("utf-8", "replace") for m in smtp_server.messages]


def _ask(client, email):
    token = csrf_from(client.get("/konto/glomt-losenord").get_data(as_text=True))
    return client.post(
        "/konto/glomt-losenord", data={"email": email, "csrf_token": token}, follow_redirects=True
    )


def _link(body: str) -> str:
    unfolded = body.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
    return "/konto/inbjudan/" + LINK.search(unfolded).group(1)


def test_a_forgotten_password_is_replaced_through_a_single_use_link(app, client, make, smtp_server):
    person = make.employee(email="anna@kommun.se")
    unknown = _ask(client, "ingen@kommun.se").get_data(as_text=True)
    known = _ask(client, "Anna@Kommun.se").get_data(as_text=True)
    message = "Om adressen hör till ett konto i Värna har vi skickat en länk"
    assert message in unknown
    assert message in known
    mails = _mails(smtp_server)
    assert len(mails) == 1  # only the real account got mail
    link = _link(mails[0])

    page = client.get(link)
    assert page.status_code == 200
    token = csrf_from(page.get_data(as_text=True))
    done = client.post(
        link,
        data={
            "new_password": "en helt ny lösenfras",
            "confirm": "en helt ny lösenfras",
            "csrf_token": token,
        },
    )
    assert done.status_code == 302
    assert (
        AuthActions(app.test_client()).login("anna@kommun.se", "en helt ny lösenfras").status_code
        == 302
    )
    assert client.get(link).status_code == 400  # used once: no more
    assert db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "account.password_reset_requested",
            AuditEvent.target_id == str(person.id),
        )
    )


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
    assert "ny@kommun.se" in smtp_server.messages[0].rcpt_tos
    assert db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "account.invitation_resent")
    )
