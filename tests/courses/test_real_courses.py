"""The five real courses in courses/ (issue 5): they validate, each meets the issue's
counts, and together they reach every staff level and every prevention level."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from app.courses.loader import MAIN, LoadedCourse, load_course
from app.models import Level, PreventionLevel
from tests.factories import REPO_COURSES

COURSES = REPO_COURSES
REAL = (
    "grundkurs",
    "upptacka-fraga-agera",
    "chefens-ansvar",
    "strategiskt-arbete",
    "fortroendevaldas-roll",
)


@pytest.fixture(scope="module")
def loaded() -> dict[str, LoadedCourse]:
    return {slug: load_course(COURSES / slug) for slug in REAL}


def _words(variant: dict) -> int:
    return sum(
        len(re.findall(r"\w+", block["markdown"]))
        for module in variant["modules"]
        for block in module["blocks"]
        if block["type"] == "text"
    )


def test_flask_courses_validate_exits_0():
    """`flask --app wsgi courses validate courses`, run as a course author runs it."""
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "courses", "validate", "courses"],
        cwd=COURSES.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for slug in REAL:
        assert f"OK {slug}" in result.stdout


@pytest.mark.parametrize("slug", REAL)
def test_each_course_meets_the_counts(loaded, slug):
    content = loaded[slug].content
    for key, variant in content["variants"].items():
        questions = variant["quiz"]["questions"]
        assert 4 <= len(variant["modules"]) <= 6, key
        assert len(questions) >= 8, key
        assert sum(q["kind"] == "scenario" for q in questions) >= 3, key
        assert all(o["feedback"] for q in questions for o in q["options"]), key
        assert any(b["type"] == "check" for m in variant["modules"] for b in m["blocks"]), key
    assert _words(content["variants"][MAIN]) >= 1500
    assert content["sources"]
    assert content["variants"][MAIN]["content_warning"]
    assert content["variants"][MAIN]["support"]
    assert content["pass_mark"] > 0


def test_the_base_course_has_english_and_easy_to_read_versions(loaded):
    variants = loaded["grundkurs"].content["variants"]
    assert set(variants) == {MAIN, "en", "lattlast"}
    assert variants["en"]["language"] == "en"
    assert variants["lattlast"]["language"] == "sv"
    assert loaded["grundkurs"].content["valid_months"] == 36
    for key in ("en", "lattlast"):
        assert variants[key]["title"] != variants[MAIN]["title"]
        assert len(variants[key]["modules"]) == len(variants[MAIN]["modules"])


def test_together_the_audiences_cover_every_level(loaded):
    levels = {lvl for c in loaded.values() for lvl in c.content["audience"]["levels"]}
    prevention = {p for c in loaded.values() for p in c.content["prevention_levels"]}
    assert levels == {str(lvl) for lvl in Level}
    assert prevention == {str(p) for p in PreventionLevel}
