from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Attempt, CourseVersion
from tests.conftest import csrf_from


class Learner:
    """Drives the course player through the test client, like a browser without JS."""

    def __init__(self, client) -> None:
        self.client = client

    def csrf(self, path: str = "/") -> str:
        return csrf_from(self.client.get(path).get_data(as_text=True))

    def post(self, path: str, data: dict | None = None, **kwargs):
        payload = {"csrf_token": self.csrf(), **(data or {})}
        return self.client.post(path, data=payload, **kwargs)

    def start(self, slug: str = "example-intro", variant: str = ""):
        return self.post(f"/kurser/{slug}/starta", {"variant": variant})

    def read_all(self, slug: str = "example-intro", modules: int = 2) -> None:
        self.start(slug)
        for i in range(1, modules + 1):
            assert self.post(f"/kurser/{slug}/moduler/{i}/klar").status_code == 302

    def start_quiz(self, slug: str = "example-intro") -> str:
        response = self.post(f"/kurser/{slug}/prov")
        assert response.status_code == 302, response.status_code
        match = re.search(r"/prov/([A-Za-z0-9_-]+)$", response.headers["Location"])
        assert match, response.headers["Location"]
        return match.group(1)

    def submit(self, token: str, answers: dict[str, list[str]], **kwargs):
        data = {f"q-{qid}": opts for qid, opts in answers.items()}
        return self.post(f"/prov/{token}", data, **kwargs)


RIGHT = {"q1": ["a"], "q2": ["a", "b"], "q3": ["a"]}
WRONG = {"q1": ["b"], "q2": ["a"], "q3": ["b"]}


@pytest.fixture
def learner(client) -> Learner:
    return Learner(client)


@pytest.fixture
def example(make):
    return make.synced_course()


def attempt_by_token(token: str) -> Attempt:
    db.session.expire_all()
    return db.session.scalars(sa.select(Attempt).where(Attempt.token == token)).one()


def current_version_of(course) -> CourseVersion:
    return db.session.scalars(
        sa.select(CourseVersion).where(
            CourseVersion.course_id == course.id, CourseVersion.is_current.is_(True)
        )
    ).one()
