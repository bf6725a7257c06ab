"""The API's services (app/api/services.py), called directly: tokens, pages, coverage, audit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app import dates
from app.api import services
from app.extensions import db
from app.models import ApiToken, AuditEvent, Completion
from app.reports import coverage
from app.reports.coverage import Scope


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_a_token_is_shown_once_stored_hashed_and_revoked_once(town):
    hr = town["hr"]
    token, plain = services.create_token(db.session, name="  Lönesystemet  ", actor=hr)
    assert plain.startswith(services.PREFIX)
    assert token.name == "Lönesystemet"
    assert plain not in token.token_hash
    assert services.authenticate(db.session, f"Bearer {plain}") is token
    for header in (None, "", plain, f"Basic {plain}", "Bearer varna_wrong", "Bearer other"):
        with pytest.raises(services.TokenRefused, match="En giltig API-nyckel krävs"):
            services.authenticate(db.session, header)
    (created,) = _events("api.token_create")
    last_day = dates.add_months(dates.today(), services.MAX_MONTHS)
    assert (created.actor_id, created.target_id, created.details) == (
        hr.id,
        str(token.id),
        {
            "name": "Lönesystemet",
            "expires_on": last_day.isoformat(),  # the longest allowed when none is given
            "scopes": list(services.SCOPES),
            "unit": None,
        },
    )
    services.revoke_token(db.session, token=token, actor=hr)
    services.revoke_token(db.session, token=token, actor=hr)  # once is enough
    assert token.revoked_at is not None
    with pytest.raises(services.TokenRefused, match="återkallad"):
        services.authenticate(db.session, f"Bearer {plain}")
    assert len(_events("api.token_revoke")) == 1


def _dated_completions(start: datetime) -> list[Completion]:
    rows = db.session.scalars(sa.select(Completion).order_by(Completion.id)).all()
    for i, c in enumerate(rows):
        c.created_at = start + timedelta(hours=i // 2)  # pairs share a timestamp
    db.session.commit()
    return rows


def test_the_completions_feed_pages_by_time_and_id(town):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = _dated_completions(start)
    seen, cursor = [], None
    while True:
        page = services.completions_page(db.session, since=None, cursor=cursor, limit=3)
        seen += [item["id"] for item in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [c.id for c in rows]
    since = services.completions_page(
        db.session, since=start + timedelta(hours=1), cursor=None, limit=100
    )
    assert [i["id"] for i in since.items] == [c.id for c in rows[2:]]
    first = since.items[0]
    assert first["recorded_at"] == "2026-01-01T01:00:00Z"
    assert set(first) == {
        "id",
        "recorded_at",
        "employee_number",
        "course",
        "course_version",
        "title",
        "completed_at",
        "expires_at",
        "score",
        "source",
        "superseded_by",
    }
    with pytest.raises(services.BadRequest, match="cursor"):
        services.completions_page(db.session, since=None, cursor="not a cursor", limit=3)


def test_reading_the_feed_is_logged_in_the_token_owner_s_name(town):
    token, _plain = services.create_token(db.session, name="Lön", actor=town["hr"])
    page = services.read_completions(
        db.session, token=token, since="2020-01-01T00:00:00Z", cursor=None, limit=5
    )
    assert len(page.items) == 5
    (event,) = _events("api.completions")
    assert (event.actor_id, event.target_type, event.target_id) == (
        town["hr"].id,
        "api_token",
        str(token.id),
    )
    assert event.details == {"since": "2020-01-01T00:00:00Z", "cursor": False, "rows": 5}
    with pytest.raises(services.BadRequest, match="since"):
        services.read_completions(db.session, token=token, since="i går", cursor=None, limit=5)
    assert len(_events("api.completions")) == 1


def test_units_are_paged_with_their_parent(town):
    page = services.units_page(db.session, cursor=None, limit=2)
    assert [(u["code"], u["parent"], u["depth"]) for u in page.items] == [
        ("K", None, 0),
        ("SOC", "K", 1),
    ]
    rest = services.units_page(db.session, cursor=page.next_cursor, limit=100)
    assert [u["code"] for u in rest.items] == ["IFO", "UTB", "NS"]
    assert rest.next_cursor is None
    with pytest.raises(services.BadRequest):
        services.units_page(db.session, cursor=services.encode_cursor("x"), limit=2)


def test_courses_with_their_current_version(town):
    listed = {c["slug"]: c for c in services.courses_list(db.session)}
    assert list(listed) == ["chefens-ansvar", "grundkurs"]
    assert listed["grundkurs"]["current_version"] == "1.0"
    assert listed["grundkurs"]["prevention_levels"] == ["universal"]


def test_unit_coverage_adds_up_the_one_definition(town):
    on = dates.today()
    answer = services.unit_coverage(db.session, unit=town["soc"], on=on, course=None)
    scope = Scope(unit_paths=[town["soc"].path])
    rows = coverage.status_counts(db.session, on=on, group_by=("course",), scope=scope)
    total = sum((r.counts for r in rows), coverage.Counts())
    assert answer["total"]["total"] == total.total
    assert answer["total"]["covered"] == total.covered
    assert answer["people"] == 10  # nine in Individ och familj, and the chef above them
    assert set(answer["by_course"]) == {"grundkurs", "chefens-ansvar"}
    assert answer["by_level"]["chef"]["total"] == 2  # the chef: both courses
    assert sum(v["total"] for v in answer["by_level"].values()) == total.total
    only = services.unit_coverage(db.session, unit=town["soc"], on=on, course=town["basic"])
    assert (only["course"], list(only["by_course"])) == ("grundkurs", ["grundkurs"])
    assert only["total"]["total"] == 10  # grundkurs: everyone
    assert answer["on"] == on.isoformat()
    assert (
        services.unit_coverage(db.session, unit=town["soc"], on=date(2023, 1, 1), course=None)[
            "total"
        ]["total"]
        == 0
    )  # before any rule started
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0
