"""A small municipality with two administrations, four staff levels, two required courses.

The completions fall in March–May of last year (`town["year"]`): 7 to 21 months ago on any
day the suite runs, so with 36 months' validity they are all valid and none is expiring.
"""

from __future__ import annotations

from datetime import date

import pytest

from app import dates


@pytest.fixture
def town(make):
    root = make.unit("Exempelby kommun", code="K")
    soc = make.unit("Socialförvaltningen", parent=root, kind="förvaltning", code="SOC")
    ifo = make.unit("Individ och familj", parent=soc, code="IFO")
    utb = make.unit("Utbildningsförvaltningen", parent=root, kind="förvaltning", code="UTB")
    skola = make.unit("Norra skolan", parent=utb, code="NS")
    basic = make.course("grundkurs", title="Grundkurs", prevention_levels=("universal",))
    chefs = make.course(
        "chefens-ansvar", title="Chefens ansvar", prevention_levels=("universal", "selective")
    )
    make.requirement(basic, due_days=30, starts_on=date(2024, 1, 1))
    make.requirement(chefs, levels=("chef", "ledning"), due_days=30, starts_on=date(2024, 1, 1))
    year = dates.today().year - 1
    people = []
    for i in range(8):
        e = make.employee(unit=ifo, first_name=f"Ifo{i}")
        if i < 6:
            make.completion(e, basic, on=date(year, 3, 1 + i))
        people.append(e)
    for i in range(3):
        e = make.employee(unit=skola, first_name=f"Lärare{i}")
        if i == 0:
            make.completion(e, basic, on=date(year, 4, 1))
        people.append(e)
    boss = make.employee(
        unit=soc, level="chef", email="chef@test.example", first_name="Chef", manages=(soc,)
    )
    make.completion(boss, chefs, on=date(year, 5, 1))
    politician = make.employee(unit=root, level="fortroendevald", first_name="Politiker")
    make.completion(politician, basic, on=date(year, 5, 2))
    hr = make.employee(unit=root, email="hr@test.example", is_hr=True, first_name="HR")
    reporter = make.employee(
        unit=root, email="rapport@test.example", is_reporter=True, first_name="Rapport"
    )
    staff = make.employee(unit=ifo, email="staff@test.example", first_name="Vanlig")
    return {
        "year": year,
        "root": root,
        "soc": soc,
        "ifo": ifo,
        "utb": utb,
        "skola": skola,
        "basic": basic,
        "chefs": chefs,
        "boss": boss,
        "hr": hr,
        "reporter": reporter,
        "staff": staff,
    }
