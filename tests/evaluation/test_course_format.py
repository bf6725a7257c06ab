"""`courses validate` refuses a pre-test without objectives and questions naming unknown ones."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.courses.loader import load_course, validate_course
from tests.evaluation.conftest import PRETEST_COURSE


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "example-pretest"
    shutil.copytree(PRETEST_COURSE, folder)
    return folder


def _messages(folder: Path) -> str:
    return "\n".join(str(p) for p in validate_course(folder))


def test_the_example_is_valid_and_carries_objectives(tmp_path):
    loaded = load_course(_copy(tmp_path))
    assert loaded.content["objectives"] == ["framsteg", "intyg"]
    assert loaded.content["pretest"] == {"enabled": True, "per_objective": 1}
    assert loaded.content["question_objectives"] == {
        "q1": "framsteg",
        "q2": "intyg",
        "q3": "framsteg",
    }
    # Titles per variant: translated in en/, the main ones where a variant gives none.
    assert loaded.content["variants"]["en"]["objectives"]["intyg"] == "What a certificate shows"
    assert loaded.content["variants"]["lattlast"]["objectives"]["intyg"] == "Vad ett intyg visar"


def test_pretest_without_objectives_is_refused(tmp_path):
    folder = _copy(tmp_path)
    text = (folder / "course.yaml").read_text()
    head, _, _ = text.partition("objectives:")
    (folder / "course.yaml").write_text(head + "pretest:\n  enabled: true\n")
    for f in ("quiz.yaml",):
        (folder / f).write_text((folder / f).read_text().replace("    objective: ", "    # "))
    messages = _messages(folder)
    assert "course.yaml" in messages
    assert "pretest kräver objectives" in messages


def test_question_naming_an_unknown_objective_is_refused(tmp_path):
    folder = _copy(tmp_path)
    quiz = folder / "quiz.yaml"
    quiz.write_text(quiz.read_text().replace("objective: intyg", "objective: intygen", 1))
    messages = _messages(folder)
    assert "quiz.yaml" in messages
    assert "'q2'" in messages
    assert "objective 'intygen' finns inte" in messages
    # ... and the objective it left without questions cannot give a pre-test question.
    assert "målet 'intyg' har 0 frågor" in messages


def test_variant_naming_an_unknown_objective_is_refused(tmp_path):
    folder = _copy(tmp_path)
    manifest = folder / "en" / "course.yaml"
    manifest.write_text(manifest.read_text().replace("- id: intyg", "- id: certificate"))
    messages = _messages(folder)
    assert "en/course.yaml" in messages
    assert "okänt mål certificate" in messages


def test_duplicate_objective_ids_are_refused(tmp_path):
    folder = _copy(tmp_path)
    manifest = folder / "course.yaml"
    manifest.write_text(manifest.read_text().replace("- id: intyg", "- id: framsteg"))
    assert "mål (objectives) med samma id: framsteg" in _messages(folder)


def test_validate_command_reports_it(tmp_path, runner, app):
    folder = _copy(tmp_path)
    quiz = folder / "quiz.yaml"
    quiz.write_text(quiz.read_text().replace("objective: intyg", "objective: okand", 1))
    app.config["COURSES_DIR"], old = str(tmp_path), app.config["COURSES_DIR"]
    try:
        result = runner.invoke(args=["courses", "validate"])
    finally:
        app.config["COURSES_DIR"] = old
    assert result.exit_code != 0
    assert "objective 'okand' finns inte" in result.output
