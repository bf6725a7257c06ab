"""/api/v1/: tokens (hashed, shown once, revocable), pages, errors as JSON."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from app import dates
from app.api import services
from app.extensions import db
from app.models import ApiToken, AuditEvent, Completion, CourseVersion


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
    assert doc["servers"] == [{"url": "/api/v1"}]


def test_courses_lists_every_course_with_its_current_version(client, token, town, make):
    make.synced_course()  # example-intro: version 1.0, 5 minutes, 12 months
    old = make.course("arkiverad", title="Gammal kurs", valid_months=None, version="1.0")
    old.active = False
    old.versions[0].is_current = False
    make.session.add(
        CourseVersion(
            course_id=old.id,
            version="2.1",
            major=2,
            content_hash="b" * 32,
            content={"modules": [], "quiz": {"questions": []}},
            pass_mark=80,
            valid_months=None,
        )
    )
    make.session.commit()
    response = get(client, "/api/v1/courses", token)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.json == {
        "items": [
            {
                "slug": "arkiverad",
                "title": "Gammal kurs",
                "language": "sv",
                "prevention_levels": ["universal"],
                "minutes": 20,
                "valid_months": None,
                "current_version": "2.1",
                "active": False,
            },
            {
                "slug": "chefens-ansvar",
                "title": "Chefens ansvar",
                "language": "sv",
                "prevention_levels": ["universal", "selective"],
                "minutes": 20,
                "valid_months": 36,
                "current_version": "1.0",
                "active": True,
            },
            {
                "slug": "example-intro",
                "title": "Exempelkurs: så fungerar en kurs i Värna",
                "language": "sv",
                "prevention_levels": ["universal"],
                "minutes": 5,
                "valid_months": 12,
                "current_version": "1.0",
                "active": True,
            },
            {
                "slug": "grundkurs",
                "title": "Grundkurs",
                "language": "sv",
                "prevention_levels": ["universal"],
                "minutes": 20,
                "valid_months": 36,
                "current_version": "1.0",
                "active": True,
            },
        ]
    }


# --- the OpenAPI document against the routes and the answers they give ----------------------

JSON_TYPES = {
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def _resolve(doc: dict, schema: dict) -> dict:
    while "$ref" in schema:
        node = doc
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def conforms(doc: dict, value, schema: dict, where: str = "$") -> list[str]:
    """Where `value` differs from the documented schema; an object's keys must be exactly its
    documented properties (an integrator reads the document, not the code)."""
    schema = _resolve(doc, schema)
    problems = []
    types = schema.get("type")
    if types is not None:
        types = [types] if isinstance(types, str) else types
        if not any(JSON_TYPES[t](value) for t in types):
            return [f"{where}: {value!r} is not {types}"]
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} not in {schema['enum']}")
    if isinstance(value, dict):
        props = schema.get("properties")
        if props is not None:
            if set(value) != set(props):
                problems.append(
                    f"{where}: returned {sorted(set(value) - set(props))} undocumented, "
                    f"documented {sorted(set(props) - set(value))} missing"
                )
            for key in set(value) & set(props):
                problems += conforms(doc, value[key], props[key], f"{where}.{key}")
        elif "additionalProperties" in schema:
            for key, item in value.items():
                problems += conforms(doc, item, schema["additionalProperties"], f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            problems += conforms(doc, item, schema["items"], f"{where}[{i}]")
    return problems


def _documented(doc: dict, path: str, status: int) -> dict:
    return doc["paths"][path]["get"]["responses"][str(status)]["content"]["application/json"][
        "schema"
    ]


def test_openapi_describes_every_api_route_and_nothing_else(app, client):
    doc = client.get("/api/v1/openapi.json").json
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            routes[path] = {m.lower() for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert {p: set(ops) for p, ops in doc["paths"].items()} == routes
    # the parameters each route reads, and nothing it does not
    params = {
        p: {x["name"] for x in ops["get"].get("parameters", [])} for p, ops in doc["paths"].items()
    }
    assert params == {
        "/completions": {"since", "cursor", "limit"},
        "/units": {"cursor", "limit"},
        "/courses": set(),
        "/units/{code}/coverage": {"code", "on", "course"},
        "/openapi.json": set(),
    }
    (code,) = doc["paths"]["/units/{code}/coverage"]["get"]["parameters"][:1]
    assert (code["in"], code["required"]) == ("path", True)
    # every reference points somewhere
    refs = re.findall(r'"\$ref": "([^"]+)"', json.dumps(doc))
    assert refs
    for ref in refs:
        assert _resolve(doc, {"$ref": ref})
    # a token for everything but the document itself
    assert doc["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    assert doc["paths"]["/openapi.json"]["get"]["security"] == []
    for path in set(routes) - {"/openapi.json"}:
        assert "401" in doc["paths"][path]["get"]["responses"], path


def test_every_answer_is_what_the_document_says(client, token, town, make):
    doc = client.get("/api/v1/openapi.json").json
    make.synced_course()
    answers = {
        "/completions": get(client, "/api/v1/completions?limit=3", token),
        "/units": get(client, "/api/v1/units?limit=2", token),
        "/courses": get(client, "/api/v1/courses", token),
        "/units/{code}/coverage": get(client, "/api/v1/units/SOC/coverage", token),
    }
    for path, response in answers.items():
        assert response.status_code == 200, path
        assert response.json.get("items", True), path  # something to check
        assert conforms(doc, response.json, _documented(doc, path, 200)) == [], path
    coverage = get(client, "/api/v1/units/SOC/coverage?course=grundkurs", token).json
    assert conforms(doc, coverage, _documented(doc, "/units/{code}/coverage", 200)) == []
    # the errors each path documents come back in the documented shape
    errors = [
        ("/completions", 401, get(client, "/api/v1/completions")),
        ("/completions", 400, get(client, "/api/v1/completions?limit=0", token)),
        ("/units", 400, get(client, "/api/v1/units?cursor=!!!", token)),
        ("/courses", 401, get(client, "/api/v1/courses", "varna_wrong")),
        ("/units/{code}/coverage", 404, get(client, "/api/v1/units/NOPE/coverage", token)),
        ("/units/{code}/coverage", 400, get(client, "/api/v1/units/SOC/coverage?on=x", token)),
    ]
    for path, status, response in errors:
        assert response.status_code == status, (path, status)
        assert conforms(doc, response.json, _documented(doc, path, status)) == [], (path, status)


def test_hr_creates_token_once_and_revokes(client, auth, town, app_ctx):
    from tests.conftest import csrf_from

    auth.login("rapport@test.example")
    assert client.get("/admin/api-nycklar/").status_code == 403
    auth.logout()
    auth.login("hr@test.example")
    page = client.get("/admin/api-nycklar/")
    token = csrf_from(page.get_data(as_text=True))
    last_day = dates.add_months(dates.today(), 6).isoformat()
    created = client.post(
        "/admin/api-nycklar/",
        data={"name": "Lön", "scopes": ["courses"], "expires_on": last_day, "csrf_token": token},
    )
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
