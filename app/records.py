"""Small helpers for writing records that several features share: audit events, codes."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy.orm import Session

from app.models import AuditEvent, Employee

# As on certificates (Crockford base32: no I, L, O, U), 80 random bits.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16


def audit(
    session: Session,
    actor: Employee | None,
    action: str,
    target_type: str | None,
    target_id: Any,
    details: dict | None = None,
) -> AuditEvent:
    """Add an AuditEvent to the unit of work (the caller commits)."""
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        details=details or {},
    )
    session.add(event)
    return event


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
