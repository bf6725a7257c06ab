"""Mail goes through a real SMTP server on localhost (aiosmtpd), or to the log.

Each recipient on their own: a refused address is skipped and kept, a server that
goes away leaves the rest for the next run, nothing is sent twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from email import policy
from email.parser import BytesParser

import sqlalchemy as sa

from app import dates, mail
from app.extensions import db
from app.models import MailStatus, OutgoingMail


def _strict(envelope):
    return BytesParser(policy=policy.strict).parsebytes(envelope.content)


def test_mail_is_delivered_over_smtp(app_ctx, smtp_server):
    sent = mail.send([mail.Email(to="anna@kommun.se", subject="Hej", body="Välkommen till Värna")])
    assert sent == 1
    assert len(smtp_server.messages) == 1
    envelope = smtp_server.messages[0]
    assert envelope.rcpt_tos == ["anna@kommun.se"]
    msg = _strict(envelope)
    assert msg.get_body(("plain",)).get_content().strip() == "Välkommen till Värna"


def test_every_message_passes_the_strict_parser_with_both_parts_and_the_right_headers(
    app_ctx, smtp_server
):
    app_ctx.config.update(
        BASE_URL="https://varna.exempelby.se", MUNICIPALITY_NAME="Exempelby kommun"
    )
    body = (
        "Hej Åsa!\n\nDet här behöver du göra:\n\n"
        "- Grundkurs: Försenad <b>\n  https://varna.exempelby.se/kurser/grundkurs\n\nHälsningar"
    )
    mail.send([mail.Email(to="asa@kommun.se", subject="Påminnelse: utbildning", body=body)])
    msg = _strict(smtp_server.messages[0])  # raises on any defect
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Message-ID"].endswith("@varna.exempelby.se>")
    assert msg["From"].addresses[0].display_name == "Värna – Exempelby kommun"
    assert msg["From"].addresses[0].addr_spec == app_ctx.config["MAIL_DEFAULT_SENDER"]
    assert msg["Subject"] == "Påminnelse: utbildning"
    assert msg.get_content_type() == "multipart/alternative"
    assert "Försenad <b>" in msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Försenad &lt;b&gt;" in html  # text is escaped, never markup
    assert (
        '<a href="https://varna.exempelby.se/kurser/grundkurs">'
        "https://varna.exempelby.se/kurser/grundkurs</a>" in html
    )
    assert "<li>" in html


def test_a_setting_names_the_message_id_domain_and_the_sender(app_ctx, smtp_server):
    app_ctx.config.update(MAIL_MESSAGE_ID_DOMAIN="exempelby.se", MAIL_FROM_NAME="Värna, HR")
    try:
        mail.send([mail.Email(to="a@kommun.se", subject="Hej", body="Hej")])
    finally:
        app_ctx.config.update(MAIL_MESSAGE_ID_DOMAIN=None, MAIL_FROM_NAME=None)
    msg = _strict(smtp_server.messages[0])
    assert msg["Message-ID"].endswith("@exempelby.se>")
    assert msg["From"].addresses[0].display_name == "Värna, HR"


def test_send_skips_a_refused_address_and_delivers_the_rest(app_ctx, smtp_server, caplog):
    smtp_server.refuse["borta@kommun.se"] = "550 5.1.1 User unknown"
    people = ["a@kommun.se", "borta@kommun.se", "b@kommun.se"]
    with caplog.at_level(logging.WARNING, logger="app.mail"):
        sent = mail.send([mail.Email(to=p, subject="Hej", body="Hej") for p in people])
    assert sent == 2
    assert [m.rcpt_tos for m in smtp_server.messages] == [["a@kommun.se"], ["b@kommun.se"]]
    assert "adress på kommun.se avvisades: 550 5.1.1 User unknown" in caplog.text
    assert "borta" not in caplog.text  # the log holds no addresses


def test_without_a_mail_server_mail_goes_to_the_log(app_ctx, caplog):
    with caplog.at_level(logging.INFO, logger="app.mail"):
        mail.send([mail.Email(to="anna@kommun.se", subject="Hej", body="Inbjudan")])
    assert "anna@kommun.se" in caplog.text
    assert "Inbjudan" in caplog.text


def _queue(*addresses: str) -> list[int]:
    rows = [
        mail.enqueue(db.session, mail.Email(to=a, subject="Hej", body=f"Till {a}"), kind="test")
        for a in addresses
    ]
    db.session.commit()
    return [r.id for r in rows]


def _statuses() -> dict[str, str]:
    return dict(db.session.execute(sa.select(OutgoingMail.to_addr, OutgoingMail.status)).all())


def test_the_outbox_keeps_a_refused_address_and_sends_everyone_else_once(app_ctx, smtp_server):
    smtp_server.refuse["borta@kommun.se"] = "550 5.1.1 User unknown"
    _queue("a@kommun.se", "borta@kommun.se", "b@kommun.se")
    result = mail.deliver_queued(db.session, commit=db.session.commit)
    assert (result.sent, result.refused, result.left) == (2, 1, 0)
    assert [m.rcpt_tos[0] for m in smtp_server.messages] == ["a@kommun.se", "b@kommun.se"]
    assert _statuses() == {
        "a@kommun.se": MailStatus.SENT,
        "borta@kommun.se": MailStatus.REFUSED,
        "b@kommun.se": MailStatus.SENT,
    }
    refused = db.session.scalar(
        sa.select(OutgoingMail).where(OutgoingMail.to_addr.startswith("borta"))
    )
    assert refused.error == "550 5.1.1 User unknown"
    # A second run sends nothing again: not the sent ones, not the refused one.
    again = mail.deliver_queued(db.session, commit=db.session.commit)
    assert (again.sent, again.refused, again.left) == (0, 0, 0)
    assert len(smtp_server.messages) == 2


def test_a_temporary_refusal_stays_queued_for_the_next_run(app_ctx, smtp_server):
    smtp_server.refuse["full@kommun.se"] = "452 4.2.2 Mailbox full"
    _queue("full@kommun.se", "a@kommun.se")
    result = mail.deliver_queued(db.session, commit=db.session.commit)
    assert (result.sent, result.refused, result.left) == (1, 0, 1)
    del smtp_server.refuse["full@kommun.se"]
    assert mail.deliver_queued(db.session, commit=db.session.commit).sent == 1
    assert [m.rcpt_tos[0] for m in smtp_server.messages] == ["a@kommun.se", "full@kommun.se"]


def test_a_server_that_goes_away_mid_run_leaves_the_rest_for_the_next_run(app_ctx, smtp_server):
    people = [f"p{i}@kommun.se" for i in range(6)]
    _queue(*people)
    smtp_server.go_away_after(2)
    result = mail.deliver_queued(db.session, commit=db.session.commit)
    assert (result.sent, result.refused, result.left) == (2, 0, 4)
    assert result.unavailable
    smtp_server.wait_until_stopped()
    # Still down: nothing happens, nothing is lost.
    down = mail.deliver_queued(db.session, commit=db.session.commit)
    assert (down.sent, down.left) == (0, 4)
    # Back up: the rest, each once; the first two are not sent again.
    smtp_server.start()
    back = mail.deliver_queued(db.session, commit=db.session.commit)
    assert (back.sent, back.left) == (4, 0)
    assert [m.rcpt_tos[0] for m in smtp_server.messages] == people
    assert set(_statuses().values()) == {MailStatus.SENT}
    # What was sent keeps the record but not the contents.
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(OutgoingMail.body_text.is_not(None)))
        == 0
    )


def test_a_message_keeps_its_message_id_when_it_is_sent_on_a_later_run(app_ctx, smtp_server):
    [mail_id] = _queue("a@kommun.se")
    smtp_server.stop()
    mail.deliver_queued(db.session, commit=db.session.commit)
    smtp_server.start()
    mail.deliver_queued(db.session, commit=db.session.commit)
    row = db.session.get(OutgoingMail, mail_id)
    assert (row.status, row.attempts) == (MailStatus.SENT, 2)
    assert _strict(smtp_server.messages[0])["Message-ID"] == row.message_id


def test_a_message_claimed_by_another_delivery_is_not_sent(app_ctx, smtp_server):
    [mail_id] = _queue("a@kommun.se")
    db.session.execute(
        sa.update(OutgoingMail).where(OutgoingMail.id == mail_id).values(status="sending")
    )
    db.session.commit()
    assert mail.deliver_queued(db.session, commit=db.session.commit).sent == 0
    assert smtp_server.messages == []


def test_the_record_of_a_sent_message_goes_after_90_days_a_refusal_stays(app_ctx, smtp_server):
    smtp_server.refuse["borta@kommun.se"] = "550 5.1.1 User unknown"
    old_sent, old_refused = _queue("a@kommun.se", "borta@kommun.se")
    mail.deliver_queued(db.session, commit=db.session.commit)
    db.session.execute(
        sa.update(OutgoingMail).values(
            sent_at=dates.now() - timedelta(days=91), created_at=dates.now() - timedelta(days=91)
        )
    )
    db.session.commit()
    _queue("b@kommun.se")
    mail.deliver_queued(db.session, commit=db.session.commit)
    assert db.session.get(OutgoingMail, old_sent) is None
    assert db.session.get(OutgoingMail, old_refused).status == MailStatus.REFUSED
    assert set(_statuses()) == {"borta@kommun.se", "b@kommun.se"}


def test_a_refused_message_is_not_sent_again_but_its_address_is_not_given_up(app_ctx, smtp_server):
    smtp_server.reject_data["a@kommun.se"] = "554 5.7.1 Message rejected"
    [rejected] = _queue("a@kommun.se")
    result = mail.deliver_queued(db.session, commit=db.session.commit)
    assert (result.sent, result.refused, result.left) == (0, 1, 0)
    assert db.session.get(OutgoingMail, rejected).status == MailStatus.REJECTED
    assert not db.session.scalar(sa.select(mail.address_refused(sa.literal("a@kommun.se"))))
    del smtp_server.reject_data["a@kommun.se"]
    _queue("a@kommun.se")
    assert mail.deliver_queued(db.session, commit=db.session.commit).sent == 1


def test_a_refused_sender_stops_the_run_and_blames_no_recipient(app_ctx, smtp_server):
    smtp_server.refuse_sender = "553 5.7.1 Sender address rejected"
    _queue("a@kommun.se", "b@kommun.se")
    result = mail.deliver_queued(db.session, commit=db.session.commit)
    assert (result.sent, result.refused, result.left) == (0, 0, 2)
    assert "553" in result.unavailable
    assert set(_statuses().values()) == {MailStatus.QUEUED}
