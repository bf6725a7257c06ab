"""The anonymous evaluation: offered after a completion, optional, once per completion."""

from __future__ import annotations

import threading
from datetime import date

import sqlalchemy as sa

from app.evaluation import services
from app.extensions import db
from app.models import AnonymousPending, Completion, CourseEvaluation, EvaluationReceipt
from tests.evaluation.conftest import completion_of, pass_course, receipts

ANSWERS = {
    "relevance": "4",
    "clarity": "5",
    "confidence": "3",
    "recommend": "ja",
    "free_text": "Bra exempel.",
}


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_offered_on_the_result_page_and_in_my_training(make, course, learner, auth):
    person = make.employee()
    auth.login(person.email)
    token = pass_course(learner)
    completion = completion_of(person.id)
    result = learner.client.get(f"/prov/{token}/resultat").get_data(as_text=True)
    assert f'href="/utvardering/{completion.id}"' in result
    assert "Anonymt och frivilligt" in result
    mine = learner.client.get("/").get_data(as_text=True)
    assert "Utvärdera dina kurser" in mine
    assert f'href="/utvardering/{completion.id}"' in mine


def test_submit_records_a_receipt_and_holds_the_answer(make, course, learner, auth):
    person = make.employee()
    auth.login(person.email)
    pass_course(learner)
    completion = completion_of(person.id)
    page = learner.client.get(f"/utvardering/{completion.id}").get_data(as_text=True)
    assert "Vad tyckte du om kursen?" in page
    assert "Svaren är anonyma" in page
    response = learner.post(f"/utvardering/{completion.id}", ANSWERS)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/")
    after = learner.client.get("/").get_data(as_text=True)
    assert "Tack för din utvärdering!" in after
    assert "Utvärdera dina kurser" not in after  # no longer offered
    assert receipts() == {completion.id}
    # One answer is held until a batch can go (EVALUATION_BATCH = 5).
    assert _count(AnonymousPending) == 1
    assert _count(CourseEvaluation) == 0
    # The session cookie carries nothing of the answers.
    cookie = learner.client.get_cookie("session")
    assert cookie is None or "Bra exempel" not in cookie.value


def test_second_submit_is_refused_politely(make, course, learner, auth):
    person = make.employee()
    auth.login(person.email)
    pass_course(learner)
    completion = completion_of(person.id)
    learner.post(f"/utvardering/{completion.id}", ANSWERS)
    again = learner.post(f"/utvardering/{completion.id}", {**ANSWERS, "relevance": "1"})
    assert again.status_code == 409
    assert "Du har redan utvärderat den här kursen" in again.get_data(as_text=True)
    assert learner.client.get(f"/utvardering/{completion.id}").status_code == 409
    assert _count(AnonymousPending) == 1
    assert _count(EvaluationReceipt) == 1


def test_every_answer_may_be_left_empty_but_not_invented(make, course, learner, auth):
    person = make.employee()
    auth.login(person.email)
    pass_course(learner)
    completion = completion_of(person.id)
    bad = learner.post(
        f"/utvardering/{completion.id}",
        {"relevance": "7", "recommend": "kanske", "free_text": "x" * 2001},
    )
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Välj ett av svaren 1–5, eller lämna frågan tom." in html
    assert "Texten är för lång: högst 2000 tecken." in html
    assert 'href="#relevance-1"' in html  # the summary links to the field
    assert _count(EvaluationReceipt) == 0
    empty = learner.post(f"/utvardering/{completion.id}", {})
    assert empty.status_code == 303
    held = db.session.scalars(sa.select(AnonymousPending)).one()
    assert held.payload["relevance"] is None
    assert held.payload["free_text"] is None


def test_skipping_stores_nothing_and_keeps_the_offer(make, course, learner, auth):
    person = make.employee()
    auth.login(person.email)
    pass_course(learner)
    completion = completion_of(person.id)
    response = learner.post(f"/utvardering/{completion.id}", {**ANSWERS, "hoppa": "1"})
    assert response.status_code == 303
    assert _count(EvaluationReceipt) == 0
    assert _count(AnonymousPending) == 0
    assert f'href="/utvardering/{completion.id}"' in learner.client.get("/").get_data(as_text=True)


def test_someone_elses_completion_does_not_exist(make, course, learner, auth):
    owner = make.employee()
    other = make.employee()
    completion = make.completion(owner, course, on=date(2026, 11, 3))
    auth.login(other.email)
    assert learner.client.get(f"/utvardering/{completion.id}").status_code == 404
    assert learner.post(f"/utvardering/{completion.id}", ANSWERS).status_code == 404
    # Training registered by HR (not read in Värna) is not evaluated here either.
    external = make.completion(other, course, source="external")
    assert learner.client.get(f"/utvardering/{external.id}").status_code == 404


