"""The SCORM player without a browser: the commit endpoint, completion, resume data, the
content origin (who gets the files, MIME types, ranges, no listing, no escape)."""

from __future__ import annotations

import json
import threading
import time

import pytest
import sqlalchemy as sa

from app import dates
from app.extensions import db
from app.learning import scorm as player
from app.models import Attempt, Completion, ScormRuntime
from app.reports.coverage import employee_statuses
from app.scorm_content import create_content_app, make_token
from tests.conftest import csrf_from
from tests.scorm.conftest import imported
from tests.scorm.packages import multi_sco, scorm12_single, scorm2004


def _launch(client, slug: str, number: int = 1) -> dict:
    page = client.get(f"/kurser/{slug}/del/{number}")
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    start = html.index('<script type="application/json" id="scorm-launch">') + len(
        '<script type="application/json" id="scorm-launch">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def _start(client, slug: str):
    token = csrf_from(client.get(f"/kurser/{slug}").get_data(as_text=True))
    return client.post(f"/kurser/{slug}/starta", data={"csrf_token": token})


def _commit(client, slug: str, launch: dict, cmi: dict, *, header: bool = True, item=None):
    headers = {"X-CSRFToken": launch["csrfToken"]} if header else {}
    return client.post(
        launch["commitUrl"],
        data=json.dumps(
            {
                "item": item or launch["item"]["identifier"],
                "cmi": cmi,
                "page_token": launch["pageToken"],
            }
        ),
        content_type="application/json",
        headers=headers,
    )


@pytest.fixture
def learner(make, auth):
    person = make.employee(email="ida@k.se", first_name="Ida", last_name="Berg")
    auth.login("ida@k.se")
    return person


def test_warning_first_then_commit_resume_and_complete_12(client, make, learner, tmp_path):
    version = imported(scorm12_single(tmp_path, mastery_score=80))
    slug = version.course.slug
    # The player waits for the content warning to be accepted.
    assert client.get(f"/kurser/{slug}/del/1").headers["Location"].endswith(f"/kurser/{slug}")
    course_page = client.get(f"/kurser/{slug}").get_data(as_text=True)
    assert "Innan du börjar" in course_page
    assert "Lämna sidan snabbt" in course_page
    assert _start(client, slug).headers["Location"].endswith(f"/kurser/{slug}/del/1")

    launch = _launch(client, slug)
    assert launch["cmi"]["core"]["entry"] == "ab-initio"
    assert launch["cmi"]["student_data"]["mastery_score"] == "80"
    cmi = {
        "core": {"lesson_location": "sida-2", "lesson_status": "incomplete", "exit": "suspend"},
        "suspend_data": "sida=2",
    }
    response = _commit(client, slug, launch, cmi)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json == {
        "item_done": False,
        "course_done": False,
        "items": {"ITEM-1": "started"},
    }

    # The next launch (another device: only the server's data) resumes where it stopped.
    again = _launch(client, slug)
    assert again["cmi"]["core"]["entry"] == "resume"
    assert again["cmi"]["core"]["lesson_location"] == "sida-2"
    assert again["cmi"]["suspend_data"] == "sida=2"

    # "completed" is not enough when the item has a mastery score.
    cmi["core"].update(lesson_status="completed", score={"raw": "90", "min": "0", "max": "100"})
    assert _commit(client, slug, again, cmi).json["course_done"] is False
    cmi["core"]["lesson_status"] = "passed"
    assert _commit(client, slug, again, cmi).json["course_done"] is True

    completion = db.session.scalars(sa.select(Completion)).one()
    assert (completion.employee_id, completion.course_id, completion.score) == (
        learner.id,
        version.course_id,
        90,
    )
    assert completion.source == "online"
    # Another commit later (a relaunch) records nothing more.
    assert _commit(client, slug, again, cmi).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(Completion.id))) == 1
    row = db.session.scalars(sa.select(ScormRuntime)).one()
    assert (row.lesson_status, row.lesson_location, row.score, row.done) == (
        "passed",
        "sida-2",
        90,
        True,
    )


