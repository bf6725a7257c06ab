"""Issue 16, the first half hour: plural forms in both languages, figures that say what they
count, the trend page's snapshot in words, required dropdowns that start empty, `make run
PORT=…`, the create-admin account outside coverage and the demo's pure report reader."""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import dates
from app.auth import access
from app.extensions import db
from app.models import Completion, Employee, Exemption, Requirement, TrainingSession, UnitManager
from app.reports import coverage
from app.reports.services import take_snapshot
from tests.conftest import csrf_from

ROOT = Path(__file__).resolve().parents[2]


def _english(client) -> None:
    page = client.get("/").get_data(as_text=True)
    client.post("/sprak", data={"csrf_token": csrf_from(page), "lang": "en"})


@pytest.fixture
def office(make):
    root = make.unit("Exempelby kommun", code="K")
    unit = make.unit("Hemtjänst Norr", parent=root, code="HN")
    course = make.course("grund", title="Grundkurs")
    rule = make.requirement(course, due_days=30)
    one = make.employee(unit=unit, email="ett@k.se", first_name="Ett")
    make.completion(one, course, on=dates.today() - timedelta(days=3))
    hr = make.employee(unit=root, email="hr@k.se", is_hr=True, first_name="HR")
    chef = make.employee(unit=unit, email="chef@k.se", level="chef", manages=(unit,))
    return {
        "root": root,
        "unit": unit,
        "course": course,
        "rule": rule,
        "one": one,
        "hr": hr,
        "chef": chef,
    }


# --- plural forms ------------------------------------------------------------------------


def test_one_is_singular_in_swedish_and_english(client, auth, office):
    auth.login("hr@k.se")
    people = client.get("/admin/personal?q=Ett").get_data(as_text=True)
    assert "1 person</caption>" in people
    assert "1 personer" not in people
    preview = client.post(
        "/admin/krav/ny",
        data={
            "csrf_token": csrf_from(client.get("/admin/krav/ny").get_data(as_text=True)),
            "course_id": office["course"].id,
            "unit_code": "HN",
            "levels": "chef",
            "due_days": "30",
            "starts_on": dates.today().isoformat(),
            "preview": "1",
        },
    ).get_data(as_text=True)
    assert "Regeln når 1 person (räknat" in preview
    _english(client)
    people = client.get("/admin/personal?q=Ett").get_data(as_text=True)
    assert '<html lang="en">' in people
    assert "1 person</caption>" in people
    everyone = client.get("/admin/personal").get_data(as_text=True)
    assert "3 people</caption>" in everyone


def test_quiz_and_course_facts_in_the_singular(client, auth, make):
    course = make.course("kort", title="Kort kurs", valid_months=1)
    make.employee(email="a@k.se")
    auth.login("a@k.se")
    course.minutes = 1
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "ca 1 minut<" in page
    assert "1 minuter" not in page


# --- figures say what they count -----------------------------------------------------------


def test_the_unit_card_says_its_figure_counts_requirements(client, auth, office):
    auth.login("chef@k.se")
    card = client.get("/enheter/").get_data(as_text=True)
    # two people, one rule: "1 av 2" are requirements, beside "2 medarbetare"
    assert "1 av 2 utbildningskrav uppfyllda" in card
    assert "2 medarbetare" in card


# --- the trend page explains the snapshot --------------------------------------------------


def test_the_trend_page_says_when_the_snapshot_last_ran(client, auth, office):
    auth.login("hr@k.se")
    page = client.get("/rapporter/trend").get_data(as_text=True)
    assert "flask reports snapshot" not in page
    assert "Varje natt räknar Värna ut täckningen" in page
    assert "Ingen ögonblicksbild har tagits ännu." in page
    take_snapshot(db.session, on=dates.today() - timedelta(days=5))
    db.session.commit()
    page = client.get("/rapporter/trend").get_data(as_text=True)
    day = (dates.today() - timedelta(days=5)).isoformat()
    assert (
        f"Den senaste ögonblicksbilden togs {day}. Den nattliga körningen verkar ha stannat" in page
    )
    take_snapshot(db.session, on=dates.today())
    db.session.commit()
    page = client.get("/rapporter/trend").get_data(as_text=True)
    assert f"Den senaste ögonblicksbilden togs {dates.today().isoformat()}.</p>" in page
    assert "verkar ha stannat" not in page
    assert "1 av 3 krav" in page  # three people, one rule: requirements, not people


