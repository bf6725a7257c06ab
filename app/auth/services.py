"""Accounts: checking a password, changing it, asking for a new one, making an HR administrator."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from app import org
from app.auth import invitations
from app.auth.passwords import is_common
from app.models import Employee, Level, OrgUnit, utcnow
from app.records import audit

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 12
# Compared against when the e-mail is unknown, so both paths take as long.
_DUMMY_HASH = generate_password_hash("not-a-real-password-at-all")


class PasswordRejected(ValueError):
    """The new password does not meet the rules; the message says why, in Swedish."""


class PasswordLoginOff(Exception):
    """The password was right, but PASSWORD_LOGIN does not let this account use it."""


class WrongPassword(PasswordRejected):
    """The current password given to change it is not the account's (counted, like a login)."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password)  # werkzeug's scrypt


PASSWORD_LOGIN_MODES = ("all", "admins", "off")


def password_login_mode() -> str:
    """PASSWORD_LOGIN: "all" (the default), "admins" (accounts made with `users create-admin`,
    and HR) or "off" (the municipality's identity provider only, docs/sign-in.md)."""
    mode = str(current_app.config.get("PASSWORD_LOGIN") or "all").strip().lower()
    return mode if mode in PASSWORD_LOGIN_MODES else "all"


def may_use_password(employee: Employee) -> bool:
    """Whether PASSWORD_LOGIN lets this account log in with its password."""
    mode = password_login_mode()
    if mode == "off":
        return False
    return mode == "all" or not employee.is_staff or employee.is_hr


def refuse_password_login(session: Session) -> None:
    """A password login that PASSWORD_LOGIN=off forbids: audited, nothing looked up."""
    _failed_login(session, None, "password_login_off")


def authenticate(session: Session, *, email: str, password: str) -> Employee | None:
    """The active employee with this e-mail and password, or None (no hint which failed).

    Either way the attempt is an audit event (ASVS 7.2.1), with the client address.
    An account that PASSWORD_LOGIN does not let use its password is refused after the
    password was checked (reason "password_login_off"; see `PasswordLoginOff`), so the
    answer tells nothing about an account to someone without its password.
    """
    employee = session.scalar(sa.select(Employee).where(Employee.email == normalise_email(email)))
    if employee is None or employee.password_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        return _failed_login(session, employee, "no_account" if employee is None else "no_password")
    if not check_password_hash(employee.password_hash, password):
        return _failed_login(session, employee, "wrong_password")
    if not employee.active:
        return _failed_login(session, employee, "inactive")
    if not may_use_password(employee):
        _failed_login(session, employee, "password_login_off")
        raise PasswordLoginOff
    employee.last_login_at = utcnow()
    audit(session, employee, "auth.login", "employee", employee.id)
    log.info("login by employee %s", employee.id)
    return employee


def _failed_login(session: Session, employee: Employee | None, reason: str) -> None:
    """A failed login names the account it was for, if any, and why it failed; never the
    password. For an e-mail that is no account nothing typed is kept: it may be someone's
    mistyped address, or a password typed into the e-mail field. The address the attempt
    came from (records.audit) is what an investigation needs."""
    target_id = employee.id if employee is not None else None
    audit(
        session,
        None,
        "auth.login_failed",
        "employee" if employee is not None else None,
        target_id,
        {"reason": reason},
    )
    log.info("failed login (%s) for employee %s", reason, target_id)
    return None


def log_out(session: Session, employee: Employee) -> None:
    """Logging out ends every session of the person, on every device; audited."""
    employee.end_all_sessions()
    audit(session, employee, "auth.logout", "employee", employee.id)


def throttle_account(session: Session, email: str) -> str:
    """Whose failed logins a login with this e-mail counts against: a digest of the address
    and of the account's current password hash.

    A new password (through a reset link, say) is a new count, so the link is a way back in
    while the old password is being guessed. The rate-limit store holds no e-mail address.
    (A view's limits are checked after app.security has refused control characters, so a
    NUL never reaches this query.)
    """
    email = normalise_email(email)[:254]
    password_hash = session.scalar(sa.select(Employee.password_hash).where(Employee.email == email))
    material = f"{email}\x00{password_hash or ''}".encode("utf-8", "replace")
    return hashlib.sha256(material).hexdigest()[:32]


def find_active_account(session: Session, email: str) -> Employee | None:
    employee = session.scalar(sa.select(Employee).where(Employee.email == normalise_email(email)))
    return employee if employee is not None and employee.active else None


def request_password_reset(
    session: Session, *, email: str, remote_addr: str | None = None
) -> int | None:
    """Queue a link to choose a new password, if the address is an active account's; audited.

    Returns the queued mail's id (None for no account). Runs after the response
    (app/auth/routes.py), so the page's answer and time are the same either way;
    `remote_addr` is the address of the request that asked, for the audit event.
    """
    employee = find_active_account(session, email)
    if employee is None:
        return None
    mail_id = invitations.send_password_reset(session, employee)
    event = audit(session, None, "account.password_reset_requested", "employee", employee.id)
    event.remote_addr = event.remote_addr or remote_addr
    return mail_id


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRejected(_l("Lösenordet måste ha minst %(n)s tecken.", n=MIN_PASSWORD_LENGTH))
    if is_common(password):
        raise PasswordRejected(_l("Lösenordet är för vanligt. Välj ett annat, gärna en fras."))


def set_password(session: Session, *, employee: Employee, password: str, actor: Employee) -> None:
    check_new_password(password)
    employee.password_hash = hash_password(password)
    employee.end_all_sessions()
    audit(session, actor, "account.password_set", "employee", employee.id)
    log.info("password set for employee %s by %s", employee.id, actor.id)
    session.flush()


def change_password(
    session: Session, *, employee: Employee, current_password: str, new_password: str
) -> None:
    if employee.password_hash is None or not check_password_hash(
        employee.password_hash, current_password
    ):
        raise WrongPassword(_l("Det nuvarande lösenordet stämmer inte."))
    set_password(session, employee=employee, password=new_password, actor=employee)


@dataclass(frozen=True)
class AdminResult:
    employee: Employee
    created: bool


def create_admin(session: Session, *, email: str, password: str, name: str = "") -> AdminResult:
    """Give HR rights (and a password) to the person with this e-mail, creating them if needed."""
    email = normalise_email(email)
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise ValueError(f"Ogiltig e-postadress: {email!r}")
    check_new_password(password)
    employee = session.scalar(sa.select(Employee).where(Employee.email == email))
    created = employee is None
    if employee is None:
        root = session.scalar(
            sa.select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id)
        )
        if root is None:
            root = OrgUnit(code="KOMMUN", name="Kommunen", kind="kommun", path="/")
            session.add(root)
            session.flush()
            org.place(root, None)
        first, _, last = (name or email.split("@")[0]).partition(" ")
        count = session.scalar(sa.select(sa.func.count()).select_from(Employee)) or 0
        employee = Employee(
            employee_number=f"admin-{count + 1}",
            first_name=first or email,
            last_name=last,
            email=email,
            unit_id=root.id,
            title="Administratör",
            level=Level.MEDARBETARE.value,
            is_staff=False,  # an account to administer Värna, not counted in coverage
        )
        session.add(employee)
    employee.is_hr = True
    employee.active = True
    employee.password_hash = hash_password(password)
    employee.end_all_sessions()
    session.flush()
    audit(
        session,
        None,
        "account.create_admin",
        "employee",
        employee.id,
        {"email": email, "created": created, "via": "cli"},
    )
    session.flush()
    return AdminResult(employee=employee, created=created)
