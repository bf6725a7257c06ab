"""Only the owner sees their attempts; certificates follow the one access rule; public verification."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app import dates
from app.extensions import db
from app.learning.services import format_code
from app.models import Completion
from tests.conftest import PASSWORD
from tests.learning.conftest import RIGHT, Learner


@pytest.fixture
def passed(make, example, client, auth):
    """Mia has passed the example course; returns (mia, token, completion)."""
    unit = make.unit("Barn och familj")
    mia = make.employee(unit=unit, email="mia@k.se", first_name="Mia", last_name="Ek")
    auth.login("mia@k.se")
    learner = Learner(client)
    learner.read_all()
    token = learner.start_quiz()
    learner.submit(token, RIGHT)
    auth.logout()
    completion = db.session.scalars(sa.select(Completion)).one()
    return mia, token, completion, unit


def test_another_employee_sees_nothing_of_my_attempts(make, client, auth, passed):
    mia, token, completion, unit = passed
    make.employee(unit=unit, email="kollega@k.se")
    auth.login("kollega@k.se")
    learner = Learner(client)
    assert client.get(f"/prov/{token}").status_code == 404
    assert client.get(f"/prov/{token}/resultat").status_code == 404
    assert learner.submit(token, RIGHT).status_code == 404
    assert client.get(f"/intyg/{completion.id}.pdf").status_code == 403
    assert client.get("/intyg/999999.pdf").status_code == 404
    # their own start page shows none of Mia's history
    assert "Exempelkurs" not in client.get("/").get_data(as_text=True).split("Min historik")[1]


def test_anonymous_visitors_are_sent_to_login(client, passed):
    _, token, completion, _ = passed
    for path in (f"/prov/{token}", f"/intyg/{completion.id}.pdf", "/kurser/example-intro"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/logga-in" in response.headers["Location"]


@pytest.mark.parametrize("who", ["owner", "hr", "manager"])
def test_certificate_is_a_pdf_for_those_who_may_see_the_person(make, client, auth, passed, who):
    mia, _, completion, unit = passed
    email = {"owner": "mia@k.se", "hr": "hr@k.se", "manager": "chef@k.se"}[who]
    if who == "hr":
        make.employee(email=email, is_hr=True)
    if who == "manager":
        make.employee(email=email, level="chef", manages=(unit,))
    auth.login(email, PASSWORD)
    response = client.get(f"/intyg/{completion.id}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert "attachment" in response.headers["Content-Disposition"]


def test_an_in_person_completion_has_a_certificate_too(make, client, auth):
    person = make.employee(email="p@k.se")
    completion = Completion(
        employee_id=person.id,
        title="Föreläsning: hedersrelaterat våld och förtryck",
        completed_at=datetime(2024, 3, 1, 9, tzinfo=UTC),
        source="session",
        verification_code="ABCDEFGHJKMNPQRS",
    )
    db.session.add(completion)
    db.session.commit()
    auth.login("p@k.se")
    response = client.get(f"/intyg/{completion.id}.pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF-")


def test_public_verification_confirms_only_name_course_date_validity(client, passed):
    mia, _, completion, _ = passed
    code = format_code(completion.verification_code)
    response = client.get("/verifiera", query_string={"kod": code})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Intyget är giltigt" in html
    assert "Mia Ek" in html
    assert "Exempelkurs: så fungerar en kurs i Värna" in html
    # The day a person sees is the Stockholm calendar day (after 23:00 UTC, the next day).
    assert dates.local_day(completion.completed_at).isoformat() in html
    for private in (mia.email, mia.employee_number, "Barn och familj", "100 %", "Logga ut"):
        assert private not in html
    # typed loosely: lower case, spaces instead of dashes
    loose = client.get("/verifiera", query_string={"kod": code.lower().replace("-", " ")})
    assert "Intyget är giltigt" in loose.get_data(as_text=True)


def test_unknown_and_expired_codes(make, client, example):
    person = make.employee()
    make.completion(person, example, valid_months=1)  # completed 2025-01-15, long expired
    old = db.session.scalars(sa.select(Completion)).one()
    unknown = client.get("/verifiera", query_string={"kod": "ZZZZ-ZZZZ-ZZZZ-ZZZZ"})
    assert unknown.status_code == 404
    assert "Det finns inget intyg med den koden" in unknown.get_data(as_text=True)
    expired = client.get("/verifiera", query_string={"kod": old.verification_code})
    assert "Intyget har gått ut" in expired.get_data(as_text=True)
    assert client.get("/verifiera").status_code == 200
