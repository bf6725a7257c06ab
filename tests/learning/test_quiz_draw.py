"""Quizzes that draw per objective (issue 17): one question per objective per attempt, only
the drawn ones scored and accepted; a failed attempt explains without revealing the keyed
answers and names the module to re-read; check questions' options shuffled per person."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.courses.loader import CourseInvalid, load_course
from app.evaluation.services import knowledge_rows
from app.extensions import db
from app.learning import services
from app.models import Attempt
from tests.learning.conftest import attempt_by_token

PRETEST_COURSE = Path(__file__).parents[1] / "data" / "courses" / "example-pretest"
SLUG = "example-draw"


def _question(qid: str, objective: str, right: str, wrong: str) -> str:
    return f"""
  - id: {qid}
    objective: {objective}
    kind: scenario
    scenario: Scenario {qid}.
    text: Fråga {qid}?
    options:
      - id: a
        text: "{right}"
        correct: true
        feedback: "Förklaring rätt {qid}."
      - id: b
        text: "{wrong}"
        correct: false
        feedback: "Förklaring fel {qid}."
"""


QUIZ = "draw_per_objective: 1\nquestions:" + "".join(
    _question(q, o, f"Nyckel {q}", f"Distraktor {q}")
    for q, o in (("f1", "framsteg"), ("f2", "framsteg"), ("i1", "intyg"), ("i2", "intyg"))
)


def _write_course(tmp_path: Path, quiz: str = QUIZ) -> Path:
    target = tmp_path / SLUG
    shutil.copytree(PRETEST_COURSE, target, ignore=shutil.ignore_patterns("en", "lattlast"))
    manifest = (target / "course.yaml").read_text()
    manifest = manifest.replace("id: example-pretest", f"id: {SLUG}")
    manifest = manifest.replace(
        "title: Vad ett intyg visar", "title: Vad ett intyg visar\n    module: 02-provet.md"
    )
    manifest = manifest.replace("pretest:\n  enabled: true", "pretest:\n  enabled: false")
    (target / "course.yaml").write_text(manifest)
    (target / "quiz.yaml").write_text(quiz)
    return target


@pytest.fixture
def draw_course(make, tmp_path):
    return make.synced_course(_write_course(tmp_path))


@pytest.fixture
def mia(make, draw_course, auth):
    person = make.employee(email="mia@k.se", first_name="Mia")
    auth.login("mia@k.se")
    return person


def _start(learner) -> tuple[str, list[str]]:
    learner.start(SLUG)
    for i in (1, 2):
        assert learner.post(f"/kurser/{SLUG}/moduler/{i}/klar").status_code == 302
    token = learner.start_quiz(SLUG)
    return token, sorted(attempt_by_token(token).option_order)


def test_one_question_is_drawn_per_objective_and_only_those_are_shown(client, learner, mia):
    token, drawn = _start(learner)
    assert len(drawn) == 2
    assert {d[0] for d in drawn} == {"f", "i"}  # one framsteg, one intyg
    page = client.get(f"/prov/{token}").get_data(as_text=True)
    shown = set(re.findall(r'name="q-([a-z0-9]+)"', page))
    assert shown == set(drawn)
    assert "Svara på alla 2 frågor" in page


POOL = ("f1", "f2", "f3", "i1")


def test_the_quiz_page_says_how_many_questions_an_attempt_has(client, learner, mia):
    """Not how many the pool holds: the learner answers one per objective."""
    for quiz in (
        {"draw_per_objective": 1, "questions": [{"id": q, "objective": q[0]} for q in POOL]},
        {"draw_per_objective": 2, "questions": [{"id": q, "objective": q[0]} for q in POOL]},
        {"questions": [{"id": q} for q in POOL]},
    ):
        drawn = services.draw_questions(quiz, services.random.Random(1))
        assert services.quiz_length(quiz) == len(drawn)
    _start(learner)  # the modules read: the intro page states the count (4 in the pool)
    page = client.get(f"/kurser/{SLUG}/prov").get_data(as_text=True)
    assert "Provet har 2 frågor." in page


def test_draws_vary_between_attempts():
    rng = services.random.Random(7)
    quiz = {
        "draw_per_objective": 1,
        "questions": [
            {"id": q, "objective": q[0], "options": []} for q in ("f1", "f2", "i1", "i2")
        ],
    }
    draws = {tuple(q["id"] for q in services.draw_questions(quiz, rng)) for _ in range(50)}
    assert draws == {("f1", "i1"), ("f1", "i2"), ("f2", "i1"), ("f2", "i2")}


def test_only_the_drawn_questions_are_scored(client, learner, mia):
    token, drawn = _start(learner)
    response = learner.submit(token, {qid: ["a"] for qid in drawn})
    assert response.status_code == 303
    attempt = attempt_by_token(token)
    assert (attempt.score, attempt.passed) == (100, True)
    assert set(attempt.answers) == set(drawn)


def test_an_answer_to_an_undrawn_question_is_refused(client, learner, mia):
    token, drawn = _start(learner)
    undrawn = next(q for q in ("f1", "f2", "i1", "i2") if q not in drawn)
    answers = {qid: ["a"] for qid in drawn} | {undrawn: ["a"]}
    assert learner.submit(token, answers).status_code == 400
    assert attempt_by_token(token).submitted_at is None


def test_a_failed_attempt_explains_without_the_keyed_answers(client, learner, mia):
    token, drawn = _start(learner)
    response = learner.submit(token, {qid: ["b"] for qid in drawn})
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Inte godkänd" in result
    for qid in drawn:
        assert f"Förklaring fel {qid}." in result  # the explanation of the option chosen
        assert f"Nyckel {qid}" not in result  # never the keyed answer
        assert f"Förklaring rätt {qid}." not in result
    assert "Rätt svar" not in result
    # the intyg objective names its module; framsteg has none
    assert result.count("Läs igen:") == 1
    assert f'href="/kurser/{SLUG}/moduler/2"' in result
    assert "Modul 2" in result


def test_the_after_measure_counts_only_the_drawn_questions(client, learner, mia, draw_course):
    token, drawn = _start(learner)
    learner.submit(token, {drawn[0]: ["a"], drawn[1]: ["b"]})
    rows = knowledge_rows(db.session, [draw_course.id])
    after = sorted((r.objective, r.correct) for r in rows if r.phase == "after")
    assert len(after) == 2
    assert {o for o, _ in after} == {"framsteg", "intyg"}


def test_check_question_options_are_shuffled_per_person_and_stable(client, learner, mia, make):
    orders = {
        tuple(
            services.check_option_order(
                employee_id=e, course_id=1, module_index=0, check_index=0, count=4
            )
        )
        for e in range(1, 40)
    }
    assert len(orders) > 1  # not everyone sees the file's order
    assert all(sorted(o) == [0, 1, 2, 3] for o in orders)
    learner.start(SLUG)
    first = client.get(f"/kurser/{SLUG}/moduler/1").get_data(as_text=True)
    again = client.get(f"/kurser/{SLUG}/moduler/1").get_data(as_text=True)
    ids = re.findall(r'id="(k0-\d+)"', first)
    assert ids == re.findall(r'id="(k0-\d+)"', again)  # a reload does not reshuffle
    version = services.current_version(db.session, SLUG)
    expected = services.check_option_order(
        employee_id=mia.id,
        course_id=version.course_id,
        module_index=0,
        check_index=0,
        count=len(ids),
    )
    assert ids == [f"k0-{i}" for i in expected]


def _problems(folder: Path) -> list[str]:
    with pytest.raises(CourseInvalid) as exc:
        load_course(folder)
    return [str(p) for p in exc.value.problems]


def test_the_validator_enforces_the_draw_rules(tmp_path):
    assert load_course(_write_course(tmp_path / "ok")).content["objective_modules"] == {"intyg": 1}
    one = QUIZ.split("\n  - id: i2")[0]  # intyg keeps one question
    assert any(
        "målet 'intyg' har 1 frågor" in p for p in _problems(_write_course(tmp_path / "a", one))
    )
    no_objective = QUIZ.replace("    objective: framsteg\n", "", 1)
    assert any(
        "varje fråga ha objective" in p
        for p in _problems(_write_course(tmp_path / "b", no_objective))
    )
    folder = _write_course(tmp_path / "c")
    (folder / "en").mkdir()
    (folder / "en" / "quiz.yaml").write_text(QUIZ.replace("draw_per_objective: 1\n", ""))
    assert any("draw_per_objective ska vara samma" in p for p in _problems(folder))
    folder = _write_course(tmp_path / "d")
    manifest = (folder / "course.yaml").read_text().replace("module: 02-provet.md", "module: 09.md")
    (folder / "course.yaml").write_text(manifest)
    assert any("modulen 09.md finns inte" in p for p in _problems(folder))


def test_an_attempt_without_a_draw_has_every_question(learner, make, example, auth):
    make.employee(email="ola@k.se")
    auth.login("ola@k.se")
    learner.read_all()
    token = learner.start_quiz()
    attempt = attempt_by_token(token)
    assert set(attempt.option_order) == {"q1", "q2", "q3"}
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 1
