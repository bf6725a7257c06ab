"""`courses sync` and `courses validate`: versions per content hash, broken courses refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.courses.services import sync_courses
from app.extensions import db
from app.models import AuditEvent, Course, CourseVersion
from tests.factories import EXAMPLE_COURSE


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "courses"
    root.mkdir()
    shutil.copytree(EXAMPLE_COURSE, root / "example-intro")
    return root


def _versions() -> list[CourseVersion]:
    return list(db.session.scalars(sa.select(CourseVersion).order_by(CourseVersion.id)))


def test_sync_loads_then_changes_make_a_new_current_version(app_ctx, root: Path):
    report = sync_courses(db.session, root)
    db.session.commit()
    assert report.created == ["example-intro 1.0"]
    course = db.session.scalars(sa.select(Course)).one()
    assert course.title.startswith("Exempelkurs")
    assert course.prevention_levels == ["universal"]
    assert course.valid_months == 12

    again = sync_courses(db.session, root)
    db.session.commit()
    assert again.unchanged == ["example-intro 1.0"]
    assert len(_versions()) == 1

    module = root / "example-intro" / "02-provet.md"
    module.write_text(module.read_text() + "\nEtt förtydligande.\n")
    manifest = root / "example-intro" / "course.yaml"
    manifest.write_text(manifest.read_text().replace('version: "1.0"', 'version: "1.1"'))
    report = sync_courses(db.session, root)
    db.session.commit()
    assert report.created == ["example-intro 1.1"]
    first, second = _versions()
    assert (first.is_current, second.is_current) == (False, True)
    assert second.version == "1.1"
    assert first.content_hash != second.content_hash
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["course.version", "course.version"]


def test_a_broken_course_is_refused_and_the_loaded_version_keeps_serving(app_ctx, root: Path):
    sync_courses(db.session, root)
    db.session.commit()
    (loaded,) = _versions()
    quiz = root / "example-intro" / "quiz.yaml"
    quiz.write_text("questions: [\n")
    report = sync_courses(db.session, root)
    db.session.commit()
    assert not report.ok
    assert "example-intro" in report.refused
    assert str(quiz) in str(report.refused["example-intro"][0])
    assert [(v.id, v.is_current) for v in _versions()] == [(loaded.id, True)]


def test_a_gone_folder_makes_the_course_inactive(app_ctx, root: Path):
    sync_courses(db.session, root)
    db.session.commit()
    shutil.rmtree(root / "example-intro")
    report = sync_courses(db.session, root)
    db.session.commit()
    assert report.deactivated == ["example-intro"]
    course = db.session.scalars(sa.select(Course)).one()
    assert course.active is False
    assert _versions()[0].is_current  # its records and content stay


def test_reverted_content_makes_the_earlier_version_current_again(app_ctx, root: Path):
    module = root / "example-intro" / "02-provet.md"
    original = module.read_text()
    sync_courses(db.session, root)
    module.write_text(original + "\nÄndring.\n")
    sync_courses(db.session, root)
    module.write_text(original)
    sync_courses(db.session, root)
    db.session.commit()
    first, second = _versions()
    assert (first.is_current, second.is_current) == (True, False)


def test_cli_validate_passes_on_the_example_and_fails_naming_the_file(runner, root: Path):
    ok = runner.invoke(args=["courses", "validate", str(root)])
    assert ok.exit_code == 0, ok.output
    assert "OK example-intro" in ok.output
    quiz = root / "example-intro" / "quiz.yaml"
    quiz.write_text(quiz.read_text().replace("correct: true", "correct: false"))
    bad = runner.invoke(args=["courses", "validate", str(root / "example-intro")])
    assert bad.exit_code == 1
    assert f"{quiz}:2: questions[1]" in bad.output


def test_cli_sync_refuses_a_broken_course_with_non_zero_exit(app, runner, root: Path):
    configured = app.config["COURSES_DIR"]
    app.config["COURSES_DIR"] = str(root)
    try:
        first = runner.invoke(args=["courses", "sync"])
        assert first.exit_code == 0, first.output
        assert "Ny version: example-intro 1.0" in first.output
        (root / "example-intro" / "course.yaml").write_text("id: [\n")
        second = runner.invoke(args=["courses", "sync"])
        assert second.exit_code == 1
        assert "Vägrad: example-intro" in second.output
    finally:
        app.config["COURSES_DIR"] = configured
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(CourseVersion.id))) == 1
