"""Sign-in letters: a way in for staff without an e-mail address or directory account.

A manager (for people in their subtree, access.can_print_letter) or HR prints a letter
per person: one A4 page with a single-use code, a QR code to the sign-in page and how to
get help. The person types the code (or scans the QR code) at /logga-in/kod, chooses a
password and is logged in; afterwards they log in with their employee number.

The code is 16 characters of Crockford's base32 (80 random bits), shown in groups of
four. Only the sha256 of the normalised code is stored; it is valid SIGN_IN_LETTER_DAYS
(30) days, used once, revocable, and printing a new letter for a person revokes their
earlier unused ones. Every print, revocation, use and refused code is an audit event.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode, urlsplit

import segno
import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from sqlalchemy.orm import Session, selectinload

from app import dates, mail, pdf
from app.mail import Email
from app.models import Employee, OrgUnit, SignInLetter
from app.records import CODE_ALPHABET, CODE_LENGTH, audit

DEFAULT_DAYS = 30
GROUP = 4
# Crockford's base32 reads the letters that look like digits as those digits.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


class LetterRefused(ValueError):
    """The code is no letter that can be used now (wrong, expired, used, revoked)."""


def letter_days() -> int:
    return int(current_app.config.get("SIGN_IN_LETTER_DAYS", DEFAULT_DAYS))


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """K7QM3XTA… -> "K7QM-3XTA-…": easier to read and type."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalise_code(typed: str) -> str | None:
    """What the person typed, as the code it means: case, spaces and dashes do not matter,
    and O, I and L are read as 0, 1 and 1. None for what cannot be a code."""
    raw = "".join(ch for ch in typed[:100] if ch not in " -\u2010\u2011\u2012\u2013\t")
    raw = raw.upper().translate(_READ_AS)
    if len(raw) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in raw):
        return None
    return raw


def digest(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def sign_in_url(code: str | None = None) -> str:
    """BASE_URL/logga-in/kod, with the code as ?kod= for the QR code; never from a request's
    Host header."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc or "localhost", script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    url = adapter.build("auth.letter_code", {}, force_external=True)
    return f"{url}?{urlencode({'kod': format_code(code)})}" if code else url


def qr_svg(url: str) -> str:
    """The QR code of `url` as an SVG data URI for an <img> in the letter's HTML (so the PDF
    tags it as a figure with its alt text): black on white, a quiet zone of four modules,
    error correction M (a letter may be folded or smudged)."""
    return segno.make_qr(url, error="m").svg_data_uri(scale=4, border=4, dark="#000", light="#fff")


def expiry(printed_on: date) -> datetime:
    """The end of the Stockholm day SIGN_IN_LETTER_DAYS after printing: the letter says
    "till och med" that day, and means all of it."""
    last_day = printed_on + timedelta(days=letter_days())
    return datetime.combine(last_day + timedelta(days=1), time.min, dates.STOCKHOLM).astimezone(UTC)


# --- printing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrintedLetter:
    """What one page says; the code exists only here, for the PDF, never stored."""

    employee: Employee
    code: str
    expires_on: date
    url: str
    qr: str  # the QR code's SVG, as a data: URI

    @property
    def shown_code(self) -> str:
        return format_code(self.code)


def issue(
    session: Session, *, employees: Sequence[Employee], actor: Employee
) -> list[PrintedLetter]:
    """A new letter for each person (their earlier unused letters revoked); one audit event
    naming the people, never the codes. The caller has checked access for every person."""
    moment = dates.now()
    expires_at = expiry(dates.today())
    ids = [e.id for e in employees]
    replaced = session.execute(
        sa.update(SignInLetter)
        .where(
            SignInLetter.employee_id.in_(ids),
            SignInLetter.used_at.is_(None),
            SignInLetter.revoked_at.is_(None),
        )
        .values(revoked_at=moment, revoked_by_id=actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    printed = []
    for employee in employees:
        code = new_code()
        session.add(
            SignInLetter(
                employee_id=employee.id,
                code_digest=digest(code),
                created_by_id=actor.id,
                created_at=moment,
                expires_at=expires_at,
            )
        )
        printed.append(
            PrintedLetter(
                employee=employee,
                code=code,
                expires_on=dates.local_day(expires_at - timedelta(seconds=1)),  # last_day
                url=sign_in_url(code),
                qr=qr_svg(sign_in_url(code)),
            )
        )
    details = {"employees": ids, "replaced": replaced or 0}
    details["expires_on"] = (dates.today() + timedelta(days=letter_days())).isoformat()
    audit(session, actor, "letters.print", None, None, details)
    session.flush()
    return printed


def letters_pdf(printed: Sequence[PrintedLetter], *, municipality: str) -> bytes:
    """One A4 page per person (tagged PDF/UA through app/pdf.py), in Swedish whatever the
    printer's interface language: the letter is for the person, its lang is "sv"."""
    with force_locale("sv"):
        return pdf.render(
            "auth/letter_pdf.html",
            lang="sv",
            letters=printed,
            municipality=municipality,
            address=sign_in_url(),
            login_address=sign_in_url().rsplit("/", 1)[0],
            author=municipality,
        )


