"""Sending e-mail: SMTP via the MAIL_* settings, or the log when MAIL_SERVER is not set.

Two ways in:

- `send(messages)` sends at once, one recipient at a time: a refused address is
  logged and skipped, a server that cannot be reached is logged and the rest is
  not sent. It returns how many the server accepted; it never raises for SMTP.
- `enqueue(...)` records a message in the outbox (OutgoingMail) in the caller's
  transaction; `deliver_queued(...)` sends what is queued, committing each
  message's fate as it goes. A rerun continues where a run stopped, a message the
  server accepted is never sent again, a refused address (5xx) is kept for HR
  and not retried, a server that is down leaves the rest queued for the next run.

Every message has a plain-text and an HTML part, `Auto-Submitted: auto-generated`
(RFC 3834: no out-of-office replies), a Message-ID in the municipality's domain
and a display name on From.
"""

from __future__ import annotations

import atexit
import html
import logging
import queue
import re
import smtplib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import Session

from app import dates
from app.extensions import db
from app.models import Employee, MailStatus, OutgoingMail

log = logging.getLogger("app.mail")

STALE_CLAIM = timedelta(hours=1)  # a delivery that died after claiming a message
KEEP_SENT = timedelta(days=90)  # how long the record of a sent message stays


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "application/pdf"
    data: bytes


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str  # plain text; the HTML part is made from it unless `html` is given
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()


# --- the message ------------------------------------------------------------------------


def message_id_domain() -> str:
    configured = current_app.config.get("MAIL_MESSAGE_ID_DOMAIN")
    if configured:
        return configured
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def new_message_id() -> str:
    return make_msgid(domain=message_id_domain())


def _sender() -> Address:
    name, addr = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    display = (
        current_app.config.get("MAIL_FROM_NAME")
        or name
        or f"Värna – {current_app.config['MUNICIPALITY_NAME']}"
    )
    return Address(display_name=display, addr_spec=addr)


_URL = re.compile(r"https?://[^\s<>\"]+")


