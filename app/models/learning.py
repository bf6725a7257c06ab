"""Who must take what, where each person is, and what they have completed."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import dates
from app.extensions import db
from app.models.courses import Course, CourseVersion
from app.models.org import Employee, OrgUnit
from app.models.types import UTCDateTime, utcnow


class Status(StrEnum):
    """The status of one employee for one required course (DESIGN.md: coverage)."""

    COMPLETED = "completed"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    OVERDUE = "overdue"
    PENDING = "pending"


class CompletionSource(StrEnum):
    ONLINE = "online"  # passed the course's quiz in Värna
    SESSION = "session"  # attended an in-person session
    IMPORT = "import"  # history from an earlier system
    EXTERNAL = "external"  # done elsewhere, registered by HR with evidence


class Requirement(db.Model):
    """ "Course C is required for audience A": levels × unit subtree × occupation tags."""

    __tablename__ = "requirements"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    # Audience; an empty part means "no restriction on that part".
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("org_units.id"), index=True)
    due_days: Mapped[int] = mapped_column(default=90)
    valid_months: Mapped[int | None]  # overrides the course's validity when set
    legal_basis: Mapped[str] = mapped_column(sa.Text, default="")
    starts_on: Mapped[date] = mapped_column(default=dates.today)
    ends_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employees.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    course: Mapped[Course] = relationship()
    unit: Mapped[OrgUnit | None] = relationship()
    levels: Mapped[list[RequirementLevel]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    tags: Mapped[list[RequirementTag]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class RequirementLevel(db.Model):
    __tablename__ = "requirement_levels"

    requirement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("requirements.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[str] = mapped_column(sa.String(20), primary_key=True)


class RequirementTag(db.Model):
    __tablename__ = "requirement_tags"

    requirement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("requirements.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(sa.String(100), primary_key=True)


class Exemption(db.Model):
    """HR exempts a person from a requirement, with a reason."""

    __tablename__ = "exemptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(sa.ForeignKey("employees.id"), index=True)
    requirement_id: Mapped[int] = mapped_column(sa.ForeignKey("requirements.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employees.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employees.id"))


class Progress(db.Model):
    """Where a person is in a course version; saved on every step."""

    __tablename__ = "progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(sa.ForeignKey("employees.id"))
    course_version_id: Mapped[int] = mapped_column(sa.ForeignKey("course_versions.id"))
    variant: Mapped[str] = mapped_column(sa.String(20), default="")  # "", "en", "lattlast"
    module_index: Mapped[int] = mapped_column(default=0)
    modules_done: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    warning_accepted: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    course_version: Mapped[CourseVersion] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("employee_id", "course_version_id", name="uq_progress_emp_version"),
    )


class Attempt(db.Model):
    """One quiz attempt: the options as shown, the answers, the result."""

    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random and unguessable: the form carries it, so a second submit is recognised.
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    employee_id: Mapped[int] = mapped_column(sa.ForeignKey("employees.id"), index=True)
    course_version_id: Mapped[int] = mapped_column(sa.ForeignKey("course_versions.id"))
    variant: Mapped[str] = mapped_column(sa.String(20), default="")
    option_order: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    answers: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    score: Mapped[int | None]
    passed: Mapped[bool | None]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    course_version: Mapped[CourseVersion] = relationship()


class Completion(db.Model):
    """The training record. Never updated in place or deleted by a user action."""

    __tablename__ = "completions"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(sa.ForeignKey("employees.id"))
    course_id: Mapped[int | None] = mapped_column(sa.ForeignKey("courses.id"))
    course_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("course_versions.id"))
    title: Mapped[str] = mapped_column(sa.String(300), default="")  # for training with no course
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[int | None]
    source: Mapped[str] = mapped_column(sa.String(20), default=CompletionSource.ONLINE.value)
    # One attempt gives at most one completion, whatever the concurrency.
    attempt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("attempts.id"), unique=True)
    session_id: Mapped[int | None] = mapped_column(sa.ForeignKey("training_sessions.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employees.id"))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    evidence_path: Mapped[str | None] = mapped_column(sa.String(500))
    verification_code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    # A correction is a new row that supersedes this one (never an edit).
    superseded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("completions.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])
    course: Mapped[Course | None] = relationship()
    course_version: Mapped[CourseVersion | None] = relationship()

    __table_args__ = (
        sa.Index("ix_completions_emp_course_date", "employee_id", "course_id", "completed_at"),
        sa.Index("ix_completions_course_date", "course_id", "completed_at"),
        sa.Index("ix_completions_created_id", "created_at", "id"),  # the API's cursor
    )
