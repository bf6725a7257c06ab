"""The status report by e-mail, once a month: HR names the recipients and the day.

`flask reports send-status` runs daily (cron); on the chosen day, or the first run after it
that month, it e-mails the status report PDF with a short summary to each recipient who has
not had this month's report yet. A row per month and recipient is written and committed
*before* the message goes out, so a rerun, or a second host, never sends twice; a failed
message gives its row back and is tried again by the next run.
"""

from __future__ import annotations

import logging
import re
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import mail
from app.auth.access import Disclosure
from app.models import Employee, Setting, StatusReportDelivery
from app.records import audit, save_setting
from app.reports import pdf, services

log = logging.getLogger(__name__)

SCHEDULE_KEY = "status_report_schedule"
LAST_DAY = 28  # every month has it
MAX_RECIPIENTS = 50
# The board's copy leaves Värna by e-mail, to readers without person-level rights: the
# report reader's figures (groups under 5 people masked), the same as that page shows.
DISCLOSURE = Disclosure.MASKED


class InvalidSchedule(ValueError):
    """Swedish messages per field ("recipients", "day"), each naming the field (and line)."""

    def __init__(self, problems: dict[str, list[str]]) -> None:
        super().__init__("; ".join(m for ms in problems.values() for m in ms))
        self.problems = problems


@dataclass(frozen=True)
class Schedule:
    recipients: tuple[str, ...] = ()
    day: int | None = None  # of the month; None: not sent

    @property
    def active(self) -> bool:
        return bool(self.recipients and self.day)


@dataclass
class Outcome:
    month: str
    sent: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # had this month's report before
    failed: list[tuple[str, str]] = field(default_factory=list)  # (address, why)


def get_schedule(session: Session) -> Schedule:
    setting = session.get(Setting, SCHEDULE_KEY)
    if setting is None or not isinstance(setting.value, dict):
        return Schedule()
    return Schedule(tuple(setting.value.get("recipients") or ()), setting.value.get("day"))


def parse_recipients(text: str) -> tuple[list[str], list[str]]:
    """Addresses one per line (or separated by comma or semicolon): (addresses, problems)."""
    addresses: list[str] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        for part in re.split(r"[,;]", line):
            part = part.strip()
            if not part:
                continue
            try:
                address = validate_email(part, check_deliverability=False).normalized
            except EmailNotValidError:
                problems.append(
                    _(
                        "Mottagare, rad %(line)s: ”%(text)s” är ingen e-postadress.",
                        line=number,
                        text=part,
                    )
                )
                continue
            if address.lower() not in (a.lower() for a in addresses):
                addresses.append(address)
    if len(addresses) > MAX_RECIPIENTS:
        problems.append(_("Mottagare: högst %(n)s adresser.", n=MAX_RECIPIENTS))
    return addresses, problems


def set_schedule(
    session: Session, *, recipients: str, day: str | int | None, actor: Employee | None
) -> Schedule:
    """Validate and save HR's choice (audited). No addresses and no day stop the mailing."""
    addresses, problems = parse_recipients(recipients or "")
    found: dict[str, list[str]] = {"recipients": problems, "day": []}
    number = _day_number(day, found["day"])
    if addresses and number is None and not found["day"]:
        found["day"].append(_("Dag i månaden: ange vilken dag rapporten ska skickas."))
    if number is not None and not addresses and not problems:
        found["recipients"].append(
            _("Mottagare: ange minst en e-postadress, eller töm dagen för att sluta skicka.")
        )
    found = {k: v for k, v in found.items() if v}
    if found:
        raise InvalidSchedule(found)
    before = get_schedule(session)
    after = Schedule(tuple(addresses), number)
    value = {"recipients": list(after.recipients), "day": after.day}
    save_setting(
        session,
        SCHEDULE_KEY,
        value,
        actor=actor,
        action="settings.status_report_schedule",
        before={"recipients": list(before.recipients), "day": before.day},
    )
    log.info(
        "utskick av lägesrapporten ändrat av %s: dag %s, %d mottagare",
        actor,
        number,
        len(addresses),
    )
    return after


