"""Exemptions and manual records: with a reason, audited, visible in the history as what they are."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from app import dates
from app.extensions import db
from app.models import AuditEvent, Completion, Exemption
from app.reports.coverage import employee_statuses
from tests.conftest import csrf_from

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_exemption_removes_the_requirement_and_shows_in_history(client, auth, town):
    auth.login("hr@k.se")
    url = f"/admin/personal/{town['bo'].id}/undantag"
    token = csrf_from(client.get(url).get_data(as_text=True))
    response = client.post(
        url,
        data={"csrf_token": token, "requirement_id": town["rule"].id, "reason": "Tjänstledig 2025"},
    )
    assert response.status_code == 302
    with client.application.app_context():
        assert employee_statuses(db.session, town["bo"].id, dates.today()) == []
        assert db.session.scalar(
            sa.select(sa.func.count()).where(AuditEvent.action == "exemption.create")
        )
    history = client.get(f"/enheter/personer/{town['bo'].id}").get_data(as_text=True)
    assert "Tjänstledig 2025" in history


def test_exemption_needs_a_reason(client, auth, town):
    auth.login("hr@k.se")
    url = f"/admin/personal/{town['bo'].id}/undantag"
    token = csrf_from(client.get(url).get_data(as_text=True))
    response = client.post(
        url, data={"csrf_token": token, "requirement_id": town["rule"].id, "reason": ""}
    )
    assert response.status_code == 200
    assert "Ange ett skäl." in response.get_data(as_text=True)
    with client.application.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Exemption)) == 0


def _record(client, town, **files):
    url = f"/admin/personal/{town['bo'].id}/registrera"
    token = csrf_from(client.get(url).get_data(as_text=True))
    data = {
        "csrf_token": token,
        "course_id": str(town["course"].id),
        "completed_on": "2025-03-01",
        "reason": "Nationella webbutbildningen, intyg bifogat",
        **files,
    }
    return client.post(url, data=data, content_type="multipart/form-data")


def test_external_record_with_evidence(client, auth, town, app):
    auth.login("hr@k.se")
    response = _record(client, town, evidence=(io.BytesIO(PDF), "intyg.pdf"))
    assert response.status_code == 302
    with client.application.app_context():
        c = db.session.scalar(sa.select(Completion).where(Completion.employee_id == town["bo"].id))
        assert c.source == "external"
        assert c.recorded_by_id == town["hr"].id
        assert c.expires_at is not None  # the course's 36 months
        assert (Path(app.config["UPLOAD_DIR"]) / c.evidence_path).read_bytes() == PDF
        status = employee_statuses(db.session, town["bo"].id, dates.today())[0]
        assert status.completed_on == date(2025, 3, 1)
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "completion.external")
        )
        assert event.details["evidence"] is True
    history = client.get(f"/enheter/personer/{town['bo'].id}").get_data(as_text=True)
    assert "Extern utbildning" in history
    assert "Nationella webbutbildningen" in history
    download = client.get(f"/admin/underlag/{c.id}")
    assert download.status_code == 200
    assert download.data == PDF


def test_evidence_that_is_not_a_pdf_or_image_is_refused(client, auth, town):
    auth.login("hr@k.se")
    response = _record(client, town, evidence=(io.BytesIO(b"MZ\x90\x00evil"), "intyg.pdf"))
    assert response.status_code == 200
    assert "inte en PDF-, PNG- eller JPEG-fil" in response.get_data(as_text=True)
    response = _record(client, town, evidence=(io.BytesIO(PDF), "intyg.exe"))
    assert "ska vara en PDF-, PNG- eller JPEG-fil" in response.get_data(as_text=True)
    with client.application.app_context():
        assert (
            db.session.scalar(sa.select(sa.func.count()).where(Completion.source == "external"))
            == 0
        )


def test_evidence_too_large_is_refused(client, auth, town):
    auth.login("hr@k.se")
    big = PDF + b"0" * (10 * 1024 * 1024)
    response = _record(client, town, evidence=(io.BytesIO(big), "intyg.pdf"))
    assert "för stor" in response.get_data(as_text=True)


def test_managers_cannot_record_or_exempt(client, auth, town):
    auth.login("head@k.se")
    assert client.get(f"/admin/personal/{town['bo'].id}/registrera").status_code == 403
    assert client.get(f"/admin/personal/{town['bo'].id}/undantag").status_code == 403
