"""The pre-test: before the first module, drawn per objective, not graded, skippable."""

from __future__ import annotations

import sqlalchemy as sa

from app.evaluation import services
from app.extensions import db
from app.models import Attempt, Pretest, PretestAnswer
from tests.evaluation.conftest import HALF, RIGHT, SLUG, pretest_ids


def _pretest(employee_id: int) -> Pretest | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Pretest).where(Pretest.employee_id == employee_id))


def test_pretest_comes_after_the_warning_and_before_the_first_module(make, course, learner, auth):
    person = make.employee()
    auth.login(person.email)
    response = learner.start(SLUG)
    assert response.headers["Location"].endswith(f"/kurser/{SLUG}/fortest")
    # The first module sends back to the pre-test while it is neither answered nor skipped.
    module = learner.client.get(f"/kurser/{SLUG}/moduler/1")
    assert module.headers["Location"].endswith(f"/kurser/{SLUG}/fortest")
    page = learner.client.get(f"/kurser/{SLUG}/fortest").get_data(as_text=True)
    assert "Före kursen" in page
    assert "räknas inte som prov" in page
    ids = pretest_ids(page)
    # One question per objective: q2 is the only intyg question, q1 or q3 tests framsteg.
    assert len(ids) == 2
    assert "q2" in ids
    assert len({"q1", "q3"} & set(ids)) == 1
    # Objective titles are shown with the questions.
    assert "Vad ett intyg visar" in page


def test_skipping_goes_to_the_first_module_and_is_recorded_once(make, course, learner, auth):
    person = make.employee()
    auth.login(person.email)
    learner.start(SLUG)
    response = learner.post(f"/kurser/{SLUG}/fortest", {"hoppa": "1"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/kurser/{SLUG}/moduler/1")
    assert learner.client.get(f"/kurser/{SLUG}/moduler/1").status_code == 200
    pretest = _pretest(person.id)
    assert pretest.skipped
    assert pretest.submitted_at is not None
    assert pretest.answers == []
    # Back to the pre-test address: it is done, the learner goes on where they are.
    again = learner.client.get(f"/kurser/{SLUG}/fortest")
    assert again.headers["Location"].endswith(f"/kurser/{SLUG}/moduler/1")


def test_answers_are_stored_per_objective_and_blank_counts_as_not_known(
    make, course, learner, auth
):
    person = make.employee()
    auth.login(person.email)
    learner.start(SLUG)
    ids = pretest_ids(learner.client.get(f"/kurser/{SLUG}/fortest").get_data(as_text=True))
    framsteg = next(i for i in ids if i != "q2")
    # The intyg question answered wrong, the framsteg question left blank: still accepted.
    response = learner.post(f"/kurser/{SLUG}/fortest", {"q-q2": ["c"]})
    assert response.status_code == 303
    answers = {a.question_id: (a.objective, a.correct) for a in _pretest(person.id).answers}
    assert answers == {"q2": ("intyg", False), framsteg: ("framsteg", False)}
    assert not _pretest(person.id).skipped


def test_second_submit_changes_nothing(make, course, learner, auth):
    person = make.employee()
    auth.login(person.email)
    learner.start(SLUG)
    ids = pretest_ids(learner.client.get(f"/kurser/{SLUG}/fortest").get_data(as_text=True))
    right = {f"q-{q}": RIGHT[q] for q in ids}
    learner.post(f"/kurser/{SLUG}/fortest", right)
    # The form again (back button), now all wrong: the first answers stay.
    version = course.versions[-1]
    pretest = _pretest(person.id)
    assert not services.submit_pretest(
        db.session, pretest=pretest, version=version, form={"q-q2": ["c"]}
    )
    db.session.rollback()
    assert all(a.correct for a in _pretest(person.id).answers)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PretestAnswer)) == 2


def test_an_answer_the_page_never_offered_is_refused(make, course, learner, auth):
    person = make.employee()
    auth.login(person.email)
    learner.start(SLUG)
    learner.client.get(f"/kurser/{SLUG}/fortest")
    assert learner.post(f"/kurser/{SLUG}/fortest", {"q-q2": ["zz"]}).status_code == 400
    assert _pretest(person.id).submitted_at is None


def test_someone_who_has_read_on_is_not_sent_back(make, course, learner, auth):
    """A course that gets a pre-test later does not send a learner half-way back to it."""
    person = make.employee()
    auth.login(person.email)
    learner.start(SLUG)
    learner.post(f"/kurser/{SLUG}/fortest", {"hoppa": "1"})
    learner.post(f"/kurser/{SLUG}/moduler/1/klar")
    db.session.execute(sa.delete(Pretest))
    db.session.commit()
    assert learner.client.get(f"/kurser/{SLUG}/moduler/2").status_code == 200


def test_knowledge_before_and_after_per_objective_uses_the_first_attempt(
    make, course, learner, auth
):
    person = make.employee()
    auth.login(person.email)
    learner.start(SLUG)
    ids = pretest_ids(learner.client.get(f"/kurser/{SLUG}/fortest").get_data(as_text=True))
    # Before: everything wrong.
    learner.post(f"/kurser/{SLUG}/fortest", {f"q-{q}": ["b"] for q in ids})
    for i in (1, 2):
        learner.post(f"/kurser/{SLUG}/moduler/{i}/klar")
    # First attempt: framsteg right (q1, q3), intyg wrong (q2); fails (67 % < 80 %).
    first = learner.start_quiz(SLUG)
    assert learner.submit(first, HALF).status_code == 303
    # A retake with everything right must not count as the after-measure.
    second = learner.start_quiz(SLUG)
    assert learner.submit(second, RIGHT).status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attempt)) == 2

    rows = services.knowledge_rows(db.session, [course.id])
    shares = services.knowledge_by_objective(rows)
    assert shares["framsteg"]["before"].percent == 0
    assert shares["intyg"]["before"].percent == 0
    assert (shares["framsteg"]["after"].answers, shares["framsteg"]["after"].right) == (2, 2)
    assert (shares["intyg"]["after"].answers, shares["intyg"]["after"].right) == (1, 0)
    assert shares["intyg"]["after"].percent == 0
    assert {r.employee_id for r in rows} == {person.id}


def test_skipped_pretest_gives_no_before_measure(make, course, learner, auth):
    person = make.employee()
    auth.login(person.email)
    learner.start(SLUG)
    learner.post(f"/kurser/{SLUG}/fortest", {"hoppa": "1"})
    rows = services.knowledge_rows(db.session, [course.id])
    assert [r for r in rows if r.phase == "before"] == []
