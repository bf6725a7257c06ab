"""Sending e-mail: SMTP through Flask-Mail, or the log when MAIL_SERVER is not set."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app
from flask_mail import Message

from app.extensions import mail

log = logging.getLogger("app.mail")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str
    attachments: tuple[Attachment, ...] = ()


def send(messages: list[Email]) -> int:
    """Send every message over one SMTP connection; return how many were sent.

    Without MAIL_SERVER the messages are written to the log instead (development).
    """
    if not messages:
        return 0
    if not current_app.config.get("MAIL_SERVER"):
        for m in messages:
            log.info("e-post (ingen MAIL_SERVER) till %s: %s\n%s", m.to, m.subject, m.body)
            for a in m.attachments:
                log.info("  bilaga %s (%s, %d byte)", a.filename, a.content_type, len(a.data))
        return len(messages)
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    with mail.connect() as conn:
        for m in messages:
            message = Message(subject=m.subject, recipients=[m.to], body=m.body, sender=sender)
            for a in m.attachments:
                message.attach(a.filename, a.content_type, a.data)
            conn.send(message)
    return len(messages)
