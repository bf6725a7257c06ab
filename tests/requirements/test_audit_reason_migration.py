"""M5: migration 0007 removes the reason text that audit events held before the fix."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent

MIGRATION = (
    Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0007_audit_reason_text.py"
)


def _migration():
    spec = importlib.util.spec_from_file_location("m0007", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_old_audit_details_lose_the_reason_text_and_keep_the_rest(app_ctx):
    old = [
        AuditEvent(
            action="exemption.create",
            target_type="employee",
            target_id="7",
            details={"exemption_id": 3, "requirement_id": 2, "reason": "Sjukskriven, utsatt"},
        ),
        AuditEvent(
            action="completion.external",
            target_type="employee",
            target_id="7",
            details={"completion_id": 9, "title": "", "evidence": False, "reason": "Länsstyrelsen"},
        ),
        AuditEvent(action="exemption.revoke", details={"exemption_id": 3, "requirement_id": 2}),
        AuditEvent(action="person.view", target_type="employee", target_id="7", details={}),
    ]
    db.session.add_all(old)
    db.session.commit()

    with db.engine.begin() as conn:
        assert _migration().scrub(conn) == 2
    db.session.expire_all()
    details = {e.action: e.details for e in db.session.scalars(sa.select(AuditEvent))}
    assert details == {
        "exemption.create": {"exemption_id": 3, "requirement_id": 2, "reason_given": True},
        "completion.external": {
            "completion_id": 9,
            "title": "",
            "evidence": False,
            "reason_given": True,
        },
        "exemption.revoke": {"exemption_id": 3, "requirement_id": 2},
        "person.view": {},
    }
    assert "Sjukskriven" not in json.dumps(list(details.values()), ensure_ascii=False)
    # run again: nothing left to change
    with db.engine.begin() as conn:
        assert _migration().scrub(conn) == 0
