"""The organisation: units, the people in them, who leads what."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class Level(StrEnum):
    """Staff level (personalkategori) as the HR system gives it."""

    LEDNING = "ledning"
    CHEF = "chef"
    MEDARBETARE = "medarbetare"
    FORTROENDEVALD = "fortroendevald"


# Names and titles hold what HR systems hold (up to 255 characters), so one long surname never
# turns a whole export away.
NAME_LENGTH = 255


class ManagerRole(StrEnum):
    CHEF = "chef"  # from the HR system
    DELEGATE = "delegate"  # a deputy given the same view for a period


class OrgUnit(db.Model):
    __tablename__ = "org_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(NAME_LENGTH))
    kind: Mapped[str] = mapped_column(sa.String(64), default="enhet")
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("org_units.id"), index=True)
    # Materialised path of ids, "/1/4/17/": a subtree is one prefix query.
    path: Mapped[str] = mapped_column(sa.String(1000), default="/")
    depth: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id])

    __table_args__ = (
        # text_pattern_ops makes LIKE 'prefix%' use the index on PostgreSQL.
        sa.Index(
            "ix_org_units_path_prefix",
            "path",
            postgresql_ops={"path": "text_pattern_ops"},
        ),
    )

    def __repr__(self) -> str:
        return f"<OrgUnit {self.code} {self.path}>"


class Employee(UserMixin, db.Model):
    """A member of staff or an elected official, and their login account."""

    __tablename__ = "employees"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_number: Mapped[str] = mapped_column(sa.String(64), unique=True)
    first_name: Mapped[str] = mapped_column(sa.String(NAME_LENGTH))
    last_name: Mapped[str] = mapped_column(sa.String(NAME_LENGTH))
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_units.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(NAME_LENGTH), default="")
    level: Mapped[str] = mapped_column(sa.String(20), default=Level.MEDARBETARE.value)
    active: Mapped[bool] = mapped_column(default=True, index=True)
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    # The day the person last entered a new audience (hired, moved, promoted):
    # requirement due dates count from here.
    placed_on: Mapped[date | None]
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    # Rotated on logout-everywhere, password change and deactivation: every
    # session cookie carries it, so changing it ends every session at once.
    session_token: Mapped[str] = mapped_column(sa.String(64), default=lambda: secrets.token_hex(16))
    is_hr: Mapped[bool] = mapped_column(default=False)
    is_reporter: Mapped[bool] = mapped_column(default=False)
    # False for an account made with `users create-admin` that is no one in the HR system's
    # export: it can log in and work, but is not counted in coverage.
    is_staff: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[OrgUnit] = relationship()
    # Loaded when asked for (one person's page), not on every request's user load.
    tags: Mapped[list[EmployeeTag]] = relationship(
        back_populates="employee", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.Index("ix_employees_unit_id_level", "unit_id", "level"),)

    def __repr__(self) -> str:
        return f"<Employee {self.employee_number}>"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def occupation_tags(self) -> list[str]:
        return sorted(t.tag for t in self.tags)

    # Flask-Login: the cookie names the account *and* its current session token.
    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def end_all_sessions(self) -> None:
        self.session_token = secrets.token_hex(16)


class EmployeeTag(db.Model):
    """An occupation tag (e.g. "socialsekreterare"), used to target requirements."""

    __tablename__ = "employee_tags"

    employee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("employees.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(sa.String(100), primary_key=True, index=True)

    employee: Mapped[Employee] = relationship(back_populates="tags")


class UnitManager(db.Model):
    """Who leads a unit (from HR), or a deputy who may see it for a period."""

    __tablename__ = "unit_managers"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_units.id"), index=True)
    employee_id: Mapped[int] = mapped_column(sa.ForeignKey("employees.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(20), default=ManagerRole.CHEF.value)
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employees.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[OrgUnit] = relationship()
    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])

    __table_args__ = (
        sa.UniqueConstraint(
            "unit_id", "employee_id", "role", name="uq_unit_managers_unit_emp_role"
        ),
    )
