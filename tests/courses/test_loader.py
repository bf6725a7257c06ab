"""The course format: the example course loads; broken copies are refused, naming file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.courses.loader import CourseInvalid, content_hash, load_course, validate_course
from app.courses.markdown import render_markdown
from tests.factories import EXAMPLE_COURSE, REPO_COURSES


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    target = tmp_path / "example-intro"
    shutil.copytree(EXAMPLE_COURSE, target)
    return target


def test_example_course_loads_with_modules_checks_quiz_and_variant():
    loaded = load_course(EXAMPLE_COURSE)
    content = loaded.content
    assert loaded.slug == "example-intro"
    assert content["version"] == "1.0"
    assert content["major"] == 1
    assert content["pass_mark"] == 80
    assert set(content["variants"]) == {"sv", "en"}
    main = content["variants"]["sv"]
    assert [m["title"] for m in main["modules"]] == ["Välkommen", "Provet och intyget"]
    kinds = [b["type"] for b in main["modules"][0]["blocks"]]
    assert kinds == ["text", "check"]
    assert [q["kind"] for q in main["quiz"]["questions"]] == ["single", "multiple", "scenario"]
    assert content["variants"]["en"]["language"] == "en"
    assert content["variants"]["en"]["modules"][0]["title"] == "Welcome"
    assert len(loaded.content_hash) == 64


def test_every_course_in_the_repository_is_valid():
    folders = [p for p in REPO_COURSES.iterdir() if p.is_dir() and not p.name.startswith(".")]
    problems = {p.name: [str(x) for x in validate_course(p)] for p in folders}
    assert {k: v for k, v in problems.items() if v} == {}


def test_hash_changes_with_any_file_and_only_then(course_copy: Path):
    before = content_hash(course_copy)
    assert content_hash(course_copy) == before
    (course_copy / "02-provet.md").write_text(
        (course_copy / "02-provet.md").read_text() + "\nEn rad till.\n"
    )
    assert content_hash(course_copy) != before


def _problems(folder: Path) -> list[str]:
    with pytest.raises(CourseInvalid) as exc:
        load_course(folder)
    return [str(p) for p in exc.value.problems]


def test_quiz_without_a_correct_option_names_file_and_line(course_copy: Path):
    quiz = course_copy / "quiz.yaml"
    quiz.write_text(
        quiz.read_text().replace("        correct: true\n", "        correct: false\n", 1)
    )
    problems = _problems(course_copy)
    assert problems == [
        f"{quiz}:2: questions[1]: en fråga av typen single ska ha exakt ett rätt "
        "svarsalternativ (har 0)"
    ]


def test_bad_yaml_names_file_and_line(course_copy: Path):
    quiz = course_copy / "quiz.yaml"
    quiz.write_text("questions:\n  - id: q1\n    text: [inte stängd\n")
    (problem,) = _problems(course_copy)
    assert problem.startswith(f"{quiz}:")
    assert "ogiltig YAML" in problem


def test_manifest_problems_are_all_reported_in_swedish(course_copy: Path):
    manifest = course_copy / "course.yaml"
    text = manifest.read_text()
    text = text.replace("prevention_levels: [universal]", "prevention_levels: [universel]")
    text = text.replace("pass_mark: 80", "pass_mrk: 80")
    text = text.replace('version: "1.0"', "version: 1.0")
    manifest.write_text(text)
    problems = _problems(course_copy)
    assert any("prevention_levels[1]: ogiltigt värde 'universel'" in p for p in problems)
    assert f"{manifest}:1: pass_mark: nyckeln saknas" in problems
    assert any(p.startswith(f"{manifest}:") and "pass_mrk: okänd nyckel" in p for p in problems)
    assert any("version: ska vara text" in p for p in problems)


def test_missing_module_file_is_named(course_copy: Path):
    (course_copy / "02-provet.md").unlink()
    problems = _problems(course_copy)
    assert (
        f"{course_copy / 'course.yaml'}: modulen '02-provet.md' finns i modules men filen saknas"
        in problems
    )


def test_check_block_errors_point_into_the_module(course_copy: Path):
    module = course_copy / "01-valkommen.md"
    module.write_text(
        module.read_text().replace("    feedback: Rätt. Värna sparar", "    fb: x", 1)
    )
    problems = _problems(course_copy)
    assert f"{module}:15: options[1].feedback: nyckeln saknas" in problems
    assert f"{module}:17: options[1].fb: okänd nyckel" in problems


def test_variant_quiz_must_score_like_the_main_quiz(course_copy: Path):
    quiz = course_copy / "en" / "quiz.yaml"
    quiz.write_text(quiz.read_text().replace("id: q3", "id: q9"))
    problems = _problems(course_copy)
    assert any(p.startswith(f"{quiz}:") and "samma id" in p for p in problems)


def test_duplicate_keys_and_wrong_folder_name(tmp_path: Path):
    target = tmp_path / "annat-namn"
    shutil.copytree(EXAMPLE_COURSE, target)
    manifest = target / "course.yaml"
    manifest.write_text(manifest.read_text() + "minutes: 7\n")
    problems = _problems(target)
    assert any("nyckeln 'minutes' förekommer två gånger" in p for p in problems)
    assert any("ska vara mappens namn 'annat-namn'" in p for p in problems)


def test_markdown_is_commonmark_and_sanitised():
    html = str(
        render_markdown(
            "# Rubrik\n\n**fet** [länk](https://example.org) ![bild](/static/favicon.svg)\n\n"
            '<script>alert(1)</script><a href="javascript:alert(1)" onclick="x()">x</a>'
            '<img src="x" onerror="alert(1)">'
        )
    )
    assert "<h2>Rubrik</h2>" in html  # the page owns the h1
    assert "<strong>fet</strong>" in html
    assert 'href="https://example.org"' in html
    assert '<img src="/static/favicon.svg" alt="bild">' in html
    assert "<script" not in html
    assert "javascript:" not in html
    assert "onclick" not in html
    assert "onerror" not in html
