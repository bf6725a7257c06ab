"""One attempt, ten simultaneous submissions: one result and exactly one completion.

Nothing in Python serialises these threads; the database does (a conditional
UPDATE ... WHERE submitted_at IS NULL, and completions.attempt_id UNIQUE).
Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import threading

import sqlalchemy as sa

from app.courses.loader import MAIN
from app.extensions import db
from app.learning import services
from app.models import Attempt, Completion
from tests.learning.conftest import RIGHT, current_version_of

THREADS = 10


def test_ten_concurrent_submissions_give_one_completion(app, make, example):
    person = make.employee()
    version = current_version_of(example)
    progress = services.start_course(db.session, employee_id=person.id, version=version, variant="")
    progress.module_index = len(version.content["variants"][MAIN]["modules"])
    attempt = services.start_attempt(
        db.session, employee_id=person.id, version=version, progress=progress
    )
    db.session.commit()
    attempt_id = attempt.id

    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def submit() -> None:
        with app.app_context():
            mine = db.session.get(Attempt, attempt_id)
            barrier.wait()
            try:
                services.submit_attempt(db.session, attempt=mine, answers=RIGHT)
                db.session.commit()
                outcome = "recorded"
            except services.AlreadySubmitted:
                db.session.rollback()
                outcome = "already"
            except Exception as exc:  # noqa: BLE001 - reported below
                db.session.rollback()
                outcome = f"error: {exc!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=submit) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(outcomes) == ["already"] * (THREADS - 1) + ["recorded"], outcomes
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Completion.id))) == 1
    stored = db.session.get(Attempt, attempt_id)
    assert stored.passed is True
    assert stored.submitted_at is not None
