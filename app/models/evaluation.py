"""Issue 18: the knowledge check before a course, the anonymous evaluation and follow-up.

Two kinds of table live here (docs/security.md, "Anonymous course evaluation"):

- Per person, like quiz attempts (never shown to managers): `pretests`, `pretest_answers`.
- Anonymous: `course_evaluations` and `followup_answers` carry no employee id, no
  timestamp finer than the month and a random UUID key; they are written only in shuffled
  batches from `anonymous_pending` (app/evaluation/services.py), never in the transaction
  that records who answered (`evaluation_receipts`, `followup_invitations.used`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


def random_id() -> str:
    """A random UUID as text: a key that says nothing about when or in which order."""
    return str(uuid.uuid4())


class Recommend(StrEnum):
    JA = "ja"
    NEJ = "nej"
    VET_INTE = "vet_inte"


class UsedIt(StrEnum):
    JA = "ja"
    NEJ = "nej"
    DELVIS = "delvis"


class WorkplaceChanged(StrEnum):
    JA = "ja"
    NEJ = "nej"
    VET_INTE = "vet_inte"


FREE_TEXT_MAX = 2000


class Pretest(db.Model):
    """One person's knowledge check before a course version: answered or skipped, once."""

    __tablename__ = "pretests"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("employees.id", ondelete="CASCADE"), index=True
    )
    course_version_id: Mapped[int] = mapped_column(sa.ForeignKey("course_versions.id"))
    variant: Mapped[str] = mapped_column(sa.String(20), default="")
    # The drawn question ids, in the order shown ({"questions": [...], "options": {...}}).
    drawn: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    skipped: Mapped[bool] = mapped_column(default=False)

    answers: Mapped[list[PretestAnswer]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="PretestAnswer.question_id"
    )

    __table_args__ = (
        sa.UniqueConstraint("employee_id", "course_version_id", name="uq_pretests_emp_version"),
    )


class PretestAnswer(db.Model):
    """Right or wrong on one pre-test question (an unanswered question is stored as wrong)."""

    __tablename__ = "pretest_answers"

    pretest_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pretests.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    objective: Mapped[str] = mapped_column(sa.String(100))
    correct: Mapped[bool]


class CourseEvaluation(db.Model):
    """One anonymous evaluation: the group it belongs to and the answers, nothing else."""

    __tablename__ = "course_evaluations"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=random_id)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    administration_id: Mapped[int | None] = mapped_column(sa.ForeignKey("org_units.id"))
    level: Mapped[str] = mapped_column(sa.String(20), default="")
    variant: Mapped[str] = mapped_column(sa.String(20), default="")  # "", "en", "lattlast"
    month: Mapped[str] = mapped_column(sa.String(7))  # "YYYY-MM" of the completion
    relevance: Mapped[int | None]  # 1–5
    clarity: Mapped[int | None]  # 1–5
    confidence: Mapped[int | None]  # 1–5, "jag vet vad jag ska göra"
    recommend: Mapped[str | None] = mapped_column(sa.String(10))  # Recommend
    free_text: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (
        sa.CheckConstraint("relevance BETWEEN 1 AND 5", name="relevance_range"),
        sa.CheckConstraint("clarity BETWEEN 1 AND 5", name="clarity_range"),
        sa.CheckConstraint("confidence BETWEEN 1 AND 5", name="confidence_range"),
        sa.Index("ix_course_evaluations_group", "course_id", "administration_id", "level"),
    )


class EvaluationReceipt(db.Model):
    """ "This completion has given its evaluation" — and nothing about which one."""

    __tablename__ = "evaluation_receipts"

    completion_id: Mapped[int] = mapped_column(
        sa.ForeignKey("completions.id", ondelete="CASCADE"), primary_key=True
    )


class FollowupInvitation(db.Model):
    """A single-use follow-up link: the digest of its token and the group, never the person."""

    __tablename__ = "followup_invitations"

    token_digest: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    administration_id: Mapped[int | None] = mapped_column(sa.ForeignKey("org_units.id"))
    level: Mapped[str] = mapped_column(sa.String(20), default="")
    month: Mapped[str] = mapped_column(sa.String(7))  # "YYYY-MM" of the completion
    used: Mapped[bool] = mapped_column(default=False)
    # The last day the link works (60 days after it was sent).
    expires_on: Mapped[date]


class FollowupSent(db.Model):
    """This completion has been sent its follow-up (or had none to send): never again."""

    __tablename__ = "followup_sent"

    completion_id: Mapped[int] = mapped_column(
        sa.ForeignKey("completions.id", ondelete="CASCADE"), primary_key=True
    )


class FollowupAnswer(db.Model):
    """One anonymous follow-up answer: the group and the two answers."""

    __tablename__ = "followup_answers"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=random_id)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    administration_id: Mapped[int | None] = mapped_column(sa.ForeignKey("org_units.id"))
    level: Mapped[str] = mapped_column(sa.String(20), default="")
    month: Mapped[str] = mapped_column(sa.String(7))
    used_it: Mapped[str | None] = mapped_column(sa.String(10))  # UsedIt
    workplace_changed: Mapped[str | None] = mapped_column(sa.String(10))  # WorkplaceChanged


class AnonymousPending(db.Model):
    """An answer waiting to be released, shuffled, into its anonymous table with others.

    Written in the transaction of the receipt (so an answer is never lost and never given
    twice), deleted when the batch is released. `held_month` ("YYYY-MM" of the submission)
    lets a scheduled run release what is left at the end of a month.
    """

    __tablename__ = "anonymous_pending"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=random_id)
    kind: Mapped[str] = mapped_column(sa.String(20))  # "evaluation" or "followup"
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    held_month: Mapped[str] = mapped_column(sa.String(7))
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
