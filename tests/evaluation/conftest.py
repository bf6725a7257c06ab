"""The example course with objectives and a pre-test, and a learner driving it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Completion, EvaluationReceipt
from tests.learning.conftest import Learner, current_version_of

PRETEST_COURSE = Path(__file__).parents[1] / "data" / "courses" / "example-pretest"
SLUG = "example-pretest"
RIGHT = {"q1": ["a"], "q2": ["a", "b"], "q3": ["a"]}
# q2 (objective intyg) wrong, q1 and q3 (framsteg) right: 2/3, below the pass mark (80 %).
HALF = {"q1": ["a"], "q2": ["a"], "q3": ["a"]}


@pytest.fixture
def course(make):
    return make.synced_course(PRETEST_COURSE)


@pytest.fixture
def learner(client) -> Learner:
    return Learner(client)


def pretest_ids(html: str) -> list[str]:
    """The question ids of the pre-test page, in the order shown."""
    return list(dict.fromkeys(re.findall(r'name="q-([a-z0-9-]+)"', html)))


def pass_course(learner: Learner, *, variant: str = "", skip_pretest: bool = True) -> str:
    """Start (pre-test skipped), read both modules, pass the quiz: the attempt token."""
    learner.start(SLUG, variant)
    if skip_pretest:
        learner.post(f"/kurser/{SLUG}/fortest", {"hoppa": "1"})
    for i in (1, 2):
        assert learner.post(f"/kurser/{SLUG}/moduler/{i}/klar").status_code == 302
    token = learner.start_quiz(SLUG)
    assert learner.submit(token, RIGHT).status_code == 303
    return token


def completion_of(employee_id: int) -> Completion:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(Completion).where(Completion.employee_id == employee_id)
    ).one()


def receipts() -> set[int]:
    db.session.expire_all()
    return set(db.session.scalars(sa.select(EvaluationReceipt.completion_id)))


__all__ = ["current_version_of"]
