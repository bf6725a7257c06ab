"""Importing SCORM packages: what the manifest gives, versions, and the file store."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.courses import scorm
from app.extensions import db
from app.models import AuditEvent, Course, CourseKind
from tests.scorm import packages


@pytest.fixture
def store(app) -> Path:
    return Path(app.config["UPLOAD_DIR"]) / scorm.SUBDIR


def test_a_scorm_12_package_becomes_a_course(app_ctx, tmp_path, store):
    zip_path = packages.scorm12_single(tmp_path, mastery_score=80)
    result = scorm.import_package(db.session, zip_path, actor=None)
    db.session.commit()

    course = db.session.scalar(sa.select(Course))
    assert course.slug == "scorm-se-exempel-bemotande-12"
    assert course.kind == CourseKind.SCORM
    assert course.title == "Bemötande vid våld i nära relationer"
    assert result.created_course
    assert result.new_version
    version = course.versions[0]
    assert version.is_current
    assert version.version == "1.0"
    content = version.content
    assert content["format"] == "scorm"
    assert content["scorm_version"] == "1.2"
    assert content["identifier"] == "se.exempel.bemotande-12"
    assert content["items"] == [
        {
            "identifier": "ITEM-1",
            "title": "Lektion 1",
            "href": "sco1/index.html",
            "mastery_score": 80,
            "completion_threshold": None,
            "scaled_passing_score": None,
        }
    ]
    assert content["settings"] == {"content_warning": "", "support": []}
    folder = store / content["package_dir"]
    assert content["package_dir"] == version.content_hash
    assert (folder / "sco1" / "index.html").read_text().startswith("<!doctype html>")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "sco1" / "index.html").stat().st_mode) == 0o600
    assert not [p.name for p in store.iterdir() if p.name.startswith(".")]
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "course.scorm_import")
    )
    assert event.details["slug"] == course.slug
    assert event.details["version"] == "1.0"


def test_courses_sync_leaves_a_scorm_course_alone(app_ctx, tmp_path):
    from app.courses.services import sync_courses

    scorm.import_package(db.session, packages.scorm12_single(tmp_path), actor=None)
    db.session.commit()
    (tmp_path / "empty").mkdir()
    report = sync_courses(db.session, tmp_path / "empty")
    db.session.commit()
    assert report.deactivated == []
    assert db.session.scalar(sa.select(Course.active)) is True
