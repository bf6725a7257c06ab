"""The viewer policy: who reaches which units, and how small groups are shown.

The rule lives in access (reach, disclosure) and is applied by the report services; pages,
charts, the PDF and the API only print the resolved Figure.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app import dates
from app.auth import access
from app.auth.access import Disclosure
from app.dates import add_months
from app.extensions import db
from app.models import Employee, SessionAttendance, TrainingSession
from app.reports import services
from app.reports.coverage import Counts
from tests.conftest import AuthActions
from tests.reports.test_report_contents import read_matrix, tables


def _cell(people: int, disclosure: Disclosure, covered: int | None = None) -> services.Cell:
    done = people if covered is None else covered
    return services.Cell(Counts(completed=done, pending=people - done), people, disclosure)


@pytest.mark.parametrize("people", [1, 2, 3, 4])
def test_reporter_sees_groups_of_one_to_four_masked(people):
    cell = _cell(people, Disclosure.MASKED, covered=1)
    figure = cell.figure
    assert (figure.text, figure.value, figure.masked, figure.detail) == (
        "färre än 5",
        None,
        True,
        "",
    )
    assert figure.short == "<5"
    assert cell.count(people).text == "färre än 5"
    assert cell.count(0, masked_text="–").text == "–"
    assert cell.gap(services.Target(share=0.9, by=None)) == "–"


@pytest.mark.parametrize("people", [5, 6, 40])
def test_reporter_sees_groups_of_five_and_more(people):
    figure = _cell(people, Disclosure.MASKED, covered=5).figure
    assert not figure.masked
    assert figure.value == 5 / people
    assert figure.detail == f"5 av {people}"


def test_an_empty_group_is_a_dash_for_everyone():
    for disclosure in Disclosure:
        figure = _cell(0, disclosure).figure
        assert (figure.text, figure.value, figure.masked) == ("–", None, False)


@pytest.mark.parametrize("disclosure", [Disclosure.NAMES, Disclosure.COUNTS])
def test_hr_and_managers_see_every_figure(disclosure):
    cell = _cell(3, disclosure, covered=1)
    assert (cell.figure.text, cell.figure.detail) == ("33,3\u00a0%", "1 av 3")
    assert cell.count(3).text == "3"
    assert cell.gap(services.Target(share=0.5, by=None)) == "16,7 procentenheter kvar"
    assert _cell(3, disclosure).gap(services.Target(share=0.5, by=None)) == "når målet"


def test_disclosure_and_reach_per_role(town, app_ctx):
    hr, reporter, boss, staff = (town[k] for k in ("hr", "reporter", "boss", "staff"))
    assert access.disclosure(hr) is Disclosure.NAMES
    assert access.disclosure(reporter) is Disclosure.MASKED
    assert access.disclosure(boss) is Disclosure.NAMES
    assert access.reach(hr).everything
    assert access.reach(reporter).everything
    assert access.reach(reporter, people=True).nothing  # figures, never names
    assert access.reach(boss).within == [town["soc"].path]
    assert access.reach(staff).nothing


def test_the_status_report_is_resolved_for_the_reporter(town, app_ctx):
    """Utbildningsförvaltningen has three people: masked in the service's answer."""
    report = services.status_report(
        db.session, on=dates.today(), disclosure=access.disclosure(town["reporter"])
    )
    rows = {r.label: r for r in report.matrix.rows}
    assert rows["Utbildningsförvaltningen"].total.figure.masked
    assert not rows["Socialförvaltningen"].total.figure.masked
    assert not report.total.figure.masked


# --- H1: the review's reproductions (docs/security.md, "Disclosure control for reporters") ---


@pytest.fixture
def heads(make):
    """Two administrations, each with one head (three courses) and staff; a pure reporter."""
    root = make.unit("Exempelby kommun", code="K")
    today = dates.today()
    day = add_months(today.replace(day=1), -2) + timedelta(days=14)  # mid-month, in the past
    courses = [
        make.course(slug, title=title)
        for slug, title in (
            ("grundkurs", "Grundkurs"),
            ("chefens-ansvar", "Chefens ansvar"),
            ("strategiskt", "Strategiskt arbete"),
        )
    ]
    make.requirement(courses[0], starts_on=date(2020, 1, 1))
    for c in courses[1:]:
        make.requirement(c, levels=("ledning",), starts_on=date(2020, 1, 1))
    out = {"root": root, "day": day, "courses": courses, "admins": []}
    for n, name in enumerate(("Samhällsbyggnadsförvaltningen", "Kultur- och fritidsförvaltningen")):
        admin = make.unit(name, parent=root, kind="förvaltning", code=f"F{n}")
        head = make.employee(unit=admin, level="ledning", first_name=f"Chef{n}", manages=(admin,))
        if n == 1:  # the head of Kultur completes all three, the first on `day`
            for k, c in enumerate(courses):
                make.completion(head, c, on=day + timedelta(days=20 * k))
        for i in range(6):
            e = make.employee(unit=admin, first_name=f"Medarbetare{n}{i}")
            if i < 3 + n:
                make.completion(e, courses[0], on=day - timedelta(days=30))
        out["admins"].append(admin)
    make.employee(unit=root, email="rapport@test.example", is_reporter=True, level="chef")
    make.employee(unit=root, email="hr@test.example", is_hr=True)
    return out


