"""Sign-in letters: a printed, single-use code for staff without an e-mail address."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.dates import local_day
from app.extensions import db
from app.models.org import Employee
from app.models.types import UTCDateTime, utcnow


class SignInLetter(db.Model):
    """One printed letter: only the code's digest is kept (sha256 of the normalised code).

    Valid until `expires_at`, used once (`used_at`), revocable (`revoked_at`); printing a
    new letter for a person revokes their earlier unused ones (app/auth/letters.py).
    """

    __tablename__ = "sign_in_letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("employees.id", ondelete="CASCADE"), index=True
    )
    code_digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employees.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employees.id"))

    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])

    @property
    def last_day(self) -> date:
        """The last Stockholm day the letter works (it expires at the end of that day)."""
        return local_day(self.expires_at - timedelta(seconds=1))
