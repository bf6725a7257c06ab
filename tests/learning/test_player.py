"""The course player and the quiz through HTTP: warning first, progress, checks, tampering."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Attempt, Completion, Progress
from tests.learning.conftest import RIGHT, WRONG, attempt_by_token


@pytest.fixture
def mia(make, example, auth):
    person = make.employee(email="mia@k.se", first_name="Mia")
    auth.login("mia@k.se")
    return person


def _progress(employee) -> Progress:
    db.session.expire_all()
    return db.session.scalars(sa.select(Progress).where(Progress.employee_id == employee.id)).one()


def test_the_content_warning_comes_first(client, mia):
    response = client.get("/kurser/example-intro/moduler/1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/kurser/example-intro")
    page = client.get("/kurser/example-intro").get_data(as_text=True)
    assert "Innan du börjar" in page
    assert "Det här är en exempelkurs" in page
    assert "Jag har läst – starta kursen" in page


def test_every_course_page_has_support_and_a_quick_exit(client, learner, mia):
    learner.start()
    for path in ("/kurser/example-intro", "/kurser/example-intro/moduler/1"):
        page = client.get(path).get_data(as_text=True)
        assert 'href="https://www.google.se"' in page
        assert "Lämna sidan snabbt" in page
        assert 'target="_blank"' not in page
        assert "Kvinnofridslinjen" in page
        assert 'href="tel:020505050"' in page
        assert "Polisen vid akut fara" in page  # the municipality's contacts from config


def test_progress_is_saved_on_every_step_and_resumed(client, learner, auth, mia):
    response = learner.start()
    assert response.headers["Location"].endswith("/kurser/example-intro/moduler/1")
    response = learner.post("/kurser/example-intro/moduler/1/klar")
    assert response.headers["Location"].endswith("/kurser/example-intro/moduler/2")
    progress = _progress(mia)
    assert (progress.module_index, progress.modules_done, progress.warning_accepted) == (
        1,
        [0],
        True,
    )
    auth.logout()
    auth.login("mia@k.se")
    page = client.get("/kurser/example-intro").get_data(as_text=True)
    assert "Fortsätt där du var: modul 2 av 2" in page
    assert 'href="/kurser/example-intro/moduler/2"' in page


def test_modules_cannot_be_skipped(client, learner, mia):
    learner.start()
    response = client.get("/kurser/example-intro/moduler/2")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/moduler/1")
    assert client.get("/kurser/example-intro/moduler/3").status_code == 404
    assert learner.post("/kurser/example-intro/moduler/2/klar").status_code == 400
    assert learner.post("/kurser/example-intro/moduler/7/klar").status_code == 400
    assert _progress(mia).module_index == 0


def test_check_question_gives_feedback_without_javascript(client, learner, mia):
    learner.start()
    right = learner.post("/kurser/example-intro/moduler/1/kontroll/0", {"svar": "0"})
    assert right.status_code == 200
    html = right.get_data(as_text=True)
    assert "Rätt!" in html
    assert "Värna sparar var du är efter varje steg." in html
    wrong = learner.post("/kurser/example-intro/moduler/1/kontroll/0", {"svar": "1"})
    assert "Inte riktigt." in wrong.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/kurser/example-intro/moduler/1/kontroll/0", {"svar": "5"}),  # not an option
        ("/kurser/example-intro/moduler/1/kontroll/0", {"svar": "x"}),
        ("/kurser/example-intro/moduler/1/kontroll/0", {"svar": ["0", "1"]}),  # single
        ("/kurser/example-intro/moduler/1/kontroll/3", {"svar": "0"}),  # no such check
        ("/kurser/example-intro/moduler/9/kontroll/0", {"svar": "0"}),  # no such module
        ("/kurser/example-intro/starta", {"variant": "klingon"}),
    ],
)
def test_tampered_player_forms_get_400(learner, mia, path, data):
    learner.start()
    assert learner.post(path, data).status_code == 400
    assert _progress(mia).module_index == 0


def test_variant_is_chosen_and_shown(client, learner, mia):
    page = client.get("/kurser/example-intro").get_data(as_text=True)
    assert 'lang="en">English</label>' in page
    learner.start(variant="en")
    html = client.get("/kurser/example-intro/moduler/1").get_data(as_text=True)
    assert "Welcome" in html
    assert 'lang="en"' in html
    learner.start(variant="")
    assert "Välkommen" in client.get("/kurser/example-intro/moduler/1").get_data(as_text=True)


def test_quiz_waits_for_the_modules(learner, mia):
    learner.start()
    response = learner.post("/kurser/example-intro/prov")
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 0


def test_fail_then_retake_and_pass_records_one_completion(client, learner, mia):
    learner.read_all()
    token = learner.start_quiz()
    attempt = attempt_by_token(token)
    assert set(attempt.option_order) == {"q1", "q2", "q3"}
    assert sorted(attempt.option_order["q2"]) == ["a", "b", "c"]
    page = client.get(f"/prov/{token}").get_data(as_text=True)
    assert "Lämna in provet" in page
    assert "correct" not in page

    response = learner.submit(token, WRONG)
    assert response.status_code == 303
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Inte godkänd" in result
    assert "Du hade 0 % rätt" in result
    assert "Nej. Värna sparar var du är efter varje steg." in result  # feedback per question
    assert "Gör om provet" in result
    assert db.session.scalar(sa.select(sa.func.count(Completion.id))) == 0

    retake = learner.start_quiz()
    assert retake != token
    response = learner.submit(retake, RIGHT)
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Godkänd" in result
    assert "Ladda ner intyget (PDF)" in result
    completion = db.session.scalars(sa.select(Completion)).one()
    attempt = attempt_by_token(retake)
    assert completion.attempt_id == attempt.id
    assert completion.score == 100
    assert completion.course_version_id == attempt.course_version_id
    assert completion.source == "online"
    assert len(completion.verification_code) == 16
    months = (completion.expires_at.year - completion.completed_at.year) * 12 + (
        completion.expires_at.month - completion.completed_at.month
    )
    assert months == 12
    assert attempt.passed is True
    assert attempt.answers == RIGHT


def test_unanswered_questions_re_render_the_form(client, learner, mia):
    learner.read_all()
    token = learner.start_quiz()
    response = learner.submit(token, {"q2": ["a"]})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    # a gap on each side of the answer: the summary names and links the questions
    # that are unanswered, numbered as they are shown (issue 20, point 2)
    links = re.findall(r'<a href="#q-(q\d+)-\w+">Fråga (\d+) saknar svar</a>', html)
    assert links == [("q1", "1"), ("q3", "3")]
    assert "<title>Fel: " in html
    assert 'value="a" checked' in html
    assert attempt_by_token(token).submitted_at is None


def test_the_same_attempt_submitted_twice_is_recorded_once(client, learner, mia):
    learner.read_all()
    token = learner.start_quiz()
    first = learner.submit(token, RIGHT)
    again = learner.submit(token, RIGHT)  # double click, back button
    assert first.status_code == again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    other = learner.submit(token, WRONG)  # another tab with other answers
    assert other.status_code == 400
    assert "Provet är redan inlämnat" in other.get_data(as_text=True)
    attempt = attempt_by_token(token)
    assert attempt.answers == RIGHT
    assert db.session.scalar(sa.select(sa.func.count(Completion.id))) == 1


@pytest.mark.parametrize(
    "answers",
    [
        {"q1": ["c"], "q2": ["a"], "q3": ["a"]},  # option c belongs to q2
        {"q1": ["a", "b"], "q2": ["a"], "q3": ["a"]},  # two answers to a single question
        {"q1": ["a"], "q2": ["a"], "q3": ["a"], "q9": ["a"]},  # no such question
    ],
)
def test_tampered_answers_get_400_and_change_nothing(learner, mia, answers):
    learner.read_all()
    token = learner.start_quiz()
    assert learner.submit(token, answers).status_code == 400
    attempt = attempt_by_token(token)
    assert attempt.submitted_at is None
    assert attempt.answers is None


def test_a_finished_attempt_cannot_be_changed(learner, mia):
    learner.read_all()
    token = learner.start_quiz()
    learner.submit(token, WRONG)
    assert learner.submit(token, RIGHT).status_code == 400
    attempt = attempt_by_token(token)
    assert attempt.passed is False
    assert db.session.scalar(sa.select(sa.func.count(Completion.id))) == 0


def test_start_page_shows_required_available_and_history(client, make, example, mia):
    other = make.course("brandskydd", title="Brandskydd på jobbet")  # loaded, in catalogue
    make.requirement(example, levels=("medarbetare",), due_days=30, starts_on=date(2024, 1, 1))
    db.session.add(
        Completion(
            employee_id=mia.id,
            title="Föreläsning om hedersförtryck",
            completed_at=datetime(2023, 5, 4, 10, tzinfo=UTC),
            source="session",
            verification_code="SESSIONCODE00001",
        )
    )
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    required = html.split("Utbildningar som krävs av dig")[1].split("Fler kurser")[0]
    assert "Exempelkurs: så fungerar en kurs i Värna" in required
    assert "Försenad" in required
    assert other.title in html.split("Fler kurser")[1].split("Min historik")[0]
    history = html.split("Min historik")[1]
    assert "Föreläsning om hedersförtryck" in history
    assert "2023-05-04" in history
    assert "Utbildningstillfälle" in history


def test_a_course_file_error_does_not_take_down_the_site(client, make, mia, tmp_path):
    import shutil

    from app.courses.services import sync_courses
    from tests.factories import EXAMPLE_COURSE

    root = tmp_path / "courses"
    shutil.copytree(EXAMPLE_COURSE, root / "example-intro")
    (root / "example-intro" / "quiz.yaml").write_text("questions: [\n")
    report = sync_courses(db.session, root)
    db.session.commit()
    assert not report.ok
    assert client.get("/").status_code == 200
    assert client.get("/kurser/example-intro").status_code == 200
