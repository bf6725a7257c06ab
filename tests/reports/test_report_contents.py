"""What the report pages show, figure by figure, against a plain-Python count of the fixture.

The expected numbers come from tests/reports/reference.py (no SQL, no coverage code) run on
the rows the fixture wrote, so they hold whatever day the suite runs and however the
fixture's dates are set.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from app import dates
from app.extensions import db
from app.models import Completion, Course
from tests.reports.expected import expected_matrix

COLUMNS = {  # the matrices' column headings, as a reader sees them
    "Ledning": "ledning",
    "Chefer": "chef",
    "Medarbetare": "medarbetare",
    "Förtroendevalda": "fortroendevald",
    "Alla nivåer": None,
}


# --- reading the page -----------------------------------------------------------------------


def _text(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def read_matrix(table_html: str) -> dict[str, dict[str | None, str]]:
    """A matrix table as {row label: {level: cell text}}; the footer is the row "Totalt"."""
    head = table_html.split("<thead>")[1].split("</thead>")[0]
    headings = [_text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", head)][1:]
    levels = [COLUMNS[h] for h in headings]
    out = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table_html.split("</thead>")[1], re.S):
        label = re.search(r"<th[^>]*>(.*?)</th>", row, re.S)
        if label is None:
            continue
        cells = [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        out[_text(label.group(1))] = dict(zip(levels, cells, strict=True))
    return out


def tables(html: str) -> dict[str, str]:
    """Each matrix table of the page by its caption."""
    found = {}
    for part in html.split('<table class="data matrix">')[1:]:
        caption = _text(part.split("<caption>")[1].split("</caption>")[0])
        found[caption] = part.split("</table>")[0]
    return found


def assert_matrix_shows(table_html: str, expected, *, masked: bool = False) -> None:
    shown = read_matrix(table_html)
    assert set(shown) == set(expected), (set(shown), set(expected))
    for label, by_level in expected.items():
        for level in COLUMNS.values():
            want = by_level[level].text(masked=masked) if level in by_level else "–"
            assert shown[label][level] == want, (label, level, shown[label][level], want)


def _courses() -> dict[str, Course]:
    return {c.title: c for c in db.session.scalars(sa.select(Course))}


# --- the pages ------------------------------------------------------------------------------


def test_per_course_page_shows_each_course_s_matrix(client, auth, town, app_ctx):
    today = dates.today()
    auth.login("hr@test.example")
    html = client.get("/rapporter/kurser").get_data(as_text=True)
    assert f"status per {today.isoformat()}." in html
    assert re.findall(r"<h2>([^<]+)</h2>", html) == ["Chefens ansvar", "Grundkurs"]
    found = tables(html)
    courses = _courses()
    for title in ("Chefens ansvar", "Grundkurs"):
        expected = expected_matrix(today, {courses[title].id})
        assert_matrix_shows(found[f"{title}: täckning per förvaltning och nivå"], expected)
    # The fixture in words: six of eight in Individ och familj and one of three teachers
    # have the basic course; only the chef has the chefs' course.
    basic = read_matrix(found["Grundkurs: täckning per förvaltning och nivå"])
    assert basic["Utbildningsförvaltningen"]["medarbetare"].endswith("1 av 3")
    chefs = read_matrix(found["Chefens ansvar: täckning per förvaltning och nivå"])
    assert chefs["Socialförvaltningen"]["chef"].endswith("1 av 1")
    # each row links to the unit's drill-down for that course
    assert f"/rapporter/enhet/{town['soc'].id}?kurs={courses['Grundkurs'].id}" in html


def test_per_prevention_level_page_sums_the_courses_on_each_level(client, auth, town, app_ctx):
    today = dates.today()
    courses = _courses()
    auth.login("hr@test.example")
    html = client.get("/rapporter/forebyggande-niva").get_data(as_text=True)
    sections = html.split("<h2>")[1:]
    assert [s.split("</h2>")[0] for s in sections] == [
        "Främjande (universell)",
        "Förebyggande (selektiv)",
        "Riktad (indikerad)",
    ]
    universal, selective, indicated = sections
    assert "Kurser: Chefens ansvar, Grundkurs" in _text(universal)
    assert "Kurser: Chefens ansvar" in _text(selective)
    assert "Grundkurs" not in _text(selective)
    assert "Ingen kurs som krävs arbetar på den här nivån." in indicated
    assert "<table" not in indicated
    both = {courses["Grundkurs"].id, courses["Chefens ansvar"].id}
    assert_matrix_shows(universal, expected_matrix(today, both))
    assert_matrix_shows(selective, expected_matrix(today, {courses["Chefens ansvar"].id}))


def test_the_reporter_sees_groups_under_five_masked_by_people(client, auth, town, app_ctx):
    """A group is small by its people, not by its pairs; its complements are masked too."""
    auth.login("rapport@test.example")
    html = client.get("/rapporter/").get_data(as_text=True)
    shown = read_matrix(tables(html)["Täckning per förvaltning och nivå, alla kurser som krävs"])
    assert shown["Utbildningsförvaltningen"][None] == "färre än 5"  # three teachers
    assert shown["Socialförvaltningen"]["chef"] == "färre än 5"  # one chef, two courses
    # Socialförvaltningen's total is shown, so its nine medarbetare are hidden too (the
    # total less them would be the chef), as "visas inte": they are not fewer than five.
    assert shown["Socialförvaltningen"][None].endswith("7 av 11")
    assert shown["Socialförvaltningen"]["medarbetare"] == "visas inte"


def test_a_manager_sees_only_their_administration(client, auth, town, app_ctx):
    today = dates.today()
    courses = _courses()
    auth.login("chef@test.example")
    html = client.get("/rapporter/kurser").get_data(as_text=True)
    assert "Utbildningsförvaltningen" not in html
    found = tables(html)
    for title in ("Chefens ansvar", "Grundkurs"):
        expected = expected_matrix(today, {courses[title].id}, within=town["soc"].path)
        assert_matrix_shows(found[f"{title}: täckning per förvaltning och nivå"], expected)


def test_the_overview_on_a_past_day(client, auth, town, app_ctx):
    days = sorted(c.completed_at.date() for c in db.session.scalars(sa.select(Completion)))
    day = days[len(days) // 2]  # some completions made by then, some not yet
    assert day < dates.today()
    then, now = expected_matrix(day)["Totalt"][None], expected_matrix(dates.today())["Totalt"][None]
    assert 0 < then.covered < now.covered

    auth.login("hr@test.example")
    html = client.get(f"/rapporter/?dag={day.isoformat()}").get_data(as_text=True)
    assert f'name="dag" value="{day.isoformat()}"' in html
    assert f"status per {day.isoformat()}." in html
    stats = _text(html.split('<ul class="stats">')[1].split("</ul>")[0])
    assert stats.startswith(f"{then.text()} av alla krav är genomförda och giltiga")
    assert f"{len(then.people)} personer har minst en kurs som krävs" in stats
    matrix = tables(html)["Täckning per förvaltning och nivå, alla kurser som krävs"]
    assert_matrix_shows(matrix, expected_matrix(day))
    assert f"/rapporter/enhet/{town['soc'].id}" in matrix  # the drill-down is a link


@pytest.mark.parametrize("url", ["/rapporter/kurser", "/rapporter/forebyggande-niva"])
def test_a_past_day_on_the_other_pages(client, auth, town, app_ctx, url):
    days = sorted(c.completed_at.date() for c in db.session.scalars(sa.select(Completion)))
    day = days[len(days) // 2]
    courses = _courses()
    auth.login("hr@test.example")
    html = client.get(f"{url}?dag={day.isoformat()}").get_data(as_text=True)
    assert f"status per {day.isoformat()}." in html
    found = tables(html)
    caption = (
        "Grundkurs: täckning per förvaltning och nivå"
        if url.endswith("kurser")
        else "Främjande (universell): täckning per förvaltning och nivå"
    )
    ids = (
        {courses["Grundkurs"].id}
        if url.endswith("kurser")
        else {courses["Grundkurs"].id, courses["Chefens ansvar"].id}
    )
    assert_matrix_shows(found[caption], expected_matrix(day, ids))


def test_a_day_in_the_future_shows_today(client, auth, town, app_ctx):
    auth.login("hr@test.example")
    future = date(dates.today().year + 5, 1, 1)
    html = client.get(f"/rapporter/?dag={future.isoformat()}").get_data(as_text=True)
    assert f"status per {dates.today().isoformat()}." in html
    assert f'name="dag" value="{dates.today().isoformat()}"' in html
