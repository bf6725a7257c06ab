"""Invitations: a signed, expiring, single-use link for a new account to set its password.

No table: the token is signed with SECRET_KEY and carries a fingerprint of the
account's password hash and session token. Setting the password changes both,
so a used link stops working; so does deactivation, and age (INVITATION_DAYS).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from app.mail import Email, send
from app.models import Employee
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


def invitation_url(token: str) -> str:
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc or "localhost", script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build("auth.accept_invitation", {"token": token}, force_external=True)


def send_invitations(session: Session, employee_ids: Iterable[int]) -> int:
    """E-mail every active account among these ids a link to set its password."""
    ids = sorted(set(employee_ids))
    municipality = current_app.config["MUNICIPALITY_NAME"]
    days = max_age_days()
    sent = 0
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
        messages = [
            Email(
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
            for row in rows
        ]
        sent += send(messages)
    return sent


def resend_invitation(session: Session, *, employee: Employee, actor: Employee) -> int:
    """HR sends a person a new link to choose a password (a lost invitation, a forgotten one)."""
    sent = send_invitations(session, [employee.id])
    audit(session, actor, "account.invitation_resent", "employee", employee.id)
    return sent


def send_password_reset(session: Session, employee: Employee) -> int:
    """E-mail an active account a single-use link to choose a new password.

    The link is the invitation's: it is bound to the current password hash, so it
    works once, and it stops working when the password changes by any other way.
    """
    if not employee.active or not employee.email:
        return 0
    municipality = current_app.config["MUNICIPALITY_NAME"]
    token = make_token(employee.id, employee.session_token, employee.password_hash)
    message = Email(
        to=employee.email,
        subject=f"Nytt lösenord i Värna – {municipality}",
        body=(
            f"Hej {employee.first_name}!\n\n"
            "Någon – förhoppningsvis du – har bett om att få välja ett nytt lösenord till "
            f"ditt konto i Värna, {municipality}.\n\n"
            f"Välj ett nytt lösenord här (länken fungerar en gång och i {max_age_days()} "
            f"dagar):\n{invitation_url(token)}\n\n"
            "Har du inte bett om det kan du bortse från brevet; ditt lösenord är oförändrat.\n"
        ),
    )
    return send([message])