def test_completed_counts_without_a_mastery_score(client, learner, tmp_path):
    version = imported(scorm12_single(tmp_path, mastery_score=None))
    slug = version.course.slug
    _start(client, slug)
    launch = _launch(client, slug)
    assert _commit(client, slug, launch, {"core": {"lesson_status": "completed"}}).json[
        "course_done"
    ]
    completion = db.session.scalars(sa.select(Completion)).one()
    assert completion.score is None


def test_2004_suspend_data_objectives_and_the_rule(client, make, learner, tmp_path):
    version = imported(scorm2004(tmp_path))
    slug = version.course.slug
    _start(client, slug)
    launch = _launch(client, slug)
    assert launch["scormVersion"] == "2004"
    assert launch["cmi"]["completion_threshold"] == "0.8"
    assert launch["cmi"]["scaled_passing_score"] == "0.7"
    objectives = {"0": {"id": "obj-huvud", "success_status": "passed"}}
    cmi = {
        "completion_status": "completed",
        "success_status": "failed",
        "location": "s3",
        "suspend_data": "x" * 64000,
        "score": {"scaled": "0.5"},
        "objectives": objectives,
        "exit": "suspend",
    }
    # Completed but failed is not done.
    assert _commit(client, slug, launch, cmi).json["course_done"] is False
    resumed = _launch(client, slug)
    assert resumed["cmi"]["entry"] == "resume"
    assert resumed["cmi"]["objectives"] == objectives
    assert len(resumed["cmi"]["suspend_data"]) == 64000
    cmi.update(success_status="passed", score={"scaled": "0.85"})
    assert _commit(client, slug, resumed, cmi).json["course_done"] is True
    row = db.session.scalars(sa.select(ScormRuntime)).one()
    assert (row.completion_status, row.success_status, row.score_scaled, row.score) == (
        "completed",
        "passed",
        0.85,
        85,
    )
    assert row.objectives == [{"id": "obj-huvud", "success_status": "passed"}]
    # In coverage the person's status is completed (a requirement makes it counted).
    course = version.course
    make.requirement(course)
    statuses = employee_statuses(db.session, learner.id, dates.today())
    assert [s.status.value for s in statuses if s.course_id == course.id] == ["completed"]


@pytest.mark.parametrize(
    ("cmi", "words"),
    [
        ({"suspend_data": "x" * 4097}, "cmi.suspend_data"),
        ({"core": {"lesson_status": "klar"}}, "cmi.core.lesson_status"),
        ({"core": {"score": {"raw": "mycket"}}}, "cmi.core.score.raw"),
        ({"core": {"lesson_location": "x" * 256}}, "cmi.core.lesson_location"),
        ("inte ett objekt", "cmi"),
    ],
)
def test_a_refused_commit_names_the_field_and_stores_nothing(client, learner, tmp_path, cmi, words):
    version = imported(scorm12_single(tmp_path))
    slug = version.course.slug
    _start(client, slug)
    launch = _launch(client, slug)
    response = _commit(client, slug, launch, cmi)
    assert response.status_code == 400
    assert words in response.json["error"]
    assert db.session.scalar(sa.select(sa.func.count(ScormRuntime.id))) == 0


def test_the_commit_needs_the_page_token_and_a_valid_csrf_header(client, make, learner, tmp_path):
    version = imported(scorm12_single(tmp_path))
    slug = version.course.slug
    _start(client, slug)
    launch = _launch(client, slug)
    cmi = {"core": {"lesson_status": "incomplete"}}
    # A beacon: no header, the page token in the body.
    assert _commit(client, slug, launch, cmi, header=False).status_code == 200
    forged = {**launch, "pageToken": "nej"}
    assert _commit(client, slug, forged, cmi, header=False).status_code == 400
    assert _commit(client, slug, {**launch, "csrfToken": "nej"}, cmi).status_code == 400
    # Another person's page token is not theirs to use.
    other = make.employee(email="ola@k.se")
    client2 = client.application.test_client()
    from tests.conftest import AuthActions

    AuthActions(client2).login(other.email)
    assert _commit(client2, slug, launch, cmi, header=False).status_code == 400


