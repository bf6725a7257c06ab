"""Outgoing e-mail, one row per message and recipient, and password-reset links."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class MailStatus(StrEnum):
    QUEUED = "queued"  # waiting for the next delivery (also after a server was down)
    SENDING = "sending"  # claimed by one delivery; never claimed by another
    SENT = "sent"  # the server answered 250: never sent again
    REFUSED = "refused"  # a permanent refusal (5xx) of the address: shown to HR, not retried
    REJECTED = "rejected"  # a permanent refusal of this message (after DATA): not retried


class OutgoingMail(db.Model):
    """One e-mail to one address: recorded before it is sent, so a rerun continues.

    The body is kept only until the message is sent (data minimisation); the row
    stays as the record of what went where, and a refusal stays for HR to see.
    """

    __tablename__ = "outgoing_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32))  # reminder, digest, password_reset, …
    employee_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employees.id", ondelete="CASCADE"), index=True
    )
    to_addr: Mapped[str] = mapped_column(sa.String(320))
    subject: Mapped[str] = mapped_column(sa.String(255))
    body_text: Mapped[str | None] = mapped_column(sa.Text)
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    message_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    status: Mapped[str] = mapped_column(sa.String(16), default=MailStatus.QUEUED.value)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        sa.Index("ix_outgoing_mail_status", "status"),
        sa.Index("ix_outgoing_mail_to_addr_status", "to_addr", "status"),
    )


class PasswordReset(db.Model):
    """A link to choose a new password: stored as a hash, valid an hour, used once.

    Asking again replaces the earlier link (its row is deleted).
    """

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("employees.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
