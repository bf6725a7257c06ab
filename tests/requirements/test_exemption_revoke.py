"""Revoking an exemption from the person's page: required again at once, shown as revoked, audited."""

from __future__ import annotations

import sqlalchemy as sa

from app import dates
from app.dates import local_day
from app.extensions import db
from app.models import AuditEvent, Exemption
from app.reports.coverage import employee_statuses
from tests.conftest import AuthActions, csrf_from


def _person_page(client, employee) -> str:
    return client.get(f"/enheter/personer/{employee.id}").get_data(as_text=True)


def _required(html: str) -> str:
    """The "Krävda kurser" table of a person page."""
    return html.split("<h2>Krävda kurser</h2>")[1].split("</table>")[0]


def _exemptions(html: str) -> str:
    return html.split("<h2>Undantag</h2>")[1]


def _revoke(client, exemption_id: int, employee):
    token = csrf_from(_person_page(client, employee))
    return client.post(f"/admin/undantag/{exemption_id}/aterkalla", data={"csrf_token": token})


def _revoke_events() -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "exemption.revoke"))
    )


def _own_required(client) -> str:
    """What "Min utbildning" lists as required of the person logged in."""
    html = client.get("/").get_data(as_text=True)
    return html.split('id="required-heading"')[1].split("<h2")[0]


def test_revoking_makes_the_course_required_again(app, client, auth, town, make):
    bo, rule = town["bo"], town["rule"]
    exemption = make.exemption(bo, rule, reason="Tjänstledig hela 2024")
    today = dates.today()
    assert employee_statuses(db.session, bo.id, today) == []
    bo_client = app.test_client()
    AuthActions(bo_client).login("bo@k.se")
    assert "Grundkurs" not in _own_required(bo_client)

    auth.login("hr@k.se")
    before = _person_page(client, bo)
    assert "Inga kurser krävs just nu." in _required(before)
    assert "Tjänstledig hela 2024" in _exemptions(before)
    assert f"/admin/undantag/{exemption.id}/aterkalla" in before

    response = _revoke(client, exemption.id, bo)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/enheter/personer/{bo.id}")

    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Undantaget är återkallat." in after
    # Bo has never taken the course and the rule's 30 days ran out on 2024-01-31
    required = _required(after)
    assert "Grundkurs" in required
    assert "Försenad" in required
    assert "sista dag 2024-01-31" in required
    db.session.expire_all()
    stored = db.session.get(Exemption, exemption.id)
    assert stored.revoked_by_id == town["hr"].id
    listed = _exemptions(after)
    assert "Tjänstledig hela 2024" in listed  # the exemption stays in the history
    assert f"återkallat {local_day(stored.revoked_at).isoformat()}" in listed
    assert f"/admin/undantag/{exemption.id}/aterkalla" not in after  # nothing left to revoke

    (status,) = employee_statuses(db.session, bo.id, today)
    assert (status.course_id, status.status) == (town["course"].id, "overdue")
    (event,) = _revoke_events()
    assert event.actor_id == town["hr"].id
    assert (event.target_type, event.target_id) == ("employee", str(bo.id))
    assert event.details == {"exemption_id": exemption.id, "requirement_id": rule.id}

    # Bo's own page lists the course again
    assert "Grundkurs" in _own_required(bo_client)


def test_revoking_twice_is_refused_and_logged_once(client, auth, town, make):
    exemption = make.exemption(town["bo"], town["rule"])
    auth.login("hr@k.se")
    _revoke(client, exemption.id, town["bo"])
    db.session.expire_all()
    first = db.session.get(Exemption, exemption.id).revoked_at
    again = _revoke(client, exemption.id, town["bo"])
    assert again.status_code == 302
    assert "Undantaget är redan återkallat." in client.get(again.headers["Location"]).get_data(
        as_text=True
    )
    db.session.expire_all()
    assert db.session.get(Exemption, exemption.id).revoked_at == first
    assert len(_revoke_events()) == 1


def test_only_hr_revokes(client, auth, town, make):
    exemption = make.exemption(town["bo"], town["rule"], reason="Föräldraledig")
    auth.login("chef@k.se")  # Bo's own chef
    page = _person_page(client, town["bo"])
    assert "undantagen av HR från" in _exemptions(page)
    assert "Föräldraledig" not in page  # the reason is HR's (M5)
    assert f"/admin/undantag/{exemption.id}/aterkalla" not in page  # no button for the chef
    assert _revoke(client, exemption.id, town["bo"]).status_code == 403
    db.session.expire_all()
    assert db.session.get(Exemption, exemption.id).revoked_at is None
    assert employee_statuses(db.session, town["bo"].id, dates.today()) == []
    assert _revoke_events() == []


def test_an_unknown_exemption_is_a_404(client, auth, town):
    auth.login("hr@k.se")
    token = csrf_from(client.get("/admin/").get_data(as_text=True))
    assert (
        client.post("/admin/undantag/999999/aterkalla", data={"csrf_token": token}).status_code
        == 404
    )
