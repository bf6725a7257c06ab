"""`flask --app wsgi courses import-scorm FILE`: the result or the refusal, exit code 1."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Course
from tests.scorm import packages
from tests.scorm.conftest import Unchanged


def test_import_prints_the_course_and_its_parts(runner, app_ctx, tmp_path):
    path = packages.multi_sco(tmp_path)
    result = runner.invoke(args=["courses", "import-scorm", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Ny kurs: Tre delar om trygghet (scorm-se-exempel-flera-delar), version 1.0."
    assert lines[1] == "SCORM 1.2, 3 delar: Del 1, Del 2, Del 3"
    assert "Köpta kurser (SCORM)" in lines[2]
    db.session.remove()
    assert db.session.scalar(sa.select(Course.slug)) == "scorm-se-exempel-flera-delar"
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "course.scorm_import")
    )
    assert event.actor_id is None
    assert event.details["filename"] == "multi.zip"

    again = runner.invoke(args=["courses", "import-scorm", str(path)])
    assert again.exit_code == 0
    assert again.output.splitlines()[0].endswith(
        "paketet är detsamma som version 1.0, inget ändrat."
    )


def test_a_refusal_says_why_and_exits_1(runner, app_ctx, tmp_path):
    unchanged = Unchanged(app_ctx)
    path = packages.build_zip(tmp_path / "kurs.zip", {"kurs/imsmanifest.xml": "<manifest/>"})
    result = runner.invoke(args=["courses", "import-scorm", str(path)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Vägrad: kurs.zip: imsmanifest.xml finns inte överst i paketet")
    assert "”kurs/imsmanifest.xml”" in result.stderr
    unchanged.check()


def test_a_missing_file(runner, app_ctx, tmp_path):
    result = runner.invoke(args=["courses", "import-scorm", str(tmp_path / "borta.zip")])
    assert result.exit_code == 1
    assert "Vägrad: borta.zip: Filen" in result.stderr
    assert "kan inte läsas" in result.stderr
