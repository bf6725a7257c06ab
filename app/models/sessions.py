"""In-person training sessions and who attended them."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.courses import Course
from app.models.org import Employee, OrgUnit
from app.models.types import UTCDateTime, utcnow


class TrainingSession(db.Model):
    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int | None] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    held_on: Mapped[date] = mapped_column(index=True)
    place: Mapped[str] = mapped_column(sa.String(300), default="")
    trainer: Mapped[str] = mapped_column(sa.String(200), default="")
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("org_units.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employees.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course | None] = relationship()
    unit: Mapped[OrgUnit | None] = relationship()
    attendance: Mapped[list[SessionAttendance]] = relationship(back_populates="session")


class SessionAttendance(db.Model):
    __tablename__ = "session_attendance"

    session_id: Mapped[int] = mapped_column(sa.ForeignKey("training_sessions.id"), primary_key=True)
    employee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("employees.id"), primary_key=True, index=True
    )
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employees.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[TrainingSession] = relationship(back_populates="attendance")
    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])