# --- required dropdowns ----------------------------------------------------------------------


def _first_option(html: str, name: str) -> str:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    return re.search(r"<option[^>]*>[^<]*</option>", select[1])[0]


FORMS = [
    ("hr@k.se", "/admin/krav/ny", "course_id", "Kurs: Välj en kurs."),
    ("hr@k.se", "/admin/personal/{one}/undantag", "requirement_id", "Regel: Välj en regel."),
    ("hr@k.se", "/admin/personal/{one}/registrera", "course_id", "Kurs: Välj en kurs."),
    ("chef@k.se", "/enheter/{unit}/tillfallen/nytt", "course_id", "Kurs: Välj en kurs."),
    ("chef@k.se", "/enheter/delegering", "unit_id", "Enhet: Välj en enhet."),
]


@pytest.mark.parametrize(("email", "url", "name", "message"), FORMS)
def test_a_required_dropdown_starts_empty_and_must_be_chosen(
    client, auth, office, email, url, name, message
):
    url = url.format(one=office["one"].id, unit=office["unit"].id)
    auth.login(email)
    html = client.get(url).get_data(as_text=True)
    first = _first_option(html, name)
    assert re.fullmatch(r'<option (selected )?value="">Välj [a-zåäö]+ …</option>', first), first
    counts = _rows()
    data = {"csrf_token": csrf_from(html), name: ""}
    data.update(
        {
            "reason": "Skäl",
            "basis": "Intyg",
            "title": "Titel",
            "completed_on": dates.today().isoformat(),
            "held_on": dates.today().isoformat(),
            "deputy": "hr@k.se",
            "ends_on": (dates.today() + timedelta(days=7)).isoformat(),
            "starts_on": dates.today().isoformat(),
            "due_days": "30",
        }
    )
    response = client.post(url, data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page  # the error summary names the field in Swedish
    assert _rows() == counts  # nothing saved


def _rows() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (Requirement, Exemption, Completion, TrainingSession, UnitManager)
    )


# --- make run, create-admin, the demo's report reader -----------------------------------------


def test_make_run_port_sets_the_links_base_url(tmp_path):
    fake = tmp_path / "flask"
    fake.write_text('#!/bin/sh\necho "BASE_URL=$BASE_URL $*"\n')
    fake.chmod(0o755)
    out = subprocess.run(  # noqa: S603
        ["make", "-s", "run", "PORT=5123", f"FLASK={fake}"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    ).stdout
    assert "BASE_URL=http://127.0.0.1:5123 run --host 127.0.0.1 --port 5123" in out


def test_an_account_from_create_admin_is_not_counted_in_coverage(runner, app_ctx, make):
    root = make.unit("Kommunen", code="K")
    course = make.course("grund")
    make.requirement(course)  # every level, every unit
    make.employee(unit=root, email="anna@k.se")
    result = runner.invoke(
        args=["users", "create-admin", "it@k.se", "--password", "ett-langt-admin-losenord"]
    )
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(sa.select(Employee).where(Employee.email == "it@k.se"))
    assert admin.is_hr
    assert not admin.is_staff
    counted = db.session.scalars(
        sa.select(coverage.audience_stmt(dates.today()).subquery().c.employee_id)
    ).all()
    assert admin.id not in counted
    assert len(counted) == 1


def test_the_demo_report_reader_is_only_a_report_reader(runner, app_ctx):
    result = runner.invoke(args=["demo", "seed", "--employees", "300"])
    assert result.exit_code == 0, result.output
    reader = db.session.scalar(sa.select(Employee).where(Employee.email == "rapport@exempelby.se"))
    assert reader.is_reporter
    assert not reader.is_hr
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(UnitManager.employee_id == reader.id))
        == 0
    )
    # leading nothing, the reader reaches every figure but nobody's name, small groups masked
    assert access.reach(reader).everything
    assert access.reach(reader, people=True).nothing
    assert access.disclosure(reader) is access.Disclosure.MASKED


def test_the_status_report_counts_one_in_the_singular(client, auth, office):
    auth.login("hr@k.se")
    page = re.sub(r"\s+", " ", client.get("/rapporter/lagesrapport").get_data(as_text=True))
    assert "Det finns 1 kurs, varav 1 krävs av någon personalgrupp." in page
    assert "1 kurser" not in page