# --- what the unit page shows, and revoking ----------------------------------------------------


def valid_letter_filter(moment: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        SignInLetter.used_at.is_(None),
        SignInLetter.revoked_at.is_(None),
        SignInLetter.expires_at > moment,
    )


def valid_letters(session: Session, unit_paths: Iterable[str] | None) -> list[SignInLetter]:
    """Unused, unexpired, unrevoked letters of active people in these subtrees (None: all)."""
    stmt = (
        sa.select(SignInLetter)
        .join(Employee, Employee.id == SignInLetter.employee_id)
        .join(OrgUnit, OrgUnit.id == Employee.unit_id)
        .options(selectinload(SignInLetter.employee).selectinload(Employee.unit))
        .where(valid_letter_filter(dates.now()), Employee.active.is_(True))
        .order_by(Employee.last_name, Employee.first_name, Employee.id)
    )
    if unit_paths is not None:
        paths = list(unit_paths)
        if not paths:
            return []
        stmt = stmt.where(sa.or_(*(OrgUnit.path.startswith(p) for p in paths)))
    return list(session.scalars(stmt))


def valid_letter_of(session: Session, employee: Employee) -> SignInLetter | None:
    """The person's letter that still works, if any (there is at most one)."""
    return session.scalar(
        sa.select(SignInLetter)
        .where(SignInLetter.employee_id == employee.id, valid_letter_filter(dates.now()))
        .order_by(SignInLetter.id.desc())
        .limit(1)
    )


def find(session: Session, letter_id: int) -> SignInLetter | None:
    return session.get(SignInLetter, letter_id)


def revoke(session: Session, *, letter: SignInLetter, actor: Employee) -> bool:
    """Revoke an unused letter; audited. False when it was no longer usable anyway."""
    if letter.used_at is not None or letter.revoked_at is not None:
        return False
    letter.revoked_at = dates.now()
    letter.revoked_by_id = actor.id
    audit(session, actor, "letters.revoke", "employee", letter.employee_id, {"letter": letter.id})
    session.flush()
    return True


# --- the person's side -------------------------------------------------------------------------


def check(session: Session, typed: str) -> SignInLetter:
    """The usable letter this code belongs to; otherwise LetterRefused, after an audit event
    saying why (the person's id when the code was theirs), never the code typed."""
    code = normalise_code(typed)
    letter = (
        session.scalar(sa.select(SignInLetter).where(SignInLetter.code_digest == digest(code)))
        if code
        else None
    )
    reason = _unusable(session, letter)
    if letter is None or reason is not None:
        audit(
            session,
            None,
            "letters.refused",
            "employee" if letter is not None else None,
            letter.employee_id if letter is not None else None,
            {"reason": reason},
        )
        session.flush()
        raise LetterRefused(reason or "unknown")
    return letter


def usable(session: Session, letter_id: int | None) -> SignInLetter | None:
    """The letter a session was given after its code was checked, if it can still be used."""
    letter = session.get(SignInLetter, letter_id) if letter_id else None
    return letter if _unusable(session, letter) is None else None


def _unusable(session: Session, letter: SignInLetter | None) -> str | None:
    if letter is None:
        return "unknown"
    if letter.revoked_at is not None:
        return "revoked"
    if letter.used_at is not None:
        return "used"
    if letter.expires_at <= dates.now():
        return "expired"
    employee = session.get(Employee, letter.employee_id)
    if employee is None or not employee.active:
        return "inactive"
    return None


def use(session: Session, letter: SignInLetter) -> int | None:
    """The letter has let its person choose a password: it never works again; audited.

    A person who has an e-mail address is told that their password was chosen with a
    letter (someone else holding it would otherwise go unnoticed): the queued mail's id,
    for the caller to deliver after committing; None without an address.
    """
    letter.used_at = dates.now()
    audit(
        session,
        None,
        "letters.redeem",
        "employee",
        letter.employee_id,
        {"letter": letter.id},
        actor_id=letter.employee_id,
    )
    employee = session.get(Employee, letter.employee_id)
    mail_id = None
    if employee is not None and employee.email:
        municipality = current_app.config["MUNICIPALITY_NAME"]
        message = Email(
            to=employee.email,
            subject=f"Ditt lösenord i Värna är bytt – {municipality}",
            body=(
                f"Hej {employee.first_name}!\n\n"
                f"Ett nytt lösenord till ditt konto i Värna, {municipality}, valdes nyss med "
                "koden i ett inloggningsbrev. Från och med nu gäller bara det nya lösenordet.\n\n"
                "Var det inte du? Kontakta din chef eller HR genast.\n"
            ),
        )
        row = mail.enqueue(session, message, kind="letter_used", employee_id=employee.id)
        session.flush()
        mail_id = row.id
    session.flush()
    return mail_id
