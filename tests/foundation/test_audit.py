"""records.audit, the one writer of audit events: actor, target, and the client's address."""

from __future__ import annotations

import sqlalchemy as sa
from werkzeug.middleware.proxy_fix import ProxyFix

from app.extensions import db
from app.models import AuditEvent
from app.records import audit


def _events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def test_outside_a_request_there_is_no_address_and_an_actor_may_be_an_id(make):
    hr = make.employee(is_hr=True)
    audit(db.session, hr, "test.person", "employee", 7, {"a": 1})
    audit(db.session, None, "test.id", target_id=None, actor_id=hr.id)
    audit(db.session, None, "test.system")
    db.session.commit()
    (person,) = _events("test.person")
    assert (person.actor_id, person.target_type, person.target_id, person.details) == (
        hr.id,
        "employee",
        "7",
        {"a": 1},
    )
    assert person.remote_addr is None
    assert _events("test.id")[0].actor_id == hr.id
    system = _events("test.system")[0]
    assert (system.actor_id, system.target_type, system.details) == (None, None, {})


def test_a_request_s_client_address_is_kept_and_x_forwarded_for_is_not_believed(client, auth, make):
    make.employee(email="hr@k.se", is_hr=True)
    person = make.employee()
    auth.login("hr@k.se")
    response = client.get(
        f"/admin/personal/{person.id}",
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
        headers={"X-Forwarded-For": "203.0.113.9"},
    )
    assert response.status_code == 200
    (event,) = _events("person.view")
    assert event.remote_addr == "192.0.2.7"


def test_behind_a_trusted_proxy_the_forwarded_client_is_kept(app, client, auth, make):
    """With TRUSTED_PROXIES the factory wraps the app in ProxyFix; remote_addr follows it."""
    make.employee(email="hr@k.se", is_hr=True)
    person = make.employee()
    auth.login("hr@k.se")
    plain = app.wsgi_app
    app.wsgi_app = ProxyFix(plain, x_for=1, x_proto=1, x_host=1)
    try:
        client.get(
            f"/admin/personal/{person.id}",
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
            headers={"X-Forwarded-For": "198.51.100.7, 203.0.113.5"},
        )
    finally:
        app.wsgi_app = plain
    (event,) = _events("person.view")
    assert event.remote_addr == "203.0.113.5"  # the hop the proxy added, not the made-up one
