"""/api/v1/: tokens (hashed, shown once, revocable), pages, errors as JSON."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.api import services
from app.extensions import db
from app.models import ApiToken, AuditEvent, Completion


@pytest.fixture
def token(app_ctx, town):
    _, plain = services.create_token(db.session, name="Lönesystemet", actor=town["hr"])
    db.session.commit()
    return plain


def get(client, url, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(url, headers=headers)


@pytest.mark.parametrize(
    "url", ["/api/v1/completions", "/api/v1/units", "/api/v1/courses", "/api/v1/units/K/coverage"]
)
def test_no_token_no_data(client, town, url):
    response = get(client, url)
    assert response.status_code == 401
    assert response.is_json
    assert response.json["error"]["status"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert get(client, url, "varna_wrong").status_code == 401


def test_token_is_stored_hashed_and_revocable(client, token, town, app_ctx):
    stored = db.session.scalar(db.select(ApiToken))
    assert token not in stored.token_hash
    assert get(client, "/api/v1/courses", token).status_code == 200
    db.session.refresh(stored)
    assert stored.last_used_at is not None
    services.revoke_token(db.session, token=stored, actor=town["hr"])
    db.session.commit()
    assert get(client, "/api/v1/courses", token).status_code == 401


def test_completions_since_with_cursor(client, token, town, app_ctx):
    base = datetime(2026, 1, 1, tzinfo=UTC)
    rows = db.session.scalars(db.select(Completion).order_by(Completion.id)).all()
    for i, c in enumerate(rows):
        c.created_at = base + timedelta(hours=i // 2)  # pairs share a timestamp
    db.session.commit()
    seen, cursor = [], None
    while True:
        url = "/api/v1/completions?limit=3&since=2026-01-01T01:00:00Z"
        response = get(client, url + (f"&cursor={cursor}" if cursor else ""), token)
        assert response.status_code == 200
        seen += [item["id"] for item in response.json["items"]]
        cursor = response.json["next_cursor"]
        if not cursor:
            break
    expected = [c.id for c in rows][2:]
    assert seen == expected
    item = get(client, "/api/v1/completions?limit=1", token).json["items"][0]
    assert set(item) >= {"employee_number", "course", "completed_at", "source", "superseded_by"}
    assert db.session.scalar(
        db.select(db.func.count()).where(AuditEvent.action == "api.completions")
    )


@pytest.mark.parametrize(
    "query", ["since=yesterday", "limit=0", "limit=x", "cursor=!!!", "cursor=bm9wZQ"]
)
def test_bad_parameters_are_400_json(client, token, query):
    response = get(client, f"/api/v1/completions?{query}", token)
    assert response.status_code == 400
    assert response.json["error"]["status"] == 400


def test_units_paged(client, token, town):
    first = get(client, "/api/v1/units?limit=2", token).json
    assert len(first["items"]) == 2
    second = get(client, f"/api/v1/units?limit=10&cursor={first['next_cursor']}", token).json
    codes = [u["code"] for u in first["items"] + second["items"]]
    assert sorted(codes) == sorted(["K", "SOC", "IFO", "UTB", "NS"])
    assert second["next_cursor"] is None


def test_unit_coverage_and_404(client, token, town):
    body = get(client, "/api/v1/units/SOC/coverage", token).json
    assert body["unit"] == "SOC"
    statuses = ("completed", "expiring", "expired", "overdue", "pending")
    assert body["total"]["total"] == sum(body["total"][s] for s in statuses)
    # 9 in Individ och familj (6 done) + the head (basic course: not done; own course: done)
    assert body["total"]["covered"] == 7
    assert body["total"]["total"] == 11
    assert body["people"] == 10
    assert get(client, "/api/v1/units/NOPE/coverage", token).status_code == 404
    assert get(client, "/api/v1/units/SOC/coverage?course=nope", token).status_code == 404
    assert get(client, "/api/v1/units/SOC/coverage?on=x", token).status_code == 400
    assert get(client, "/api/v1/nothing-here", token).is_json


def test_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    assert "/completions" in doc["paths"]


def test_hr_creates_token_once_and_revokes(client, auth, town, app_ctx):
    from tests.conftest import csrf_from

    auth.login("rapport@test.example")
    assert client.get("/admin/api-nycklar/").status_code == 403
    auth.logout()
    auth.login("hr@test.example")
    page = client.get("/admin/api-nycklar/")
    token = csrf_from(page.get_data(as_text=True))
    created = client.post("/admin/api-nycklar/", data={"name": "Lön", "csrf_token": token})
    html = created.get_data(as_text=True)
    plain = html.split('<code class="token">')[1].split("<")[0]
    assert plain.startswith("varna_")
    assert plain not in client.get("/admin/api-nycklar/").get_data(as_text=True)
    assert get(client, "/api/v1/courses", plain).status_code == 200
    stored = db.session.scalar(db.select(ApiToken))
    client.post(f"/admin/api-nycklar/{stored.id}/aterkalla", data={"csrf_token": token})
    assert get(client, "/api/v1/courses", plain).status_code == 401
    actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"api.token_create", "api.token_revoke"} <= actions


def test_control_characters_are_refused_not_500(client, token):
    assert get(client, "/api/v1/units/A%00B/coverage", token).status_code == 404
    assert get(client, "/api/v1/units/K/coverage?course=a%00", token).status_code == 400