def test_multi_sco_is_done_when_every_item_is(client, learner, tmp_path):
    version = imported(multi_sco(tmp_path))
    slug = version.course.slug
    _start(client, slug)
    page = client.get(f"/kurser/{slug}/del/2").get_data(as_text=True)
    assert "Kursens delar" in page
    assert 'aria-current="page"' in page
    done = {"core": {"lesson_status": "completed"}}
    for number, identifier in enumerate(["DEL-1", "DEL-2", "DEL-3"], start=1):
        launch = _launch(client, slug, number)
        assert launch["item"]["identifier"] == identifier
        result = _commit(client, slug, launch, done).json
        assert result["course_done"] is (number == 3)
    assert db.session.scalar(sa.select(sa.func.count(Completion.id))) == 1
    # An item that is not the package's is refused.
    launch = _launch(client, slug, 1)
    assert _commit(client, slug, launch, done, item="DEL-9").status_code == 404
    assert client.get(f"/kurser/{slug}/del/4").status_code == 404


def _run_concurrently(app, n, work):
    barrier = threading.Barrier(n, timeout=60)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            with app.app_context():
                try:
                    barrier.wait()
                    result = work(index)
                    db.session.commit()
                    outcome = "recorded" if result.completion else "not recorded"
                finally:
                    db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported below
            barrier.abort()
            outcome = f"error: {exc!r}"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 300
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), outcomes
    return sorted(outcomes)


def test_two_commits_completing_at_once_give_one_completion(app, make, tmp_path):
    version = imported(scorm12_single(tmp_path, mastery_score=None))
    person = make.employee()
    player.start(db.session, employee_id=person.id, version=version)
    db.session.commit()
    version_id, person_id = version.id, person.id

    def work(_index):
        from app.models import CourseVersion

        mine = db.session.get(CourseVersion, version_id)
        return player.commit(
            db.session,
            employee_id=person_id,
            version=mine,
            item_identifier="ITEM-1",
            cmi={"core": {"lesson_status": "passed", "score": {"raw": "70"}}},
        )

    assert _run_concurrently(app, 2, work) == ["not recorded", "recorded"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Completion.id))) == 1
    assert db.session.scalars(sa.select(Attempt)).one().score == 70


def test_two_last_items_finished_at_once_still_complete_the_course(app, make, tmp_path):
    version = imported(multi_sco(tmp_path))
    person = make.employee()
    player.start(db.session, employee_id=person.id, version=version)
    player.commit(
        db.session,
        employee_id=person.id,
        version=version,
        item_identifier="DEL-1",
        cmi={"core": {"lesson_status": "completed"}},
    )
    db.session.commit()
    version_id, person_id = version.id, person.id

    def work(index):
        from app.models import CourseVersion

        return player.commit(
            db.session,
            employee_id=person_id,
            version=db.session.get(CourseVersion, version_id),
            item_identifier=["DEL-2", "DEL-3"][index],
            cmi={"core": {"lesson_status": "completed"}},
        )

    assert _run_concurrently(app, 2, work) == ["not recorded", "recorded"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Completion.id))) == 1


# -- the content origin -------------------------------------------------------------------


@pytest.fixture
def content(app):
    content_app = create_content_app(
        {
            "SECRET_KEY": app.config["SECRET_KEY"],
            "UPLOAD_DIR": app.config["UPLOAD_DIR"],
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        }
    )
    yield content_app.test_client()
    content_app.extensions["scorm_content_engine"].dispose()


def _token(app, version, person) -> str:
    return make_token(
        app.config["SECRET_KEY"],
        employee_id=person.id,
        version_id=version.id,
        package_dir=version.content["package_dir"],
    )


