"""One attempt, ten simultaneous submissions: one result and exactly one completion.

Nothing in Python serialises these threads; the database does (a conditional
UPDATE ... WHERE submitted_at IS NULL, and completions.attempt_id UNIQUE).
Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import threading
import time

import sqlalchemy as sa

from app.courses.loader import MAIN
from app.extensions import db
from app.learning import services
from app.models import Attempt, Completion
from tests.learning.conftest import RIGHT, current_version_of

THREADS = 10
BARRIER_TIMEOUT = 60.0  # every thread has an app context and a session by then
JOIN_TIMEOUT = 300.0  # all ten submissions; only a guard against a hang


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

    # A thread that fails before the barrier aborts it, and a thread that dies
    # unseen lets it time out: either way the others stop waiting and the test
    # fails with a message instead of hanging. Daemon threads cannot keep the
    # interpreter alive either.
    barrier = threading.Barrier(THREADS, timeout=BARRIER_TIMEOUT)
    outcomes: list[str] = []
    lock = threading.Lock()

    def submit() -> None:
        at_barrier = False
        try:
            with app.app_context():
                try:
                    mine = db.session.get(Attempt, attempt_id)
                    at_barrier = True
                    barrier.wait()
                    services.submit_attempt(db.session, attempt=mine, answers=RIGHT)
                    db.session.commit()
                    outcome = "recorded"
                except services.AlreadySubmitted:
                    db.session.rollback()
                    outcome = "already"
                finally:
                    db.session.remove()
        except threading.BrokenBarrierError:
            outcome = "error: the barrier broke (another thread did not get there)"
        except Exception as exc:  # noqa: BLE001 - reported below
            if not at_barrier:
                barrier.abort()
            outcome = f"error: {exc!r}"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=submit, daemon=True) for _ in range(THREADS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + JOIN_TIMEOUT
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), f"threads still running: {outcomes}"

    assert sorted(outcomes) == ["already"] * (THREADS - 1) + ["recorded"], outcomes
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Completion.id))) == 1
    stored = db.session.get(Attempt, attempt_id)
    assert stored.passed is True
    assert stored.submitted_at is not None
