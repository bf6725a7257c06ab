"""Courses as loaded from courses/: one Course, one CourseVersion per content hash."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class PreventionLevel(StrEnum):
    UNIVERSAL = "universal"  # främjande
    SELECTIVE = "selective"  # förebyggande
    INDICATED = "indicated"  # riktat


class CourseKind(StrEnum):
    VARNA = "varna"  # a folder under courses/ in Värna's own format
    SCORM = "scorm"  # an uploaded SCORM package (app/courses/scorm.py, docs/scorm.md)


class Course(db.Model):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The folder name; "scorm-<package identifier>" for a SCORM package.
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True)
    kind: Mapped[str] = mapped_column(
        sa.String(20), default=CourseKind.VARNA.value, server_default=CourseKind.VARNA.value
    )
    title: Mapped[str] = mapped_column(sa.String(300))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    language: Mapped[str] = mapped_column(sa.String(8), default="sv")
    prevention_levels: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    audience: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    minutes: Mapped[int] = mapped_column(default=0)
    pass_mark: Mapped[int] = mapped_column(default=80)
    valid_months: Mapped[int | None]
    # False for a course whose folder is gone: its records stay.
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    versions: Mapped[list[CourseVersion]] = relationship(
        back_populates="course", order_by="CourseVersion.id"
    )

    def __repr__(self) -> str:
        return f"<Course {self.slug}>"


class CourseVersion(db.Model):
    __tablename__ = "course_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    version: Mapped[str] = mapped_column(sa.String(20))  # "MAJOR.MINOR"
    major: Mapped[int] = mapped_column(default=1)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    # The whole parsed course (manifest, modules, quiz, variants) as loaded.
    content: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    pass_mark: Mapped[int] = mapped_column(default=80)
    valid_months: Mapped[int | None]
    is_current: Mapped[bool] = mapped_column(default=True)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship(back_populates="versions")

    __table_args__ = (
        sa.UniqueConstraint("course_id", "content_hash", name="uq_course_versions_course_hash"),
    )

    def __repr__(self) -> str:
        return f"<CourseVersion {self.course_id} {self.version}>"
