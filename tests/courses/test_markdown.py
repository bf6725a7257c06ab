"""Course Markdown: language changes marked with `span lang`, tables with a caption in a region."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from app.courses.loader import CourseInvalid, load_course
from app.courses.markdown import render_markdown
from tests.factories import EXAMPLE_COURSE

TABLE = "| vart | nummer |\n|---|---|\n| Kvinnofridslinjen | 020-50 50 50 |\n"


def test_span_with_a_language_tag_is_kept_and_nothing_else_is():
    html = str(
        render_markdown(
            'Make a report of concern (*<span lang="sv" class="x" style="color:red" '
            'onclick="x()" title="t">orosanmälan</span>*) or call '
            '<span lang="en-GB">the line</span>.\n\n'
            '<span lang="sv onclick">a</span> <em lang="sv">b</em> <p lang="sv" class="y">c</p> '
            '<div lang="sv">d</div> <font lang="sv">e</font>'
        )
    )
    assert '<em><span lang="sv">orosanmälan</span></em>' in html
    assert '<span lang="en-GB">the line</span>' in html
    assert "<span>a</span>" in html  # not a language tag: the attribute goes
    assert "<em>b</em>" in html  # lang only on span
    for gone in ("class=", "style=", "onclick", "title=", "<div", "<font"):
        assert gone not in html
    assert html.count("lang=") == 2


def test_a_table_gets_its_caption_and_scrolls_in_a_named_region_of_its_own():
    html = str(render_markdown("Innan.\n\nTable: Stöd *utanför* kommunen\n\n" + TABLE))
    region = re.search(
        r'<div class="table-scroll" role="region" tabindex="0" aria-labelledby="([\w-]+)">'
        r"<table>\s*<caption id=\"([\w-]+)\">Stöd <em>utanför</em> kommunen</caption>",
        html,
    )
    assert region is not None, html
    assert region.group(1) == region.group(2)
    assert "Table:" not in html
    assert "<p>Innan.</p>" in html
    assert '<th scope="col">vart</th>' in html
    assert html.rstrip().endswith("</table></div>")


def test_a_table_without_caption_still_scrolls_in_a_named_region():
    html = str(render_markdown(TABLE, "Table"))
    assert '<div class="table-scroll" role="region" tabindex="0" aria-label="Table"><table>' in html


def test_the_loader_refuses_a_table_without_caption_naming_file_and_line(tmp_path: Path):
    target = tmp_path / "example-intro"
    shutil.copytree(EXAMPLE_COURSE, target)
    module = next(p for p in sorted(target.glob("*.md")))
    text = module.read_text()
    module.write_text(text + "\n\n" + TABLE)
    line = (text + "\n\n").count("\n") + 1
    with pytest.raises(CourseInvalid) as exc:
        load_course(target)
    problems = [str(p) for p in exc.value.problems]
    assert any(
        f"{module.name}:{line}:" in p and "tabellen saknar rubrik" in p and "Table:" in p
        for p in problems
    ), problems
    module.write_text(text + "\n\nTable: Vart\n" + TABLE)
    load_course(target)
