"""SAML sign-in state shared by every worker: the requests Värna sent to the identity
provider and are still waiting for, and the ids of assertions already used (replay cache).

Both live in the database, not in the Flask session: the identity provider's answer
arrives as a cross-site POST, which carries no SameSite=Lax session cookie.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class SamlRequest(db.Model):
    """An AuthnRequest or LogoutRequest Värna sent: its id is the InResponseTo a genuine
    answer carries. Used once (deleted when the answer arrives), expires after minutes."""

    __tablename__ = "saml_requests"

    id: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # "authn" or "logout"
    # Where the person was going when the login started (a same-site path).
    return_to: Mapped[str | None] = mapped_column(sa.String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class SamlAssertionId(db.Model):
    """An assertion already used to log in: a second use of the same id is a replay.

    The primary key makes the check atomic across workers (the insert fails); a row is
    kept until the assertion itself could no longer be accepted, then pruned."""

    __tablename__ = "saml_assertion_ids"

    id: Mapped[str] = mapped_column(sa.String(256), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
