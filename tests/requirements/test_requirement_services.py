"""Rules, exemptions, manual records and evidence as services, called directly, no HTML.

(Creating, changing, ending and previewing rules: test_requirements.py.)
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app import dates
from app.admin.requirements import evidence, services
from app.extensions import db
from app.models import AuditEvent, Completion, Exemption
from app.reports.coverage import employee_statuses

PDF = b"%PDF-1.4 a certificate"


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def _draft(town, **changes) -> services.RequirementDraft:
    return services.RequirementDraft(course_id=town["course"].id, **changes)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"course_id": 999_999}, "Kursen finns inte."),
        ({"unit_id": 999_999}, "Enheten finns inte."),
        ({"levels": ("chef", "kung")}, "Okänd nivå: kung."),
        (
            {"starts_on": date(2025, 2, 1), "ends_on": date(2025, 1, 31)},
            "Slutdatum kan inte vara före startdatum.",
        ),
    ],
)
def test_a_bad_rule_is_refused_and_nothing_is_written(town, changes, message):
    draft = services.RequirementDraft(**{"course_id": town["course"].id, **changes})
    with pytest.raises(services.Rejected, match=message):
        services.create_requirement(db.session, draft=draft, actor=town["hr"])
    assert _events("requirement.create") == []


def test_an_unchanged_rule_is_not_logged_and_the_draft_round_trips(town):
    rule = town["rule"]
    draft = services.draft_of(rule)
    assert (
        services.update_requirement(db.session, requirement=rule, draft=draft, actor=town["hr"])
        is rule
    )
    assert _events("requirement.update") == []
    assert services.normalise_tags(" Lärare; kurator,lärare ,, ") == ("kurator", "lärare")
    with pytest.raises(services.Rejected):
        services.end_requirement(
            db.session, requirement=rule, ends_on=rule.starts_on - timedelta(days=1), actor=None
        )


def test_rule_rows_count_the_reach_of_each_rule_today(town, make):
    today = dates.today()
    chefs = make.requirement(town["course"], levels=("chef",), starts_on=date(2024, 1, 1))
    ended = make.requirement(
        town["course"], starts_on=date(2024, 1, 1), ends_on=today - timedelta(days=1)
    )
    coming = make.requirement(town["course"], starts_on=today + timedelta(days=10))
    rows = {r.requirement.id: r for r in services.rule_rows(db.session, on=today)}
    # everyone active: Cesar, Hedda, Hanna, Anna, Bo, Vera, Olle
    assert (rows[town["rule"].id].reach, rows[town["rule"].id].active) == (7, True)
    assert (rows[chefs.id].reach, rows[chefs.id].active) == (1, True)  # Cesar
    assert (rows[ended.id].reach, rows[ended.id].active) == (0, False)
    assert (rows[coming.id].reach, rows[coming.id].active) == (0, False)
    # Newest start first.
    assert next(iter(rows)) == coming.id


def test_an_exemption_lifts_the_requirement_until_revoked(town):
    bo, hr = town["bo"], town["hr"]
    today = dates.today()
    assert [s.status for s in employee_statuses(db.session, bo.id, today)] == ["overdue"]
    with pytest.raises(services.Rejected, match="Ange ett skäl"):
        services.exempt(db.session, employee=bo, requirement=town["rule"], reason=" ", actor=hr)
    exemption = services.exempt(
        db.session, employee=bo, requirement=town["rule"], reason=" Föräldraledig ", actor=hr
    )
    assert (exemption.reason, exemption.created_by_id) == ("Föräldraledig", hr.id)
    assert employee_statuses(db.session, bo.id, today) == []
    with pytest.raises(services.Rejected, match="redan undantagen"):
        services.exempt(db.session, employee=bo, requirement=town["rule"], reason="Igen", actor=hr)

    services.revoke_exemption(db.session, exemption=exemption, actor=hr)
    assert exemption.revoked_by_id == hr.id
    assert [s.status for s in employee_statuses(db.session, bo.id, today)] == ["overdue"]
    with pytest.raises(services.Rejected, match="redan återkallat"):
        services.revoke_exemption(db.session, exemption=exemption, actor=hr)
    (created,) = _events("exemption.create")
    assert created.details == {
        "exemption_id": exemption.id,
        "requirement_id": town["rule"].id,
        "reason_given": True,  # not the text (M5)
        "reason_code": "annat",  # the neutral code, never the text
    }
    assert len(_events("exemption.revoke")) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Exemption)) == 1


def test_an_external_record_counts_like_a_completion_of_the_course(town):
    bo, hr = town["bo"], town["hr"]
    today = dates.today()
    record = services.record_external(
        db.session,
        employee=bo,
        course=town["course"],
        title=" ",
        completed_on=date(2025, 3, 4),
        reason="Intyg från Länsstyrelsens webbkurs",
        evidence_path="evidence/abc.pdf",
        actor=hr,
        today=date(2025, 3, 5),
    )
    assert (record.source, record.recorded_by_id, record.note) == (
        "external",
        hr.id,
        "Intyg från Länsstyrelsens webbkurs",
    )
    assert record.completed_at == datetime(2025, 3, 4, 12, tzinfo=UTC)
    assert record.expires_at == datetime(2028, 3, 4, tzinfo=UTC)  # the course's 36 months
    assert employee_statuses(db.session, bo.id, date(2025, 3, 5))[0].status == "completed"
    (event,) = _events("completion.external")
    assert (event.target_id, event.details["evidence"]) == (str(bo.id), True)

    other = services.record_external(
        db.session,
        employee=bo,
        course=None,
        title=" Nationella webbkursen ",
        completed_on=today,
        reason="Intyg",
        evidence_path=None,
        actor=hr,
        today=today,
    )
    assert (other.course_id, other.title, other.expires_at) == (None, "Nationella webbkursen", None)


@pytest.mark.parametrize(
    ("course", "title", "days", "reason", "message"),
    [
        (True, "", 0, " ", "Ange vad registreringen grundar sig på."),
        (False, " ", 0, "Intyg", "Välj en kurs eller skriv utbildningens namn."),
        (True, "", 1, "Intyg", "Datumet kan inte ligga i framtiden."),
    ],
)
def test_an_external_record_needs_a_reason_a_name_and_a_past_day(
    town, course, title, days, reason, message
):
    today = dates.today()
    with pytest.raises(services.Rejected, match=message):
        services.record_external(
            db.session,
            employee=town["bo"],
            course=town["course"] if course else None,
            title=title,
            completed_on=today + timedelta(days=days),
            reason=reason,
            evidence_path=None,
            actor=town["hr"],
            today=today,
        )
    assert _events("completion.external") == []


def test_looking_at_evidence_is_logged_and_only_stored_files_are_given(town, tmp_path):
    upload_dir = str(tmp_path)
    stored = evidence.store(upload_dir, "intyg.pdf", PDF)
    record = services.record_external(
        db.session,
        employee=town["bo"],
        course=town["course"],
        title="",
        completed_on=date(2025, 3, 4),
        reason="Intyg",
        evidence_path=stored,
        actor=town["hr"],
        today=date(2025, 3, 5),
    )
    path = services.view_evidence(
        db.session, completion=record, viewer=town["hr"], upload_dir=upload_dir
    )
    assert path.read_bytes() == PDF
    (event,) = _events("evidence.view")
    assert (event.actor_id, event.target_id, event.details) == (
        town["hr"].id,
        str(town["bo"].id),
        {"completion_id": record.id},
    )
    # No file recorded, a path outside UPLOAD_DIR, a file gone: nothing given, nothing logged.
    plain = db.session.scalar(sa.select(Completion).where(Completion.evidence_path.is_(None)))
    for completion, relative in (
        (plain, None),
        (record, "../../etc/passwd"),
        (record, "evidence/gone.pdf"),
    ):
        completion.evidence_path = relative
        assert (
            services.view_evidence(
                db.session, completion=completion, viewer=town["hr"], upload_dir=upload_dir
            )
            is None
        )
    assert len(_events("evidence.view")) == 1