def _inline(text: str) -> str:
    """Escape a line and make its links clickable."""
    out, last = [], 0
    for m in _URL.finditer(text):
        out.append(html.escape(text[last : m.start()]))
        url = html.escape(m.group(0))
        out.append(f'<a href="{url}">{url}</a>')
        last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def text_to_html(text: str, *, title: str) -> str:
    """The HTML part of a plain-text message: paragraphs, lists of "- " lines, links."""
    blocks = []
    for para in re.split(r"\n\s*\n", text.strip()):
        lines = para.split("\n")
        if all(line.startswith(("- ", "  ")) for line in lines) and lines[0].startswith("- "):
            items: list[list[str]] = []
            for line in lines:
                if line.startswith("- "):
                    items.append([line[2:]])
                else:
                    items[-1].append(line.strip())
            lis = "".join(
                "<li>" + "<br>".join(_inline(p) for p in item) + "</li>" for item in items
            )
            blocks.append(f"<ul>{lis}</ul>")
        else:
            blocks.append("<p>" + "<br>\n".join(_inline(line) for line in lines) + "</p>")
    body = "\n".join(blocks)
    return (
        '<!DOCTYPE html>\n<html lang="sv">\n<head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def build(email: Email, *, message_id: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = _sender()
    msg["To"] = email.to
    msg["Subject"] = email.subject
    msg["Date"] = format_datetime(dates.now())
    msg["Message-ID"] = message_id or new_message_id()
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(email.body)
    msg.add_alternative(email.html or text_to_html(email.body, title=email.subject), subtype="html")
    for a in email.attachments:
        maintype, _, subtype = a.content_type.partition("/")
        msg.add_attachment(a.data, maintype=maintype, subtype=subtype, filename=a.filename)
    return msg


# --- one SMTP connection, one recipient at a time ---------------------------------------


class ServerUnavailable(Exception):
    """The mail server cannot be reached or went away: stop, try the rest later."""


@dataclass(frozen=True)
class Refused:
    code: int
    reason: str
    of_message: bool = False  # the message was refused (DATA), not the address (RCPT)

    @property
    def permanent(self) -> bool:
        return self.code >= 500

    def __str__(self) -> str:
        return f"{self.code} {self.reason}"[:500]


class _Connection:
    """Opens on first use; `send` returns None when accepted, a Refused when not."""

    def __init__(self) -> None:
        self.smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        ext = current_app.extensions["mail"]
        timeout = current_app.config.get("MAIL_TIMEOUT", 30)
        try:
            cls = smtplib.SMTP_SSL if ext.use_ssl else smtplib.SMTP
            smtp = cls(ext.server, ext.port, timeout=timeout)
            if ext.use_tls:
                smtp.starttls()
            if ext.username and ext.password:
                smtp.login(ext.username, ext.password)
        except (OSError, smtplib.SMTPException) as exc:
            raise ServerUnavailable(str(exc) or type(exc).__name__) from exc
        return smtp

    def send(self, msg: EmailMessage, to: str) -> Refused | None:
        if self.smtp is None:
            self.smtp = self._open()
        envelope_from = _sender().addr_spec
        try:
            self.smtp.send_message(msg, from_addr=envelope_from, to_addrs=[to])
        except smtplib.SMTPRecipientsRefused as exc:
            code, reason = next(iter(exc.recipients.values()))
            refused = Refused(code, _text(reason))
        except smtplib.SMTPDataError as exc:
            refused = Refused(exc.smtp_code, _text(exc.smtp_error), of_message=True)
        except smtplib.SMTPSenderRefused as exc:
            # Our own address refused: a matter of configuration, not of this recipient.
            self.close()
            raise ServerUnavailable(
                f"avsändaren avvisades: {exc.smtp_code} {_text(exc.smtp_error)}"
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:  # disconnected, timed out, …
            self.close()
            raise ServerUnavailable(str(exc) or type(exc).__name__) from exc
        else:
            return None
        if refused.code == 421:  # "service not available, closing channel"
            self.close()
            raise ServerUnavailable(str(refused))
        self._reset()
        return refused

    def _reset(self) -> None:
        """After a refusal the transaction is aborted; start clean for the next message."""
        try:
            self.smtp.rset()
        except (OSError, smtplib.SMTPException):
            self.close()

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None


def _domain(address: str) -> str:
    """What the log says about an address: its domain (the log holds no personal data)."""
    return address.rpartition("@")[2] or "?"


def _text(reason: bytes | str) -> str:
    return reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)


def _to_log(msg: EmailMessage, email_to: str) -> None:
    body = msg.get_body(("plain",))
    log.info(
        "e-post (ingen MAIL_SERVER) till %s: %s\n%s",
        email_to,
        msg["Subject"],
        body.get_content() if body else "",
    )


@dataclass(frozen=True)
class Sent:
    accepted: int
    refused: list[tuple[str, str]]  # (address, the server's answer)
    unavailable: str | None = None  # why the rest was not sent, if the server was down


def send_each(messages: Sequence[Email]) -> Sent:
    """Send each message on its own over one SMTP connection; say what happened to each.

    A refused address is logged and skipped; a server that cannot be reached is
    logged and the rest is not sent. Nothing is recorded: use the outbox
    (`enqueue` + `deliver_queued`) when a rerun must not send twice.
    """
    if not current_app.config.get("MAIL_SERVER"):
        for m in messages:
            _to_log(build(m), m.to)
        return Sent(accepted=len(messages), refused=[])
    accepted = 0
    refused: list[tuple[str, str]] = []
    conn = _Connection()
    try:
        for m in messages:
            answer = conn.send(build(m), m.to)
            if answer is None:
                accepted += 1
            else:
                refused.append((m.to, str(answer)))
                log.warning("e-post till en adress på %s avvisades: %s", _domain(m.to), answer)
    except ServerUnavailable as exc:
        log.error(
            "e-postservern svarar inte (%s): %d av %d meddelanden skickades inte",
            exc,
            len(messages) - accepted - len(refused),
            len(messages),
        )
        return Sent(accepted=accepted, refused=refused, unavailable=str(exc))
    finally:
        conn.close()
    return Sent(accepted=accepted, refused=refused)


def send(messages: list[Email]) -> int:
    """Send each message on its own; how many the server accepted (see `send_each`).

    Never raises for SMTP: a refused address or a server that is down is logged.
    """
    return send_each(messages).accepted if messages else 0


# --- the outbox -------------------------------------------------------------------------


def enqueue(
    session: Session, email: Email, *, kind: str, employee_id: int | None = None
) -> OutgoingMail:
    """Record a message to be sent by `deliver_queued`; the caller commits."""
    row = OutgoingMail(
        kind=kind,
        employee_id=employee_id,
        to_addr=email.to,
        subject=email.subject,
        body_text=email.body,
        body_html=email.html,
        message_id=new_message_id(),
        status=MailStatus.QUEUED.value,
        attempts=0,
    )
    session.add(row)
    return row


@dataclass(frozen=True)
class Delivery:
    sent: int
    refused: int
    left: int  # still queued: the server was down or answered "try later"
    unavailable: str | None = None  # why the server could not be used, if it could not


def deliver_queued(
    session: Session,
    *,
    commit: Callable[[], None],
    ids: Sequence[int] | None = None,
) -> Delivery:
    """Send queued messages (these ids, or all), oldest first, committing each outcome.

    Records of messages sent more than KEEP_SENT ago go first.

    A message is claimed (queued → sending, committed) before it is sent, so two
    deliveries running at once never send the same one; it is marked sent, refused,
    or back to queued right after the server's answer.
    """
    _release_stale_claims(session)
    session.execute(
        sa.delete(OutgoingMail)
        .where(
            OutgoingMail.status == MailStatus.SENT.value,
            OutgoingMail.sent_at < dates.now() - KEEP_SENT,
        )
        .execution_options(synchronize_session=False)
    )
    commit()
    stmt = (
        sa.select(OutgoingMail.id)
        .where(OutgoingMail.status == MailStatus.QUEUED.value)
        .order_by(OutgoingMail.id)
    )
    if ids is not None:
        stmt = stmt.where(OutgoingMail.id.in_(list(ids)))
    todo = list(session.scalars(stmt))
    sent = refused = 0
    unavailable: str | None = None
    to_log = not current_app.config.get("MAIL_SERVER")
    conn = _Connection()
    try:
        for mail_id in todo:
            if not _claim(session, mail_id):
                continue  # another delivery has it
            commit()
            row = session.get(OutgoingMail, mail_id)
            msg = build(
                Email(
                    to=row.to_addr,
                    subject=row.subject,
                    body=row.body_text or "",
                    html=row.body_html,
                ),
                message_id=row.message_id,
            )
            try:
                if to_log:
                    _to_log(msg, row.to_addr)
                    outcome = None
                else:
                    outcome = conn.send(msg, row.to_addr)
            except ServerUnavailable as exc:
                unavailable = str(exc)
                _mark(row, MailStatus.QUEUED, error=f"server: {exc}")
                commit()
                log.error("e-postservern svarar inte (%s); resten skickas vid nästa körning", exc)
                break
            if outcome is None:
                _mark(row, MailStatus.SENT)
                sent += 1
            elif outcome.permanent:
                status = MailStatus.REJECTED if outcome.of_message else MailStatus.REFUSED
                _mark(row, status, error=str(outcome))
                refused += 1
                log.warning("e-post %s (person %s) avvisades: %s", row.id, row.employee_id, outcome)
            else:
                _mark(row, MailStatus.QUEUED, error=str(outcome))
                log.warning(
                    "e-post %s (person %s): försök igen senare (%s)",
                    row.id,
                    row.employee_id,
                    outcome,
                )
            commit()
    finally:
        conn.close()
    left_stmt = sa.select(sa.func.count()).where(OutgoingMail.status == MailStatus.QUEUED.value)
    if ids is not None:
        left_stmt = left_stmt.where(OutgoingMail.id.in_(list(ids)))
    left = session.scalar(left_stmt) or 0
    return Delivery(sent=sent, refused=refused, left=left, unavailable=unavailable)


def _claim(session: Session, mail_id: int) -> bool:
    result = session.execute(
        sa.update(OutgoingMail)
        .where(OutgoingMail.id == mail_id, OutgoingMail.status == MailStatus.QUEUED.value)
        .values(
            status=MailStatus.SENDING.value,
            claimed_at=dates.now(),
            attempts=OutgoingMail.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _mark(row: OutgoingMail, status: MailStatus, *, error: str | None = None) -> None:
    row.status = status.value
    row.error = error[:500] if error else None
    if status is MailStatus.SENT:
        row.sent_at = dates.now()
    if status is not MailStatus.QUEUED:
        # sent or refused for good: the record stays, the contents (a link, names) go
        row.body_text = row.body_html = None


def _release_stale_claims(session: Session) -> None:
    """A delivery that died between claiming and the server's answer: try once more."""
    session.execute(
        sa.update(OutgoingMail)
        .where(
            OutgoingMail.status == MailStatus.SENDING.value,
            OutgoingMail.claimed_at < dates.now() - STALE_CLAIM,
        )
        .values(status=MailStatus.QUEUED.value)
        .execution_options(synchronize_session=False)
    )


def refused_addresses(employee_ids: Sequence[int] | None = None) -> sa.Select:
    """The latest refusal per person whose current address was refused (for HR)."""
    stmt = (
        sa.select(
            Employee.id,
            Employee.first_name,
            Employee.last_name,
            OutgoingMail.to_addr,
            sa.func.max(OutgoingMail.created_at).label("refused_at"),
            sa.func.max(OutgoingMail.error).label("error"),
        )
        .join(OutgoingMail, OutgoingMail.employee_id == Employee.id)
        .where(
            OutgoingMail.status == MailStatus.REFUSED.value,
            OutgoingMail.to_addr == Employee.email,
            Employee.active.is_(True),
        )
        .group_by(Employee.id, Employee.first_name, Employee.last_name, OutgoingMail.to_addr)
        .order_by(Employee.last_name, Employee.first_name, Employee.id)
    )
    if employee_ids is not None:
        stmt = stmt.where(Employee.id.in_(list(employee_ids)))
    return stmt


def address_refused(email_column: Any) -> sa.ColumnElement[bool]:
    """True where this address has been refused for good: such an address is not retried."""
    return sa.exists().where(
        OutgoingMail.to_addr == email_column, OutgoingMail.status == MailStatus.REFUSED.value
    )


def forget(session: Session, employee_ids: Sequence[int]) -> None:
    """Gallring: a person's mail records go with their other personal data."""
    session.execute(sa.delete(OutgoingMail).where(OutgoingMail.employee_id.in_(list(employee_ids))))


def refused_since(since: datetime) -> sa.Select:
    """Messages refused for good by a delivery that started at `since` or later."""
    return (
        sa.select(OutgoingMail.to_addr, OutgoingMail.error)
        .where(
            OutgoingMail.status == MailStatus.REFUSED.value,
            OutgoingMail.claimed_at >= since,
        )
        .order_by(OutgoingMail.id)
    )


# --- after the response -----------------------------------------------------------------


class Background:
    """One worker thread per process that runs jobs outside the request, in order.

    A request only puts a job on the queue, so its answer and its time do not
    depend on what the job finds (the password-reset form). `wait()` lets a test
    or a shutdown wait until the queue is empty.
    """

    def __init__(self) -> None:
        self._jobs: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, app: Flask, job: Callable[..., None], *args: Any) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="varna-mail", daemon=True)
                self._thread.start()
        self._jobs.put((app, job, args))

    def _run(self) -> None:
        while True:
            app, job, args = self._jobs.get()
            try:
                with app.app_context():
                    try:
                        job(*args)
                    except Exception:
                        log.exception("bakgrundsjobb för e-post misslyckades")
                        db.session.rollback()
                    finally:
                        db.session.remove()
            finally:
                self._jobs.task_done()

    def wait(self, timeout: float = 60) -> bool:
        """Until every job submitted so far has run (False if `timeout` passed first)."""
        with self._jobs.all_tasks_done:
            return self._jobs.all_tasks_done.wait_for(
                lambda: self._jobs.unfinished_tasks == 0, timeout
            )


background = Background()
# A worker that exits normally (gunicorn recycling it) first sends what it was asked to.
atexit.register(background.wait, 10)
