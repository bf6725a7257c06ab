"""HR's rules: preview, create, change, end (never deleting a completion), all audited."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from app import dates
from app.admin.requirements import services
from app.extensions import db
from app.models import AuditEvent, Completion, Requirement
from app.reports.coverage import employee_statuses
from tests.conftest import csrf_from


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_preview_counts_people_per_administration_and_saves_nothing(app_ctx, town, make):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Requirement))
    draft = services.RequirementDraft(course_id=town["course"].id, levels=("medarbetare",))
    preview = services.preview(db.session, draft=draft, on=dates.today())
    rows = {r.label: r.people for r in preview.rows}
    # Anna, Bo, Vera in SOC; Olle in UTB; Hanna (HR, medarbetare) directly under the kommun.
    assert rows["Socialförvaltningen"] == 3
    assert rows["Utbildningsförvaltningen"] == 1
    assert preview.total == 5
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Requirement)) == before


def test_preview_of_a_subtree_rule_with_tags(app_ctx, town, make):
    make.employee(unit=town["vux"], tags=("socialsekreterare",))
    draft = services.RequirementDraft(
        course_id=town["course"].id, unit_id=town["soc"].id, tags=("socialsekreterare",)
    )
    preview = services.preview(db.session, draft=draft, on=dates.today())
    assert [(r.label, r.people) for r in preview.rows] == [("Socialförvaltningen", 1)]


def test_create_update_and_end_are_audited_and_keep_completions(app_ctx, town):
    hr = town["hr"]
    draft = services.RequirementDraft(
        course_id=town["course"].id, levels=("chef",), legal_basis="AML", starts_on=date(2024, 1, 1)
    )
    req = services.create_requirement(db.session, draft=draft, actor=hr)
    db.session.commit()
    changed = services.RequirementDraft(
        **{**draft.__dict__, "due_days": 10, "levels": ("chef", "ledning")}
    )
    services.update_requirement(db.session, requirement=req, draft=changed, actor=hr)
    db.session.commit()
    assert sorted(lv.level for lv in req.levels) == ["chef", "ledning"]
    completions = db.session.scalar(sa.select(sa.func.count()).select_from(Completion))
    services.end_requirement(db.session, requirement=req, ends_on=date(2024, 6, 1), actor=hr)
    services.end_requirement(
        db.session, requirement=town["rule"], ends_on=dates.today() - timedelta(days=1), actor=hr
    )
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Completion)) == completions
    assert employee_statuses(db.session, town["anna"].id, dates.today()) == []
    assert len(_events("requirement.create")) == 1
    update = _events("requirement.update")[0]
    assert update.details["old"]["due_days"] == 90
    assert update.details["new"]["due_days"] == 10
    assert len(_events("requirement.end")) == 2


def test_legal_basis_reaches_the_learner(app_ctx, town, make):
    make.requirement(town["course"], legal_basis="Diskrimineringslagen 3 kap. 6 §")
    statuses = employee_statuses(db.session, town["bo"].id, dates.today())
    assert "Diskrimineringslagen 3 kap. 6 §" in statuses[0].legal_basis


def test_hr_pages_preview_then_save(client, auth, town):
    auth.login("hr@k.se")
    page = client.get("/admin/krav/ny").get_data(as_text=True)
    form = {
        "csrf_token": csrf_from(page),
        "course_id": str(town["course"].id),
        "levels": ["chef", "ledning"],
        "unit_code": "SOC",
        "due_days": "60",
        "legal_basis": "Arbetsmiljölagen",
        "starts_on": dates.today().isoformat(),
    }
    preview = client.post("/admin/krav/ny", data={**form, "preview": "1"})
    text = preview.get_data(as_text=True)
    assert "Regeln når 2 personer" in text
    assert "Socialförvaltningen" in text
    with client.application.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Requirement)) == 1
    saved = client.post("/admin/krav/ny", data={**form, "save": "1"})
    assert saved.status_code == 302
    with client.application.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Requirement)) == 2
    listing = client.get("/admin/krav").get_data(as_text=True)
    assert "Socialförvaltningen med underenheter" in listing


def test_unknown_unit_code_is_a_field_error(client, auth, town):
    auth.login("hr@k.se")
    page = client.get("/admin/krav/ny").get_data(as_text=True)
    response = client.post(
        "/admin/krav/ny",
        data={
            "csrf_token": csrf_from(page),
            "course_id": str(town["course"].id),
            "unit_code": "FINNS-EJ",
            "due_days": "60",
            "starts_on": dates.today().isoformat(),
            "save": "1",
        },
    )
    assert response.status_code == 200
    assert "Det finns ingen enhet med den koden." in response.get_data(as_text=True)


def test_managers_cannot_reach_hr_pages(client, auth, town):
    auth.login("head@k.se")
    for url in ("/admin/krav", "/admin/krav/ny", "/admin/delegeringar"):
        assert client.get(url).status_code == 403