def test_content_files_types_ranges_and_refusals(app, content, make, tmp_path):
    video = bytes(range(256)) * 40
    path = scorm12_single(
        tmp_path,
        extra_files={
            "sco1/film.mp4": video,
            "sco1/film.webm": b"webm",
            "sco1/stil.css": "p{}",
            "sco1/data.json": "{}",
            "sco1/bild.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
            "sco1/font.woff2": b"wOF2",
        },
    )
    version = imported(path)
    person = make.employee()
    base = f"/p/{_token(app, version, person)}/"
    expected = {
        "sco1/index.html": "text/html",
        "sco1/sco.js": "text/javascript",
        "sco1/stil.css": "text/css",
        "sco1/data.json": "application/json",
        "sco1/film.mp4": "video/mp4",
        "sco1/film.webm": "video/webm",
        "sco1/bild.svg": "image/svg+xml",
        "sco1/font.woff2": "font/woff2",
    }
    for name, mimetype in expected.items():
        response = content.get(base + name)
        assert response.status_code == 200, name
        assert response.mimetype == mimetype, name
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    ranged = content.get(base + "sco1/film.mp4", headers={"Range": "bytes=100-199"})
    assert ranged.status_code == 206
    assert ranged.data == video[100:200]
    assert ranged.headers["Content-Range"] == f"bytes 100-199/{len(video)}"
    # Never a listing, never outside the package, never without a valid token.
    for bad in ("", "sco1", "sco1/", "../", "sco1/../../x", "%2e%2e/x", "sco1/saknas.html"):
        assert content.get(base + bad).status_code == 404, bad
    assert content.get("/p/ogiltig/sco1/index.html").status_code == 404
    other_dir = make_token(
        app.config["SECRET_KEY"], employee_id=person.id, version_id=version.id, package_dir="../x"
    )
    assert content.get(f"/p/{other_dir}/sco1/index.html").status_code == 404


def test_content_refused_once_the_person_or_course_may_no_longer_take_it(
    app, content, make, tmp_path
):
    version = imported(scorm12_single(tmp_path))
    person = make.employee()
    url = f"/p/{_token(app, version, person)}/sco1/index.html"
    assert content.get(url).status_code == 200
    person.active = False  # left the municipality
    db.session.commit()
    assert content.get(url).status_code == 404
    person.active = True
    version.course.active = False  # HR took the course away
    db.session.commit()
    assert content.get(url).status_code == 404
    # A version that is no longer current: only for those who started it.
    version.course.active = True
    version.is_current = False
    db.session.commit()
    assert content.get(url).status_code == 404
    player.start(db.session, employee_id=person.id, version=version)
    db.session.commit()
    assert content.get(url).status_code == 200


def test_content_token_expires(app, make, tmp_path):
    version = imported(scorm12_single(tmp_path))
    person = make.employee()
    short = create_content_app(
        {
            "SECRET_KEY": app.config["SECRET_KEY"],
            "UPLOAD_DIR": app.config["UPLOAD_DIR"],
            "SCORM_CONTENT_TOKEN_MINUTES": -1,
        }
    ).test_client()
    assert short.get(f"/p/{_token(app, version, person)}/sco1/index.html").status_code == 404


def test_the_launch_is_refused_to_whom_may_not_take_the_course(client, make, auth, tmp_path):
    version = imported(scorm12_single(tmp_path))
    slug = version.course.slug
    make.employee(email="ute@k.se", active=False)
    # Not logged in: to the login page, no token.
    assert client.get(f"/kurser/{slug}/del/1").status_code == 302
    # A course that is no longer active: no page, so no content address.
    make.employee(email="in@k.se")
    auth.login("in@k.se")
    _start(client, slug)
    assert client.get(f"/kurser/{slug}/del/1").status_code == 200
    version.course.active = False
    db.session.commit()
    assert client.get(f"/kurser/{slug}/del/1").status_code == 404
    assert client.get(f"/kurser/{slug}").status_code == 404


def _complete_12(client, tmp_path):
    version = imported(scorm12_single(tmp_path, mastery_score=None))
    slug = version.course.slug
    _start(client, slug)
    launch = _launch(client, slug)
    cmi = {"core": {"lesson_status": "completed", "score": {"raw": "75"}}, "suspend_data": "x"}
    assert _commit(client, slug, launch, cmi).json["course_done"]
    return version, db.session.scalars(sa.select(Completion)).one()


def test_a_scorm_completion_has_a_certificate(client, learner, tmp_path):
    version, completion = _complete_12(client, tmp_path)
    response = client.get(f"/intyg/{completion.id}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