def test_questions_follow_the_variant_the_course_was_read_in(make, course, learner, auth):
    person = make.employee()
    auth.login(person.email)
    pass_course(learner, variant="en")
    completion = completion_of(person.id)
    page = learner.client.get(f"/utvardering/{completion.id}").get_data(as_text=True)
    assert '<div lang="en">' in page
    assert "What did you think of the course?" in page
    learner.post(f"/utvardering/{completion.id}", ANSWERS)
    assert db.session.scalars(sa.select(AnonymousPending)).one().payload["variant"] == "en"

    plain = make.employee()
    auth.logout()
    auth.login(plain.email)
    pass_course(learner, variant="lattlast")
    completion = completion_of(plain.id)
    page = learner.client.get(f"/utvardering/{completion.id}").get_data(as_text=True)
    assert "Ingen får veta vad du svarar." in page
    assert "Kursen var lätt att förstå." in page


def test_concurrent_double_submit_gives_one(app, make, course):
    person = make.employee()
    completion = make.completion(person, course, on=date(2026, 11, 3))
    completion_id = completion.id
    answers = services.parse_evaluation(ANSWERS)
    threads_n = 6
    barrier = threading.Barrier(threads_n, timeout=60)
    outcomes: list[str] = []
    lock = threading.Lock()

    def submit() -> None:
        with app.app_context():
            try:
                mine = db.session.get(Completion, completion_id)
                barrier.wait()
                services.submit_evaluation(db.session, completion=mine, answers=answers, variant="")
                db.session.commit()
                outcome = "recorded"
            except services.AlreadyAnswered:
                db.session.rollback()
                outcome = "already"
            except Exception as exc:  # noqa: BLE001 - reported by the assertion
                db.session.rollback()
                outcome = f"error: {exc!r}"
            finally:
                db.session.remove()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=submit, daemon=True) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(outcomes) == ["already"] * (threads_n - 1) + ["recorded"], outcomes
    assert _count(EvaluationReceipt) == 1
    assert _count(AnonymousPending) == 1


def test_answers_are_released_in_batches_and_at_the_months_end(app, make, course):
    unit = make.unit()
    people = [make.employee(unit=unit) for _ in range(6)]
    answers = services.parse_evaluation(ANSWERS)
    for n, person in enumerate(people[:4]):
        c = make.completion(person, course, on=date(2026, 11, 3 + n))
        services.submit_evaluation(db.session, completion=c, answers=answers, variant="")
        db.session.commit()
        assert services.release_now(db.session, batch=5) == 0
    assert _count(CourseEvaluation) == 0
    c = make.completion(people[4], course, on=date(2026, 11, 9))
    services.submit_evaluation(db.session, completion=c, answers=answers, variant="")
    db.session.commit()
    assert services.release_now(db.session, batch=5) == 5
    assert _count(CourseEvaluation) == 5
    assert _count(AnonymousPending) == 0
    # One alone waits for the next batch, or for the month to end.
    c = make.completion(people[5], course, on=date(2026, 11, 10))
    services.submit_evaluation(db.session, completion=c, answers=answers, variant="")
    db.session.commit()
    held_month = db.session.scalars(sa.select(AnonymousPending.held_month)).one()
    assert services.release_now(db.session, batch=5, everything_before=held_month) == 0
    later = services.month_of(date(int(held_month[:4]) + 1, 1, 1))
    assert services.release_now(db.session, batch=5, everything_before=later) == 1
    rows = db.session.scalars(sa.select(CourseEvaluation)).all()
    assert len(rows) == 6
    assert {r.month for r in rows} == {"2026-11"}
    assert {r.level for r in rows} == {"medarbetare"}
    assert all(len(r.id) == 36 for r in rows)


def test_release_command(runner, make, course):
    person = make.employee()
    c = make.completion(person, course, on=date(2026, 11, 3))
    services.submit_evaluation(
        db.session, completion=c, answers=services.parse_evaluation(ANSWERS), variant=""
    )
    db.session.commit()
    db.session.execute(sa.update(AnonymousPending).values(held_month="2000-01"))
    db.session.commit()
    result = runner.invoke(args=["evaluation", "release"])
    assert result.exit_code == 0, result.output
    assert "1 anonymt svar skrivna." in result.output
    assert _count(CourseEvaluation) == 1
