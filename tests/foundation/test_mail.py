"""Mail goes through a real SMTP server on localhost (aiosmtpd), or to the log."""

from __future__ import annotations

import logging

from app import mail


def test_mail_is_delivered_over_smtp(app_ctx, smtp_server):
    sent = mail.send([mail.Email(to="anna@kommun.se", subject="Hej", body="Välkommen till Värna")])
    assert sent == 1
    assert len(smtp_server.messages) == 1
    envelope = smtp_server.messages[0]
    assert envelope.rcpt_tos == ["anna@kommun.se"]
    assert "Välkommen till Värna" in envelope.content.decode("utf-8", "replace") or (
        "V=C3=A4lkommen" in envelope.content.decode()
    )


def test_without_a_mail_server_mail_goes_to_the_log(app_ctx, caplog):
    with caplog.at_level(logging.INFO, logger="app.mail"):
        mail.send([mail.Email(to="anna@kommun.se", subject="Hej", body="Inbjudan")])
    assert "anna@kommun.se" in caplog.text
    assert "Inbjudan" in caplog.text
