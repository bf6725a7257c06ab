"""Links to choose a password: invitations for new accounts, resets for forgotten passwords.

Invitations: no table; the token is signed with SECRET_KEY and carries a
fingerprint of the account's password hash and session token. Setting the
password changes both, so a used link stops working; so does deactivation, and
age (INVITATION_DAYS, 14 days: an HR import's new staff may start weeks later).

Password resets are shorter-lived (ASVS 2.3.1, 2.5): a random token of which only
the hash is stored (PasswordReset), valid PASSWORD_RESET_MINUTES (an hour), used
once, and a new request replaces any earlier link. The mail goes through the
outbox and is sent after the response (see app/auth/routes.py).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from app import dates, mail
from app.mail import Email
from app.models import Employee, PasswordReset
from app.records import audit

SALT = "varna.invitation"
DEFAULT_DAYS = 14
SEND_CHUNK = 500


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def max_age_days() -> int:
    return int(current_app.config.get("INVITATION_DAYS", DEFAULT_DAYS))


def _fingerprint(session_token: str, password_hash: str | None) -> str:
    return hashlib.sha256(f"{session_token}\x1f{password_hash or ''}".encode()).hexdigest()[:20]


def make_token(employee_id: int, session_token: str, password_hash: str | None) -> str:
    return _serializer().dumps({"e": employee_id, "f": _fingerprint(session_token, password_hash)})


def employee_for_token(session: Session, token: str) -> Employee | None:
    """The active account this link was made for, if it is unused and unexpired."""
    try:
        data = _serializer().loads(token, max_age=max_age_days() * 24 * 3600)
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("e"), int):
        return None
    employee = session.get(Employee, data["e"])
    if employee is None or not employee.active:
        return None
    if data.get("f") != _fingerprint(employee.session_token, employee.password_hash):
        return None
    return employee


def _external_url(endpoint: str, token: str) -> str:
    """From BASE_URL, never from a request's Host header."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc or "localhost", script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, {"token": token}, force_external=True)


def invitation_url(token: str) -> str:
    return _external_url("auth.accept_invitation", token)


def send_invitations(
    session: Session, employee_ids: Iterable[int], *, commit: Callable[[], None]
) -> int:
    """E-mail every active account among these ids a link to set its password; how many went.

    The invitations go through the outbox like every other mail: recorded (committed),
    then delivered one by one. A refused address is kept and shown to HR
    (mail.refused_addresses) instead of only logged; a mail server that is down leaves
    the rest queued for the next delivery (`reminders send`) and raises
    mail.ServerUnavailable after what it did send (the HR import reports it).
    """
    ids = sorted(set(employee_ids))
    municipality = current_app.config["MUNICIPALITY_NAME"]
    days = max_age_days()
    queued = []
    for start in range(0, len(ids), SEND_CHUNK):
        rows = session.execute(
            sa.select(
                Employee.id,
                Employee.first_name,
                Employee.email,
                Employee.session_token,
                Employee.password_hash,
            ).where(
                Employee.id.in_(ids[start : start + SEND_CHUNK]),
                Employee.active.is_(True),
                Employee.email.is_not(None),
            )
        )
        for row in rows:
            message = Email(
                to=row.email,
                subject=f"Välkommen till Värna – {municipality}",
                body=(
                    f"Hej {row.first_name}!\n\n"
                    f"Du har fått ett konto i Värna, {municipality}s plattform för utbildning "
                    "om att förebygga våld i nära relationer, hedersrelaterat våld och "
                    "sexuella trakasserier.\n\n"
                    "Välj ditt lösenord här (länken fungerar en gång och i "
                    f"{days} dagar):\n{invitation_url(make_token(row.id, row.session_token, row.password_hash))}\n\n"
                    "Har du inte väntat dig det här brevet kan du bortse från det.\n"
                ),
            )
            queued.append(mail.enqueue(session, message, kind="invitation", employee_id=row.id))
        session.flush()
    if not queued:
        return 0
    mail_ids = [row.id for row in queued]
    commit()
    delivery = mail.deliver_queued(session, commit=commit, ids=mail_ids)
    if delivery.unavailable:
        raise mail.ServerUnavailable(delivery.unavailable)
    return delivery.sent


def resend_invitation(session: Session, *, employee: Employee, actor: Employee) -> int:
    """HR sends a person a new link to choose a password (a lost invitation, a forgotten one).

    Returns 1 when the mail server took it, 0 when it refused it or was down (logged).
    """
    try:
        sent = send_invitations(session, [employee.id], commit=session.commit)
    except mail.ServerUnavailable:
        sent = 0
    audit(session, actor, "account.invitation_resent", "employee", employee.id)
    return sent


# --- password resets --------------------------------------------------------------------


def reset_minutes() -> int:
    return int(current_app.config.get("PASSWORD_RESET_MINUTES", 60))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_reset_token(session: Session, employee: Employee) -> str:
    """A fresh reset link's token; every earlier link of the account stops working."""
    session.execute(sa.delete(PasswordReset).where(PasswordReset.employee_id == employee.id))
    token = secrets.token_urlsafe(32)
    session.add(PasswordReset(employee_id=employee.id, token_hash=_hash(token)))
    session.flush()
    return token


def reset_for_token(session: Session, token: str) -> PasswordReset | None:
    """The unused, unexpired reset of an active account that this link names."""
    if not token or len(token) > 200:
        return None
    reset = session.scalar(sa.select(PasswordReset).where(PasswordReset.token_hash == _hash(token)))
    if reset is None or reset.used_at is not None:
        return None
    if reset.created_at < dates.now() - timedelta(minutes=reset_minutes()):
        return None
    employee = session.get(Employee, reset.employee_id)
    if employee is None or not employee.active:
        return None
    return reset


def use_reset(session: Session, reset: PasswordReset) -> None:
    reset.used_at = dates.now()
    session.flush()


def reset_url(token: str) -> str:
    return _external_url("auth.reset_password", token)


def send_password_reset(session: Session, employee: Employee) -> int | None:
    """Queue a mail with a single-use link to choose a new password; the outbox row's id.

    The caller commits and delivers it (app.mail.deliver_queued). None when the
    account cannot have one (inactive, no address).
    """
    if not employee.active or not employee.email:
        return None
    municipality = current_app.config["MUNICIPALITY_NAME"]
    token = new_reset_token(session, employee)
    minutes = reset_minutes()
    lifetime = "en timme" if minutes == 60 else f"{minutes} minuter"
    message = Email(
        to=employee.email,
        subject=f"Nytt lösenord i Värna – {municipality}",
        body=(
            f"Hej {employee.first_name}!\n\n"
            "Någon – förhoppningsvis du – har bett om att få välja ett nytt lösenord till "
            f"ditt konto i Värna, {municipality}.\n\n"
            f"Välj ett nytt lösenord här (länken fungerar en gång och i {lifetime}; "
            f"en ny begäran ersätter den):\n{reset_url(token)}\n\n"
            "Har du inte bett om det kan du bortse från brevet; ditt lösenord är oförändrat.\n"
        ),
    )
    row = mail.enqueue(session, message, kind="password_reset", employee_id=employee.id)
    session.flush()
    return row.id