def _day_number(day: str | int | None, problems: list[str]) -> int | None:
    text = str(day).strip() if day is not None else ""
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= LAST_DAY:
        problems.append(
            _(
                "Dag i månaden: ”%(text)s” går inte; ange en dag från 1 till %(last)s "
                "(den finns i varje månad).",
                text=text,
                last=LAST_DAY,
            )
        )
        return None
    return int(text)


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def is_due(schedule: Schedule, on: date) -> bool:
    """On the chosen day, or later in the month (a day the job did not run is caught up)."""
    return schedule.active and schedule.day is not None and on.day >= schedule.day


class NotDelivered(Exception):
    """The mail server refused the address or could not be reached."""


def deliver(message: mail.Email) -> None:
    """The one place the status report is handed to app/mail.py."""
    outcome = mail.send_each([message])
    if outcome.refused:
        raise NotDelivered(outcome.refused[0][1])
    if outcome.unavailable:
        raise NotDelivered(outcome.unavailable)


def send_status_report(
    session: Session,
    *,
    on: date,
    municipality: str,
    page_url: str,
    commit: Callable[[], None],
    send: Callable[[mail.Email], None] = deliver,
) -> Outcome:
    """E-mail this month's report to each recipient who has not had it (see the module)."""
    schedule = get_schedule(session)
    outcome = Outcome(month_of(on))
    if not is_due(schedule, on):
        return outcome
    done = set(
        session.scalars(
            sa.select(StatusReportDelivery.recipient).where(
                StatusReportDelivery.month == outcome.month
            )
        )
    )
    waiting = [r for r in schedule.recipients if r not in done]
    outcome.already = [r for r in schedule.recipients if r in done]
    if not waiting:
        return outcome
    message = _message(session, on=on, municipality=municipality, page_url=page_url)
    for recipient in waiting:
        row = StatusReportDelivery(month=outcome.month, recipient=recipient, report_on=on)
        session.add(row)
        try:
            commit()  # claimed: a run at the same time finds the row and skips this address
        except IntegrityError:
            session.rollback()
            outcome.already.append(recipient)
            continue
        try:
            send(
                mail.Email(
                    recipient, message.subject, message.body, attachments=message.attachments
                )
            )
        except (NotDelivered, smtplib.SMTPException, OSError) as error:
            log.warning("lägesrapporten kunde inte skickas till %s: %s", recipient, error)
            session.delete(row)
            commit()
            outcome.failed.append((recipient, str(error) or type(error).__name__))
            continue
        outcome.sent.append(recipient)
    audit(
        session,
        None,
        "reports.status_report_sent",
        "status_report",
        outcome.month,
        {
            "on": on.isoformat(),
            "sent": outcome.sent,
            "failed": [address for address, _why in outcome.failed],
        },
    )
    commit()
    return outcome


def _message(session: Session, *, on: date, municipality: str, page_url: str) -> mail.Email:
    """The same StatusReport as the page (services.status_report), in Swedish: the PDF and a
    summary of its first section."""
    with force_locale("sv"):
        report = services.status_report(
            session,
            on=on,
            rest_label=_("Direkt under kommunen"),
            disclosure=DISCLOSURE,
            effect=True,  # the board's report says what the training gave (always masked)
        )
        body = pdf.status_report_pdf(report, municipality=municipality)
        day = on.isoformat()
        lines = [
            _("Hej!"),
            "",
            _(
                "Här är lägesrapporten om utbildningen i att förebygga mäns våld mot kvinnor, "
                "%(municipality)s, med siffror per %(day)s. Rapporten finns som PDF i bilagan.",
                municipality=municipality,
                day=day,
            ),
            "",
            report.sections[0].heading if report.sections else "",
            *(f"– {_shown(value)} {text}" for value, text in report.sections[0].facts),
            "",
            _("Samma rapport, med dagens siffror: %(url)s", url=page_url),
            "",
            _("Meddelandet skickas av Värna en gång i månaden. HR bestämmer mottagarna."),
        ]
        subject = _("Lägesrapport %(day)s – %(municipality)s", day=day, municipality=municipality)
    attachment = mail.Attachment(f"varna-lagesrapport-{day}.pdf", "application/pdf", body)
    return mail.Email("", subject, "\n".join(lines), attachments=(attachment,))


def _shown(value: services.Shown) -> str:
    if isinstance(value, services.Figure):
        return f"{value.text} ({value.detail})" if value.detail else value.text
    return str(value)
