"""M5 (security review 2026-11): why a person is exempted, and HR's note on a manual record,
may be health data or reveal that the person has been a victim. Managers up the chain see
that an exemption exists and since when, never why; the audit log records that a reason was
given, not its text. HR sees both."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent
from tests.conftest import AuthActions, csrf_from

REASON = "Föräldraledig till 2027; känslig uppgift X"
NOTE = "Extern kurs hos länsstyrelsen"


def _hr_exempts_and_records(client, town):
    AuthActions(client).login("hr@k.se")
    url = f"/admin/personal/{town['bo'].id}/undantag"
    token = csrf_from(client.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "requirement_id": town["rule"].id, "reason": REASON}
    assert client.post(url, data=data).status_code == 302
    url = f"/admin/personal/{town['bo'].id}/registrera"
    token = csrf_from(client.get(url).get_data(as_text=True))
    data = {
        "csrf_token": token,
        "course_id": str(town["course"].id),
        "completed_on": "2025-03-01",
        "reason": NOTE,
    }
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302


@pytest.mark.parametrize("manager", ["chef@k.se", "head@k.se"])
def test_managers_see_that_an_exemption_exists_never_why(app, client, town, manager):
    _hr_exempts_and_records(client, town)
    hr_page = client.get(f"/enheter/personer/{town['bo'].id}").get_data(as_text=True)
    assert REASON in hr_page
    assert NOTE in hr_page

    boss = app.test_client()
    AuthActions(boss).login(manager)
    page = boss.get(f"/enheter/personer/{town['bo'].id}").get_data(as_text=True)
    exemptions = page.split("<h2>Undantag</h2>")[1]
    assert "Grundkurs" in exemptions
    assert "undantagen av HR från" in exemptions
    assert "gäller tills vidare" in exemptions
    assert "Föräldraledig" not in page
    assert "känslig" not in page
    assert "länsstyrelsen" not in page
    assert "Extern utbildning" in page  # the record itself is there, as what it is


def test_the_audit_log_records_that_a_reason_was_given_not_its_text(client, town):
    _hr_exempts_and_records(client, town)
    events = {
        e.action: e.details
        for e in db.session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.action.in_(["exemption.create", "completion.external"])
            )
        )
    }
    assert set(events) == {"exemption.create", "completion.external"}
    for details in events.values():
        assert details["reason_given"] is True
        text = json.dumps(details, ensure_ascii=False)
        assert "Föräldraledig" not in text
        assert "länsstyrelsen" not in text
    # HR's audit log page shows no reason either
    log = client.get("/admin/logg").get_data(as_text=True)
    assert "Föräldraledig" not in log
    assert "länsstyrelsen" not in log
