"""API tokens as HR and an integrator meet them (security review M2, L5; outputs review):
scopes and a unit subtree, a required expiry of at most 12 months, refusal as soon as the
creator is no longer active HR, the last use on HR's page, a rate limit per token, the
Bearer scheme in any case, Swedish time for a `since` without an offset."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from app import dates
from app.api import services
from app.extensions import db
from app.models import ApiToken, AuditEvent, Completion, Employee
from tests.auth.test_throttling import limited  # noqa: F401 (the Redis-backed fixture)
from tests.conftest import csrf_from

PAGE = "/admin/api-nycklar/"


def get(client, url, token, scheme="Bearer"):
    return client.get(url, headers={"Authorization": f"{scheme} {token}"})


def create(client, **fields):
    """HR fills in the form on the API keys page; the plain token, or None and the page."""
    page = client.get(PAGE).get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), **fields}
    response = client.post(PAGE, data=data)
    html = response.get_data(as_text=True)
    if '<code class="token">' not in html:
        return None, html
    return html.split('<code class="token">')[1].split("<")[0], html


def in_a_month() -> str:
    return dates.add_months(dates.today(), 1).isoformat()


@pytest.fixture
def hr(client, auth, town):
    auth.login("hr@test.example")
    return client


def test_a_token_reads_only_what_hr_chose(hr, town, app_ctx):
    plain, _ = create(
        hr, name="Skolsystemet", scopes=["units", "coverage"], unit_code="UTB",
        expires_on=in_a_month(),
    )  # fmt: skip
    assert plain
    # endpoints outside its scopes: 403, saying what it may read
    refused = get(hr, "/api/v1/completions", plain)
    assert refused.status_code == 403
    assert "completions" in refused.json["error"]["message"]
    assert get(hr, "/api/v1/courses", plain).status_code == 403
    # the units it may read: Utbildningsförvaltningen and what lies below it
    codes = {u["code"] for u in get(hr, "/api/v1/units", plain).json["items"]}
    assert codes == {"UTB", "NS"}
    assert get(hr, "/api/v1/units/NS/coverage", plain).status_code == 200
    for outside in ("SOC", "IFO", "K"):
        response = get(hr, f"/api/v1/units/{outside}/coverage", plain)
        assert response.status_code == 403, outside
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "api.token_create"))
    assert event.details["scopes"] == ["units", "coverage"]
    assert event.details["unit"] == "UTB"


def test_a_unit_token_reads_only_the_completions_of_people_in_that_subtree(hr, town, app_ctx):
    plain, _ = create(
        hr, name="IFO", scopes=["completions"], unit_code="IFO", expires_on=in_a_month()
    )
    items = get(hr, "/api/v1/completions", plain).json["items"]
    in_ifo = {
        e.employee_number
        for e in db.session.scalars(db.select(Employee).where(Employee.unit_id == town["ifo"].id))
    }
    assert len(items) == 6  # the six in Individ och familj who took the course
    assert {i["employee_number"] for i in items} <= in_ifo


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"scopes": ["courses"]}, "Ange sista dagen"),
        ({"scopes": ["courses"], "expires_on": "13 maj"}, "Ange sista dagen"),
        ({"expires_on": "TODAY"}, "Välj minst en sak"),
        ({"scopes": ["courses"], "expires_on": "TOO_LATE"}, "högst 12 månader"),
        ({"scopes": ["courses"], "expires_on": "YESTERDAY"}, "Sista dagen ska vara mellan"),
        ({"scopes": ["courses"], "expires_on": "TODAY", "unit_code": "NOPE"}, "NOPE"),
    ],
)
def test_a_token_needs_a_scope_and_an_expiry_within_twelve_months(hr, app_ctx, fields, message):
    today = dates.today()
    days = {
        "TODAY": today,
        "YESTERDAY": today - timedelta(days=1),
        "TOO_LATE": dates.add_months(today, 12) + timedelta(days=1),
    }
    if fields.get("expires_on") in days:
        fields["expires_on"] = days[fields["expires_on"]].isoformat()
    plain, html = create(hr, name="Lön", **fields)
    assert plain is None
    assert message in html
    assert db.session.scalar(db.select(db.func.count()).select_from(ApiToken)) == 0


def test_a_token_works_through_its_last_day_and_not_after(hr, app_ctx):
    last_day = dates.add_months(dates.today(), 12)  # the longest allowed
    plain, html = create(hr, name="Lön", scopes=["courses"], expires_on=last_day.isoformat())
    assert plain
    assert last_day.isoformat() in html  # shown in the list
    assert get(hr, "/api/v1/courses", plain).status_code == 200
    token = db.session.scalar(db.select(ApiToken))
    token.expires_on = dates.today()
    db.session.commit()
    assert get(hr, "/api/v1/courses", plain).status_code == 200  # its last day
    token.expires_on = dates.today() - timedelta(days=1)
    db.session.commit()
    response = get(hr, "/api/v1/courses", plain)
    assert response.status_code == 401
    assert "gick ut" in response.json["error"]["message"]


@pytest.mark.parametrize("change", ["no_longer_hr", "deactivated"])
def test_a_token_stops_at_once_when_its_creator_is_no_longer_active_hr(
    client, town, app_ctx, change
):
    _, plain = services.create_token(db.session, name="Lön", actor=town["hr"])
    db.session.commit()
    assert get(client, "/api/v1/completions", plain).status_code == 200
    creator = db.session.get(Employee, town["hr"].id)
    if change == "no_longer_hr":
        creator.is_hr = False
    else:
        creator.active = False
    db.session.commit()
    for url in ("/api/v1/completions", "/api/v1/units/SOC/coverage"):
        response = get(client, url, plain)
        assert response.status_code == 401, url
        assert "HR-behörighet" in response.json["error"]["message"]


def test_hr_sees_when_each_token_was_last_used_and_which_no_longer_work(
    client, auth, town, make, app_ctx
):
    _, used = services.create_token(db.session, name="Används", actor=town["hr"])
    services.create_token(db.session, name="Oanvänd", actor=town["hr"])
    leaver = make.employee(unit=town["root"], email="hr2@test.example", is_hr=True)
    _, orphan = services.create_token(db.session, name="Föräldralös", actor=leaver)
    leaver.active = False
    db.session.commit()
    assert get(client, "/api/v1/courses", used).status_code == 200
    auth.login("hr@test.example")
    html = client.get(PAGE).get_data(as_text=True)
    stamp = db.session.scalar(db.select(ApiToken).where(ApiToken.name == "Används")).last_used_at
    shown = stamp.astimezone(dates.STOCKHOLM).strftime("%Y-%m-%d %H:%M")
    row = html.split(">Används</th>")[1].split("</tr>")[0]
    assert shown in row
    assert "aldrig" in html.split(">Oanvänd</th>")[1].split("</tr>")[0]
    orphan_row = html.split(">Föräldralös</th>")[1].split("</tr>")[0]
    assert "Fungerar inte" in orphan_row
    assert "HR-behörighet" in orphan_row


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.ids += [v for k, v in attrs if k == "id"]


def test_the_api_keys_page_has_no_duplicate_ids(hr, town, app_ctx):
    for name in ("Ett", "Två", "Tre"):
        services.create_token(db.session, name=name, actor=town["hr"])
    db.session.commit()
    html = hr.get(PAGE).get_data(as_text=True)
    parser = _Ids()
    parser.feed(html)
    assert parser.ids.count("csrf_token") == 1
    assert len(parser.ids) == len(set(parser.ids)), sorted(parser.ids)
    revoke_forms = html.split("/aterkalla")[1:]
    assert len(revoke_forms) == 3
    assert all('name="csrf_token"' in form.split("</form>")[0] for form in revoke_forms)
    # revoking from the list still works
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.name == "Två"))
    hr.post(f"{PAGE}{token.id}/aterkalla", data={"csrf_token": csrf_from(html)})
    db.session.refresh(token)
    assert token.revoked_at is not None


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_the_bearer_scheme_is_case_insensitive(client, town, app_ctx, scheme):
    _, plain = services.create_token(db.session, name="Lön", actor=town["hr"])
    db.session.commit()
    assert get(client, "/api/v1/courses", plain, scheme=scheme).status_code == 200
    assert get(client, "/api/v1/courses", plain, scheme="Basic").status_code == 401


@pytest.fixture
def plain(app_ctx, town):
    _, plain = services.create_token(db.session, name="Lön", actor=town["hr"])
    db.session.commit()
    return plain


@pytest.mark.parametrize(
    ("url", "field"),
    [("/api/v1/completions?since=", "since"), ("/api/v1/units/SOC/coverage?on=", "on")],
)
def test_an_empty_since_or_on_is_a_400(client, plain, url, field):
    response = get(client, url, plain)
    assert response.status_code == 400
    assert response.json["error"]["message"].startswith(f"{field}:")


def test_a_since_without_an_offset_is_swedish_time(client, plain, app_ctx):
    rows = db.session.scalars(db.select(Completion).order_by(Completion.id)).all()
    # 00:30 and 01:30 on 2 June in Stockholm (summer time, UTC+2)
    early, late = rows[0], rows[1]
    early.created_at = datetime(2026, 6, 1, 22, 30, tzinfo=UTC)
    late.created_at = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)
    for other in rows[2:]:
        other.created_at = datetime(2026, 5, 1, tzinfo=UTC)
    db.session.commit()

    def ids(since: str) -> list[int]:
        response = get(client, f"/api/v1/completions?since={since}", plain)
        assert response.status_code == 200, since
        return [i["id"] for i in response.json["items"]]

    assert ids("2026-06-02T01:00:00") == [late.id]  # 01:00 in Sweden
    assert ids("2026-06-02") == [early.id, late.id]  # Swedish midnight
    assert ids("2026-06-02T01:00:00Z") == []  # an explicit offset is kept
    assert ids("2026-06-02T01:00:00%2B02:00") == [late.id]
    doc = client.get("/api/v1/openapi.json").json
    (since,) = [
        p for p in doc["paths"]["/completions"]["get"]["parameters"] if p["name"] == "since"
    ]
    assert "Swedish time" in since["description"]


def _cursor(*parts) -> str:
    return base64.urlsafe_b64encode("|".join(map(str, parts)).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "url",
    [
        # the review's own cursor: 2026-01-01 and an id of 24 digits
        "/api/v1/completions?cursor=MjAyNi0wMS0wMXw5OTk5OTk5OTk5OTk5OTk5OTk5OTk5",
        f"/api/v1/completions?cursor={_cursor('2026-01-01T00:00:00Z', 2**63)}",
        f"/api/v1/units?cursor={_cursor(10**30)}",
        f"/api/v1/units?cursor={_cursor(2**63)}",
    ],
)
def test_an_oversized_cursor_is_a_400_not_a_500(client, plain, url):
    response = get(client, url, plain)
    assert response.status_code == 400
    assert response.json["error"]["message"] == "cursor: ogiltig"


def test_an_oversized_token_id_is_a_404(hr, town):
    html = hr.get(PAGE).get_data(as_text=True)
    response = hr.post(f"{PAGE}{10**30}/aterkalla", data={"csrf_token": csrf_from(html)})
    assert response.status_code == 404


def test_every_use_of_a_token_is_rate_limited_per_token(limited, town, app_ctx):  # noqa: F811
    (app,) = limited(1, RATELIMIT_API="3 per minute")
    _, first = services.create_token(db.session, name="Ett", actor=town["hr"])
    _, second = services.create_token(db.session, name="Två", actor=town["hr"])
    db.session.commit()
    client = app.test_client()
    urls = ["/api/v1/courses", "/api/v1/units", "/api/v1/completions?since="]  # a 400 counts too
    for url in urls:
        assert get(client, url, first).status_code in (200, 400), url
    refused = get(client, "/api/v1/courses", first)
    assert refused.status_code == 429
    assert refused.is_json
    assert "API-nyckeln" in refused.json["error"]["message"]
    assert int(refused.headers["Retry-After"]) > 0
    # another token (from the same address) is not held back
    assert get(client, "/api/v1/courses", second).status_code == 200
