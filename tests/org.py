"""A small municipality for the unit, requirement, reminder and session tests.

kommun → Socialförvaltningen (head: Hedda) → Barn och familj (chef: Cesar), Vuxen
       → Utbildningsförvaltningen → Förskola
One course "grundkurs" required of everyone, due 30 days after 2024-01-01.
"""

from __future__ import annotations

from datetime import date

import pytest

from app import dates


@pytest.fixture
def town(make):
    root = make.unit("Exempelby kommun", code="K")
    soc = make.unit("Socialförvaltningen", parent=root, kind="förvaltning", code="SOC")
    bof = make.unit("Barn och familj", parent=soc, code="SOC-1")
    vux = make.unit("Vuxen", parent=soc, code="SOC-2")
    utb = make.unit("Utbildningsförvaltningen", parent=root, kind="förvaltning", code="UTB")
    fsk = make.unit("Förskola", parent=utb, code="UTB-1")
    course = make.course("grundkurs", title="Grundkurs", valid_months=36)
    rule = make.requirement(course, due_days=30, starts_on=date(2024, 1, 1))
    o = {
        "root": root,
        "soc": soc,
        "bof": bof,
        "vux": vux,
        "utb": utb,
        "fsk": fsk,
        "course": course,
        "rule": rule,
        "chef": make.employee(
            unit=bof, level="chef", email="chef@k.se", first_name="Cesar", manages=(bof,)
        ),
        "head": make.employee(
            unit=soc, level="ledning", email="head@k.se", first_name="Hedda", manages=(soc,)
        ),
        "hr": make.employee(unit=root, email="hr@k.se", first_name="Hanna", is_hr=True),
        "anna": make.employee(unit=bof, email="anna@k.se", first_name="Anna", last_name="Ek"),
        "bo": make.employee(unit=bof, email="bo@k.se", first_name="Bo", last_name="Al"),
        "vera": make.employee(unit=vux, email="vera@k.se", first_name="Vera", last_name="Vik"),
        "olle": make.employee(unit=fsk, email="olle@k.se", first_name="Olle", last_name="Ut"),
    }
    make.completion(o["anna"], course, on=dates.today().replace(day=1))
    return o