def _overview(html: str) -> dict[str, dict[str | None, str]]:
    return read_matrix(tables(html)["Täckning per förvaltning och nivå, alla kurser som krävs"])


def test_a_masked_head_is_not_the_row_total_less_the_visible_cells(client, auth, heads):
    """Review H1, step 1: "färre än 5" beside a shown row total gave the head's 0 av 3."""
    auth.login("rapport@test.example")
    shown = _overview(client.get("/rapporter/").get_data(as_text=True))
    for name in ("Samhällsbyggnadsförvaltningen", "Kultur- och fritidsförvaltningen"):
        assert shown[name]["ledning"] == "färre än 5"
    # No row and no column has exactly one masked figure: no subtraction recovers one.
    lines = [list(cells.values()) for cells in shown.values()]
    lines += [[shown[row][lvl] for row in shown] for lvl in next(iter(shown.values()))]
    for line in lines:
        assert sum(text in ("färre än 5", "visas inte") for text in line) != 1, line
    # Review H1, step 2: the unit drill-down and its course filter show a reporter no figures.
    for admin in heads["admins"]:
        html = client.get(f"/rapporter/enhet/{admin.id}?kurs={heads['courses'][0].id}")
        assert " av " not in html.get_data(as_text=True).split('id="innehall"')[1]


def test_bisecting_the_day_cannot_date_a_completion(app, client, auth, heads):
    """Review H1, step 3: `?dag=` bisection gave the head's exact completion dates."""
    day = heads["day"]
    month_end = day.replace(day=1) - timedelta(days=1)
    auth.login("rapport@test.example")
    before = client.get(f"/rapporter/?dag={(day - timedelta(days=1)).isoformat()}")
    on_the_day = client.get(f"/rapporter/?dag={day.isoformat()}")
    for response in (before, on_the_day):
        assert f"status per {month_end.isoformat()}." in response.get_data(as_text=True)
    assert _overview(before.get_data(as_text=True)) == _overview(on_the_day.get_data(as_text=True))
    report = client.get(f"/rapporter/lagesrapport?dag={day.isoformat()}").get_data(as_text=True)
    assert f"status per {month_end.isoformat()}" in report
    # HR still sees any day it asks for.
    hr = app.test_client()
    AuthActions(hr).login("hr@test.example")
    html = hr.get(f"/rapporter/?dag={day.isoformat()}").get_data(as_text=True)
    assert f"status per {day.isoformat()}." in html


def test_few_attendances_at_in_person_sessions_are_masked_for_the_reporter(town, app_ctx):
    """The status report's sessions section: three attendances of one course are "färre
    än 5" to the reporter, with no per-course table to subtract from; HR sees the counts."""
    ts = TrainingSession(title="APT om våld", held_on=dates.today(), unit_id=town["soc"].id)
    db.session.add(ts)
    db.session.flush()
    people = db.session.scalars(sa.select(Employee).order_by(Employee.id).limit(3)).all()
    for e in people:
        db.session.add(SessionAttendance(session_id=ts.id, employee_id=e.id))
    db.session.commit()

    def section(viewer):
        report = services.status_report(
            db.session, on=dates.today(), disclosure=access.disclosure(viewer)
        )
        [found] = [s for s in report.sections if s.key == "sessions"]
        return " ".join(p.text for p in found.paragraphs), found.tables

    text, tables = section(town["reporter"])
    assert "Sammanlagt färre än 5 deltaganden (färre än 5 personer)." in text
    assert "3" not in text.replace(dates.today().isoformat(), "")
    assert tables == []
    text, tables = section(town["hr"])
    assert "Sammanlagt 3 deltaganden (3 personer)." in text
    assert [row[2] for row in tables[0].rows] == ["3"]
