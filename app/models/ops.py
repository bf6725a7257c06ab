"""Operational records: reminders sent, coverage snapshots, API tokens, job locks, settings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class ReminderLog(db.Model):
    """One reminder e-mail sent: at most one per person, course and week."""

    __tablename__ = "reminder_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(sa.ForeignKey("employees.id"))
    course_id: Mapped[int | None] = mapped_column(sa.ForeignKey("courses.id"))
    kind: Mapped[str] = mapped_column(sa.String(32))  # due, overdue, expiring, digest, manual
    sent_on: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employees.id"))

    __table_args__ = (
        sa.Index("ix_reminder_log_emp_course_sent", "employee_id", "course_id", "sent_on"),
    )


class CoverageSnapshot(db.Model):
    """Daily counts per unit, level and course, for the trend over time."""

    __tablename__ = "coverage_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    taken_on: Mapped[date] = mapped_column(index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_units.id"))
    level: Mapped[str] = mapped_column(sa.String(20))
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"))
    completed: Mapped[int] = mapped_column(default=0)
    expiring: Mapped[int] = mapped_column(default=0)
    expired: Mapped[int] = mapped_column(default=0)
    overdue: Mapped[int] = mapped_column(default=0)
    pending: Mapped[int] = mapped_column(default=0)
    # Rebuilt afterwards from completion dates (with today's organisation), not taken on the day.
    rebuilt: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    __table_args__ = (
        sa.UniqueConstraint(
            "taken_on", "unit_id", "level", "course_id", name="uq_coverage_snapshots_key"
        ),
    )


class ApiToken(db.Model):
    """A read-only key for another system: some endpoints, optionally one unit's subtree,
    until a day; it works only while its creator is active HR (app/api/services.py)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    token_hash: Mapped[str] = mapped_column(sa.String(128), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employees.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last Stockholm day the token works.
    expires_on: Mapped[date]
    # The endpoints it may read (api.services.SCOPES).
    scopes: Mapped[list[str]] = mapped_column(sa.JSON)
    # Only this unit and the units below it; None: the whole municipality.
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("org_units.id"))


class JobLock(db.Model):
    """A named lock row, so that two imports cannot run at once on any host."""

    __tablename__ = "job_locks"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(sa.String(200))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Setting(db.Model):
    """A municipality-wide setting HR can change (e.g. the coverage target)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(sa.JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class StatusReportDelivery(db.Model):
    """The monthly status report e-mailed to one recipient: at most one row per month and
    address, written before the message goes out, so no rerun or second host sends it twice."""

    __tablename__ = "status_report_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(sa.String(7))  # "2026-11"
    recipient: Mapped[str] = mapped_column(sa.String(254))
    report_on: Mapped[date]  # the day the figures are for
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("month", "recipient", name="uq_status_report_deliveries_month"),
    )
