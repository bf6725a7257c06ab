"""The viewer policy: who reaches which units, and how small groups are shown.

The rule lives in access (reach, disclosure) and is applied by the report services; pages,
charts, the PDF and the API only print the resolved Figure.
"""

from __future__ import annotations

import pytest

from app import dates
from app.auth import access
from app.auth.access import Disclosure
from app.extensions import db
from app.reports import services
from app.reports.coverage import Counts


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
