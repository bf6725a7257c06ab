"""Mail goes through a real SMTP server on localhost (aiosmtpd), or to the log."""

from __future__ import annotations

import logging
import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink

from app import mail


class Collect(Sink):
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server(app):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    old = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    mail_ext = app.extensions["mail"]
    mail_ext.server, mail_ext.port = "127.0.0.1", port
    yield handler
    app.config.update(old)
    mail_ext.server, mail_ext.port = old["MAIL_SERVER"], old["MAIL_PORT"]
    controller.stop()


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
