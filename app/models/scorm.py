"""What a bought-in (SCORM) package reported for one learner, one version and one item (SCO).

One row per (employee, course version, item): the run-time data as last committed, so
the next launch, on any device, resumes where the learner stopped. The fields the issue
names are columns (reports and support can read them); `cmi` is the whole committed data
model, which the next launch loads into the runtime.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class ScormRuntime(db.Model):
    __tablename__ = "scorm_runtime"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(sa.ForeignKey("employees.id"), index=True)
    course_version_id: Mapped[int] = mapped_column(sa.ForeignKey("course_versions.id"))
    item_identifier: Mapped[str] = mapped_column(sa.String(200))
    # The person's run of this version: the key that makes the completion happen once.
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("attempts.id"), index=True)
    scorm_version: Mapped[str] = mapped_column(sa.String(10))  # "1.2", "2004-3", "2004-4"
    cmi: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # SCORM 1.2
    lesson_status: Mapped[str | None] = mapped_column(sa.String(20))
    lesson_location: Mapped[str | None] = mapped_column(sa.String(255))
    score_raw: Mapped[float | None] = mapped_column(sa.Float)
    # SCORM 2004
    completion_status: Mapped[str | None] = mapped_column(sa.String(20))
    success_status: Mapped[str | None] = mapped_column(sa.String(20))
    location: Mapped[str | None] = mapped_column(sa.String(1000))
    score_scaled: Mapped[float | None] = mapped_column(sa.Float)
    objectives: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    interactions: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    # Both
    suspend_data: Mapped[str | None] = mapped_column(sa.Text)
    exit: Mapped[str | None] = mapped_column(sa.String(20))
    session_time: Mapped[str | None] = mapped_column(sa.String(40))
    total_time: Mapped[str | None] = mapped_column(sa.String(40))
    score: Mapped[int | None]  # 0–100, as a completion keeps it
    done: Mapped[bool] = mapped_column(default=False)  # the item counts as completed
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        sa.UniqueConstraint(
            "employee_id", "course_version_id", "item_identifier", name="uq_scorm_runtime_item"
        ),
    )
