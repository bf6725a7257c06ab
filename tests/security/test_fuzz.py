"""No input breaks Värna: random and hostile values thrown at every form, the CSV
import and the API give no 500 and no stack trace; a refused import changes nothing.

Bounded example counts keep this inside `make test`.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.admin.imports import services as import_services
from app.admin.imports.mapping import default_mapping
from app.admin.imports.reading import ImportFile
from app.extensions import db
from app.models import Employee, OrgUnit
from tests.conftest import AuthActions, csrf_from

HOSTILE = [
    "",
    " ",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    '=HYPERLINK("http://evil.example","x")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-1",
    "0",
    "999999999999999999999",
    "1e309",
    "NaN",
    "../../etc/passwd",
    "'; DROP TABLE employees; --",
    "\x00",
    "\u202e",
    "ÅÄÖ åäö",
    "2026-02-30",
    "x" * 5000,
]
values = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=60))
NO_FUZZ = {"auth.logout", "static", "auth.set_language"}


class _Fields(HTMLParser):
    """Names of the inputs of the forms on a page (method post)."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self._in_post_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._in_post_form = (a.get("method") or "get").lower() == "post"
        elif tag in ("input", "select", "textarea") and self._in_post_form and a.get("name"):
            self.names.add(a["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_post_form = False


def _rules(app: Flask, method: str):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NO_FUZZ or method not in (rule.methods or ()):
            continue
        if rule.rule.startswith("/api/"):
            continue
        yield rule


def _url(rule, ids: dict[str, int]) -> str:
    url = rule.rule
    for arg in rule.arguments:
        converter = rule._converters[arg].__class__.__name__
        value = ids.get(arg, 1) if "Integer" in converter else "x"
        url = re.sub(rf"<[^>]*{arg}>", str(value), url)
    return url


@pytest.fixture
def world(make):
    root = make.unit("Kommunen")
    unit = make.unit("Enheten", parent=root)
    hr = make.employee(unit=root, email="hr@k.se", is_hr=True)
    manager = make.employee(unit=unit, email="chef@k.se", level="chef", manages=(unit,))
    staff = make.employee(unit=unit, email="anna@k.se")
    course = make.course(slug="example-intro")
    return {"hr": hr, "manager": manager, "staff": staff, "unit": unit, "course": course}


def _ids(world) -> dict[str, int]:
    return {
        "unit_id": world["unit"].id,
        "employee_id": world["staff"].id,
        "course_id": world["course"].id,
        "id": 1,
        "index": 1,
    }


@pytest.mark.parametrize("role", ["hr", "manager"])
def test_every_form_survives_hostile_values(app, client, world, role):
    auth = AuthActions(client)
    auth.login(world[role].email)
    ids = _ids(world)
    rules = list(_rules(app, "POST"))
    assert rules, "no forms found"
    for rule in rules:
        url = _url(rule, ids)
        page = client.get(url) if "GET" in (rule.methods or ()) else None
        names = {"q", "name", "title", "reason", "email", "date"}
        if page is not None and page.status_code == 200:
            parser = _Fields()
            parser.feed(page.get_data(as_text=True))
            names |= parser.names
        names.discard("csrf_token")
        _fuzz_one(client, auth, world[role].email, url, sorted(names))


def _fuzz_one(client, auth, email, url, names):
    @settings(
        max_examples=3,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(data=st.fixed_dictionaries(dict.fromkeys(names, values)))
    def check(data):
        start = client.get("/")
        if start.status_code != 200:  # the session ended (e.g. a password form): log in again
            auth.login(email)
            start = client.get("/")
        data["csrf_token"] = csrf_from(start.get_data(as_text=True))
        response = client.post(url, data=data)
        assert response.status_code < 500, f"POST {url} gav {response.status_code} med {data!r}"
        body = response.get_data(as_text=True)
        assert "Traceback" not in body
        assert "<script>alert(1)</script>" not in body  # always escaped

    check()


def test_every_page_survives_hostile_query_strings(app, client, world):
    AuthActions(client).login("hr@k.se")
    ids = _ids(world)
    rules = list(_rules(app, "GET"))

    @settings(
        max_examples=4,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(
        params=st.dictionaries(
            st.sampled_from(
                [
                    "q",
                    "page",
                    "typ",
                    "kurs",
                    "niva",
                    "fran",
                    "till",
                    "format",
                    "status",
                    "enhet",
                    "hela",
                    "alla",
                    "cursor",
                    "limit",
                ]
            ),
            values,
            max_size=4,
        )
    )
    def check(params):
        for rule in rules:
            response = client.get(_url(rule, ids), query_string=params)
            assert response.status_code < 500, (
                f"GET {rule.rule} gav {response.status_code} med {params!r}"
            )

    check()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(
    units=st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode)),
    staff=st.one_of(
        st.binary(max_size=400),
        st.lists(st.lists(values, min_size=1, max_size=12), max_size=5).map(
            lambda rows: ("\r\n".join(";".join(r) for r in rows)).encode("utf-8")
        ),
    ),
)
def test_hr_import_refuses_garbage_and_changes_nothing(app_ctx, units, staff):
    before = (
        db.session.scalar(sa.select(sa.func.count()).select_from(Employee)),
        db.session.scalar(sa.select(sa.func.count()).select_from(OrgUnit)),
    )
    try:
        import_services.import_files(
            db.session,
            units_file=ImportFile("enheter.csv", units),
            staff_file=ImportFile("personal.csv", staff),
            mapping=default_mapping(),
            dry_run=False,
            via="cli",
        )
    except import_services.ImportRejected as rejected:
        db.session.rollback()
        text = str(rejected)
        assert text  # a message, in words
    else:
        db.session.commit()
        return
    after = (
        db.session.scalar(sa.select(sa.func.count()).select_from(Employee)),
        db.session.scalar(sa.select(sa.func.count()).select_from(OrgUnit)),
    )
    assert after == before


@pytest.fixture
def api_token(world):
    from app.api.services import create_token

    _, secret = create_token(db.session, name="fuzz", actor=world["hr"])
    db.session.commit()
    return secret


def test_api_survives_hostile_parameters(app, client, world, api_token):
    ids = _ids(world)
    rules = [
        r for r in app.url_map.iter_rules() if r.rule.startswith("/api/") and "GET" in r.methods
    ]
    headers = {"Authorization": f"Bearer {api_token}"}

    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(
        params=st.dictionaries(
            st.sampled_from(["since", "cursor", "limit", "on", "unit", "course", "level"]),
            values,
            max_size=3,
        )
    )
    def check(params):
        for rule in rules:
            response = client.get(_url(rule, ids), query_string=params, headers=headers)
            assert response.status_code < 500, (
                f"GET {rule.rule} gav {response.status_code} med {params!r}"
            )
            assert response.is_json, rule.rule

    check()
