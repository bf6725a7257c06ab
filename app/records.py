"""Small helpers for writing records that several features share: audit events, codes.

audit() is the one writer of AuditEvent rows (tests/foundation/test_boundaries.py
holds every other module to it). Services call it for what they do, reading a
person's record included; views never do.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import has_request_context, request
from sqlalchemy.orm import Session

from app.models import AuditEvent, Employee, Setting

# As on certificates (Crockford base32: no I, L, O, U), 80 random bits.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16


def audit(
    session: Session,
    actor: Employee | None,
    action: str,
    target_type: str | None = None,
    target_id: Any = None,
    details: dict | None = None,
    *,
    actor_id: int | None = None,
) -> AuditEvent:
    """Add an AuditEvent to the unit of work (the caller commits).

    The actor is a person, or only their id (`actor_id`: a token's owner, a CLI
    option); neither means the system itself (a command, the demo). The client
    address of the request being served, if any, is kept with the event.
    """
    event = AuditEvent(
        actor_id=actor.id if actor is not None else actor_id,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        details=details or {},
        remote_addr=_client_address(),
    )
    session.add(event)
    return event


def save_setting(
    session: Session,
    key: str,
    value: dict[str, Any],
    *,
    actor: Employee | None,
    action: str,
    before: dict[str, Any] | None,
) -> None:
    """Store one of HR's settings (`Setting`) and record the change, before and after."""
    setting = session.get(Setting, key)
    if setting is None:
        session.add(Setting(key=key, value=value))
    else:
        setting.value = value
    audit(session, actor, action, "setting", key, {"before": before, "after": value})
    session.flush()


def _client_address() -> str | None:
    """The request's client address; ProxyFix (TRUSTED_PROXIES) has already put the
    forwarded one in remote_addr when Värna runs behind a trusted proxy."""
    if not has_request_context():
        return None
    return (request.remote_addr or "")[:64] or None


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
