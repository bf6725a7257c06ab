"""Who gets in through a federated login (app/auth/federation.py), whatever the protocol."""

from __future__ import annotations

import sqlalchemy as sa
from flask import session as flask_session

from app.auth import federation
from app.auth.federation import FederatedIdentity
from app.extensions import db
from app.models import AuditEvent, Employee


def _identity(**claims) -> FederatedIdentity:
    return FederatedIdentity("oidc", "sub-123", claims, {"id_token_hint": "x.y.z"})


def _events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def _admit(app, identity, next_target=None):
    with app.test_request_context("/logga-in/oidc/retur"):
        if next_target:
            flask_session[federation.NEXT_KEY] = next_target
        response = federation.admit(db.session, identity)
        return response, dict(flask_session)


def test_an_active_hr_imported_person_is_logged_in(app, make):
    person = make.employee(email="anna.berg@kommun.se")
    response, session = _admit(app, _identity(email=" Anna.Berg@Kommun.SE "), "/kurser")
    assert response.status_code == 302
    assert response.headers["Location"] == "/kurser"
    assert session["_user_id"] == person.get_id()
    assert session["federated"] == {"provider": "oidc", "id_token_hint": "x.y.z"}
    assert federation.NEXT_KEY not in session
    [event] = _events("auth.federated_login")
    assert event.target_id == str(person.id)
    assert event.details == {"provider": "oidc"}
    assert db.session.get(Employee, person.id).last_login_at is not None


def test_nobody_in_the_hr_import_gets_the_page_for_hr_and_no_account(app, make):
    make.employee(email="anna.berg@kommun.se")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Employee))
    with app.test_request_context("/"):
        response = federation.admit(db.session, _identity(email="okand@kommun.se"))
        text = response.get_data(as_text=True)
        assert "_user_id" not in flask_session
    assert response.status_code == 403
    assert "Du finns inte i Värna än — kontakta HR" in text
    assert "okand@kommun.se" not in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Employee)) == before
    [event] = _events("auth.federated_refused")
    assert event.details["reason"] == "no_match"
    assert event.details["provider"] == "oidc"
    assert "okand" not in str(event.details)


def test_a_person_who_has_left_is_refused(app, make):
    person = make.employee(email="slutat@kommun.se", active=False)
    response, session = _admit(app, _identity(email="slutat@kommun.se"))
    assert response.status_code == 403
    assert "anställning i kommunen upphört" in response.get_data(as_text=True)
    assert "_user_id" not in session
    [event] = _events("auth.federated_refused")
    assert (event.details["reason"], event.target_id) == ("left", str(person.id))


def test_an_admin_account_that_is_no_one_in_hr_is_not_matched(app, make, runner):
    result = runner.invoke(
        args=["users", "create-admin", "admin@kommun.se"],
        input="ett-langt-adminlosenord\nett-langt-adminlosenord\n",
    )
    assert result.exit_code == 0, result.output
    response, _ = _admit(app, _identity(email="admin@kommun.se"))
    assert response.status_code == 403
    assert _events("auth.federated_refused")[0].details["reason"] == "no_match"


def test_a_token_without_the_identifying_claim_is_refused(app, make):
    make.employee(email="anna.berg@kommun.se")
    response, _ = _admit(app, _identity(name="Anna Berg"))
    assert response.status_code == 403
    assert _events("auth.federated_refused")[0].details["reason"] == "no_identifier"


def test_match_by_employee_number_and_saml_list_values(app, make, monkeypatch):
    person = make.employee(email="anna.berg@kommun.se")
    monkeypatch.setitem(app.config, "FEDERATION_MATCH_BY", "employee_number")
    monkeypatch.setitem(app.config, "SAML_IDENTITY_ATTRIBUTE", "anstallningsnummer")
    identity = FederatedIdentity(
        "saml", "nameid-1", {"anstallningsnummer": [person.employee_number, "x"]}, {}
    )
    response, session = _admit(app, identity)
    assert response.status_code == 302
    assert session["_user_id"] == person.get_id()
    assert session["federated"] == {"provider": "saml"}


def test_group_rights_are_off_by_default(app, make):
    person = make.employee(email="anna.berg@kommun.se", is_hr=True)
    _admit(app, _identity(email="anna.berg@kommun.se", groups=[]))
    assert db.session.get(Employee, person.id).is_hr is True
    assert _events("account.rights_from_directory") == []


def test_group_rights_follow_the_directory_and_every_change_is_audited(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "FEDERATION_HR_GROUP", "varna-hr")
    monkeypatch.setitem(app.config, "FEDERATION_REPORTER_GROUP", "varna-rapport")
    person = make.employee(email="anna.berg@kommun.se", is_hr=False, is_reporter=True)
    _admit(app, _identity(email="anna.berg@kommun.se", groups=["varna-hr", "annat"]))
    db.session.expire_all()
    person = db.session.get(Employee, person.id)
    assert (person.is_hr, person.is_reporter) == (True, False)
    changes = {e.details["right"]: e.details for e in _events("account.rights_from_directory")}
    assert changes["is_hr"] == {
        "right": "is_hr",
        "before": False,
        "after": True,
        "provider": "oidc",
    }
    assert changes["is_reporter"]["after"] is False
    # The same groups again: nothing changes, nothing more is recorded.
    _admit(app, _identity(email="anna.berg@kommun.se", groups=["varna-hr"]))
    assert len(_events("account.rights_from_directory")) == 2


def test_a_failed_protocol_check_is_a_swedish_page_and_an_audit_event(app, make):
    with app.test_request_context("/"):
        response = federation.refuse(db.session, "oidc", "state")
    assert response.status_code == 400
    assert "Inloggningen kunde inte slutföras" in response.get_data(as_text=True)
    assert _events("auth.federated_refused")[0].details == {"provider": "oidc", "reason": "state"}


def test_the_login_page_offers_no_provider_when_none_is_configured(app, client):
    with app.test_request_context("/"):
        assert federation.configured_providers() == []
        assert federation.provider_logout_url(None) is None
        assert federation.provider_logout_url({"provider": "okänd"}) is None
