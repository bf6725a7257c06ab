"""The access matrix: every endpoint in app.url_map × every role, with the expected answer.

A route without a row fails the test, so a new page cannot ship without someone
deciding who may use it. Ids in the URLs point at things inside the unit
manager's subtree; `test_ids_outside_reach` then tries every id-taking route with
an id from elsewhere.

Roles: anonymous, employee (in the manager's unit), manager (leads that unit),
head (leads the administration above it), hr, reporter, api (a bearer token).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from app.extensions import db
from app.models import Attempt, SessionAttendance, TrainingSession, UnitManager
from tests.conftest import AuthActions, csrf_from

ROLES = ("anonymous", "employee", "manager", "head", "hr", "reporter", "api")
LOGIN = 302  # redirected to the login page
WEB_ANON = {"anonymous": LOGIN, "api": LOGIN}


def _all(code: int, **overrides: int) -> dict[str, int]:
    return {**dict.fromkeys(ROLES, code), **WEB_ANON, **overrides}


def everyone(code: int = 200, **o: int) -> dict[str, int]:
    """Any logged-in person."""
    return _all(code, **o)


def managers(code: int = 200, **o: int) -> dict[str, int]:
    """Unit managers (for their subtree), heads and HR."""
    return _all(code, employee=403, reporter=403, **o)


def report_readers(code: int = 200, **o: int) -> dict[str, int]:
    """HR, reporters and managers (their subtree)."""
    return _all(code, employee=403, **o)


def hr_only(code: int = 200, **o: int) -> dict[str, int]:
    return _all(403, hr=code, **o)


def public(code: int = 200, **o: int) -> dict[str, int]:
    return {**dict.fromkeys(ROLES, code), **o}


def api(code: int = 200) -> dict[str, int]:
    return {**dict.fromkeys(ROLES, 401), "api": code}


# endpoint: (method, expected answer per role). POSTs carry a valid CSRF token and
# no other data: an allowed role gets the form back with its errors (200), a
# redirect (302) or 400 for a malformed request; a refused role gets 403.
MATRIX: dict[str, tuple[str, dict[str, int]]] = {
    "static": ("GET", public(200)),
    "auth.login": ("GET", public(302, anonymous=200, api=200)),
    "auth.logout": ("POST", public(302)),
    # Sign-in with the municipality's account: not there without a provider (here);
    # with one, tests/auth/federation.
    "auth.oidc_login": ("GET", public(404)),
    "auth.oidc_callback": ("GET", public(404)),
    "auth.keep_alive": ("POST", everyone(204, anonymous=401, api=401)),  # "Fortsätt"
    "auth.set_language": ("POST", public(302)),
    "auth.change_password": ("GET", everyone()),
    "auth.my_data": ("GET", everyone()),
    "auth.my_data_json": ("GET", everyone(302)),  # a link opens the page; the file is a POST
    "auth.my_evidence": ("GET", everyone(404)),  # only one's own records; this one has no file
    "auth.accept_invitation": ("GET", public(400)),  # a bad token: a Swedish message
    "auth.forgot_password": ("GET", public(200)),
    "auth.reset_password": ("GET", public(400)),  # a bad token: a Swedish message
    # SAML: no such page without SAML settings (with them: tests/auth/test_saml.py)
    # A sign-in letter's code (none given here: the form) and its password page (no code
    # checked yet: a Swedish message).
    "auth.letter_code": ("GET", public(200)),
    "auth.letter_password": ("GET", public(400)),
    "auth.saml_metadata": ("GET", public(404)),
    "auth.saml_login": ("GET", public(404)),
    "auth.saml_acs": ("POST", public(404)),
    "auth.saml_sls": ("GET", public(404)),
    "learning.index": ("GET", everyone()),
    "learning.course": ("GET", everyone()),
    "learning.start": ("POST", everyone(302)),
    "learning.module": ("GET", everyone(302)),  # not started: back to the course page
    "learning.module_done": ("POST", everyone(400)),  # not started: refused
    "learning.scorm_item": ("GET", everyone(404)),  # a course of Värna's own has no SCORM parts
    "learning.scorm_commit": ("POST", everyone(400)),  # no JSON, no page token: refused
    "learning.check": ("POST", everyone(400)),
    # Issue 18: the pre-test (this course has none), the evaluation of one's own completion
    # (the employee's), the follow-up (a bad token: a Swedish message, no login needed).
    "evaluation.pretest": ("GET", everyone(302)),
    "evaluation.evaluate": ("GET", everyone(404, employee=200)),
    "evaluation.followup": ("GET", public(404)),
    "learning.quiz_intro": ("GET", everyone(302)),
    "learning.quiz_start": ("POST", everyone(302)),
    "learning.quiz": ("GET", everyone(404, employee=200)),  # the attempt is the employee's
    "learning.quiz_submit": ("POST", everyone(404, employee=422)),  # no answers
    "learning.result": ("GET", everyone(404, employee=302)),
    "learning.certificate": ("GET", everyone(200, reporter=403)),
    "learning.verify": ("GET", public(200)),
    "units.index": ("GET", managers()),
    "units.show": ("GET", managers()),
    "units.person": ("GET", managers()),
    "units.remind": ("POST", managers(302)),
    "units.session_new": ("GET", managers()),
    "units.session_show": ("GET", managers()),
    "units.delegate": ("GET", managers(hr=302)),  # HR delegates from its own page
    "units.delegation_end": ("POST", managers(302)),
    "units.print_letters": ("POST", managers(302)),  # nobody chosen: back, with a message
    "units.revoke_letter": ("POST", managers(404)),  # no such letter
    "reports.index": ("GET", report_readers()),
    "reports.by_course": ("GET", report_readers()),
    "reports.by_prevention_level": ("GET", report_readers()),
    "reports.trend": ("GET", report_readers()),
    "reports.unit": ("GET", report_readers()),
    "reports.status_report": ("GET", report_readers()),
    "reports.status_report_pdf": ("GET", report_readers()),
    "reports.nothing_completed": ("GET", managers()),
    "reports.export_form": ("GET", hr_only()),
    "reports.export_bookmark": ("GET", hr_only(302)),  # a link: to the form, never the file
    "reports.export_download": ("POST", hr_only(400)),  # no choices made
    "reports.target": ("GET", hr_only()),
    "reports.status_schedule": ("GET", hr_only()),
    # Issue 18: the evaluation figures (masked for all) are HR's and reporters', never a
    # manager's; the free text is HR's; the export is HR's (no format chosen: 400).
    "reports.effect": ("GET", _all(403, hr=200, reporter=200)),
    "reports.effect_free_text": ("GET", hr_only()),
    "reports.effect_export": ("POST", hr_only(400)),
    "admin.index": ("GET", hr_only()),
    "admin.people": ("GET", hr_only()),
    "admin.person": ("GET", hr_only()),
    "admin.resend_invitation": ("POST", hr_only(302)),
    "admin.audit_log": ("GET", hr_only()),
    "admin.hr_import": ("GET", hr_only()),
    "admin.hr_import_preview": ("GET", hr_only(404)),  # no such upload
    "admin.hr_import_confirm": ("POST", hr_only(404)),
    "admin.requirements": ("GET", hr_only()),
    "admin.requirement_edit": ("GET", hr_only()),
    "admin.requirement_end": ("POST", hr_only(302)),
    "admin.exemption_new": ("GET", hr_only()),
    "admin.exemption_revoke": ("POST", hr_only(302)),
    "admin.external_record": ("GET", hr_only()),
    "admin.evidence_file": ("GET", hr_only(404)),  # this completion has no evidence file
    "admin.delegations": ("GET", hr_only()),
    "admin.scorm_courses": ("GET", hr_only()),
    "admin.scorm_settings": ("GET", hr_only(404)),  # a course of Värna's own is no package
    "admin.delegation_end": ("POST", hr_only(302)),
    "api_tokens.index": ("GET", hr_only()),
    "api_tokens.revoke": ("POST", hr_only(302)),
    "api.openapi_document": ("GET", public(200)),
    "api.completions": ("GET", api()),
    "api.courses": ("GET", api()),
    "api.units": ("GET", api()),
    "api.unit_coverage": ("GET", api()),
}


@pytest.fixture
def world(make):
    root = make.unit("Kommunen", code="ROOT")
    soc = make.unit("Socialförvaltningen", parent=root, kind="förvaltning", code="SOC")
    unit = make.unit("Barn och familj", parent=soc, code="SOC-1")
    other = make.unit("Utbildningsförvaltningen", parent=root, kind="förvaltning", code="UTB")
    people = {
        "employee": make.employee(unit=unit, email="employee@k.se"),
        "manager": make.employee(unit=unit, level="chef", email="manager@k.se", manages=(unit,)),
        "head": make.employee(unit=soc, level="ledning", email="head@k.se", manages=(soc,)),
        "hr": make.employee(unit=root, email="hr@k.se", is_hr=True),
        "reporter": make.employee(unit=root, email="reporter@k.se", is_reporter=True),
        "outsider": make.employee(unit=other, email="outsider@k.se"),
        "deputy": make.employee(unit=unit, email="deputy@k.se"),
        "other_deputy": make.employee(unit=other, email="other-deputy@k.se"),
    }
    course = make.synced_course()
    requirement = make.requirement(course)
    completion = make.completion(people["employee"], course)
    outsider_completion = make.completion(people["outsider"], course)
    exemption = make.exemption(people["employee"], requirement)
    session = make.session
    training = TrainingSession(title="APT", held_on=date(2026, 1, 1), unit_id=unit.id)
    session.add(training)
    session.flush()
    session.add(SessionAttendance(session_id=training.id, employee_id=people["employee"].id))
    other_training = TrainingSession(title="APT", held_on=date(2026, 1, 1), unit_id=other.id)
    session.add(other_training)
    delegation = UnitManager(
        unit_id=unit.id,
        employee_id=people["deputy"].id,
        role="delegate",
        starts_on=date(2026, 1, 1),
        ends_on=date(2099, 1, 1),
        granted_by_id=people["manager"].id,
    )
    session.add(delegation)
    other_delegation = UnitManager(
        unit_id=other.id,
        employee_id=people["other_deputy"].id,
        role="delegate",
        starts_on=date(2026, 1, 1),
        ends_on=date(2099, 1, 1),
        granted_by_id=people["hr"].id,
    )
    session.add(other_delegation)
    version = course.versions[-1]
    attempt = Attempt(
        token="a" * 32,
        employee_id=people["employee"].id,
        course_version_id=version.id,
        option_order={},
        started_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    session.add(attempt)
    from app.api.services import create_token

    token, secret = create_token(session, name="matrix", actor=people["hr"])
    session.commit()
    ids = {
        "unit_id": unit.id,
        "employee_id": people["employee"].id,
        "completion_id": completion.id,
        "session_id": training.id,
        "delegation_id": delegation.id,
        "exemption_id": exemption.id,
        "requirement_id": requirement.id,
        "token_id": token.id,
        "slug": course.slug,
        "token": attempt.token,
        "code": unit.code,
        "upload_id": "0" * 32,
        "index": 1,
        "check_index": 1,
        "number": 1,
        "course_id": course.id,
        "letter_id": 2**31 - 1,
    }
    elsewhere = {
        "unit_id": other.id,
        "employee_id": people["outsider"].id,
        "completion_id": outsider_completion.id,
        "session_id": other_training.id,
        "delegation_id": other_delegation.id,
        "code": other.code,
    }
    return {"people": people, "ids": ids, "elsewhere": elsewhere, "api_secret": secret}


def _url(rule, ids: dict) -> str:
    if rule.endpoint == "static":
        return "/static/varna.css"
    url = rule.rule
    for arg in rule.arguments:
        url = re.sub(rf"<(?:[^:>]+:)?{arg}>", str(ids[arg]), url)
    return url


def _client_for(app, world, role):
    client = app.test_client()
    headers = {}
    if role == "api":
        headers["Authorization"] = f"Bearer {world['api_secret']}"
    elif role != "anonymous":
        AuthActions(client).login(world["people"][role].email)
    return client, headers


def _request(client, headers, method, url):
    if method == "GET":
        return client.get(url, headers=headers)
    page = client.get("/logga-in").get_data(as_text=True)
    if 'name="csrf_token"' not in page:
        page = client.get("/").get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_from(page)}, headers=headers)


def test_every_route_has_a_row(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(MATRIX))
    assert not missing, f"add a row to MATRIX in {__file__} for: {missing}"
    gone = sorted(set(MATRIX) - endpoints)
    assert not gone, f"rows for endpoints that no longer exist: {gone}"


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, world, role):
    client, headers = _client_for(app, world, role)
    wrong = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint not in MATRIX:
            continue
        method, expected = MATRIX[rule.endpoint]
        if method not in rule.methods:
            continue
        if rule.endpoint in ("auth.logout", "auth.change_password") and role != "anonymous":
            continue  # would end this client's session; covered in tests/auth
        response = _request(client, headers, method, _url(rule, world["ids"]))
        if response.status_code != expected[role]:
            wrong.append(
                f"{method} {rule.rule} ({rule.endpoint}): {response.status_code}, expected {expected[role]}"
            )
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


ID_ROUTES_OUTSIDE = [
    "units.show",
    "units.person",
    "units.remind",
    "units.session_new",
    "units.session_show",
    "units.delegation_end",
    "reports.unit",
    "learning.certificate",
    "auth.my_evidence",
]


@pytest.mark.parametrize("role", ["employee", "manager", "head", "reporter"])
def test_ids_outside_reach(app, app_ctx, world, role):
    """An id of someone or something outside the caller's reach: 403 or 404, never data."""
    client, headers = _client_for(app, world, role)
    ids = {**world["ids"], **world["elsewhere"]}
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in ID_ROUTES_OUTSIDE:
            continue
        method = MATRIX[rule.endpoint][0]
        response = _request(client, headers, method, _url(rule, ids))
        if role == "reporter" and rule.endpoint == "reports.unit":
            assert response.status_code == 200  # aggregates of any unit, names masked
            continue
        assert response.status_code in (403, 404), f"{role} {rule.rule}: {response.status_code}"
    # Nothing outside was changed on the way: the other unit's deputy keeps the delegation.
    other_delegation = db.session.get(UnitManager, world["elsewhere"]["delegation_id"])
    assert other_delegation.ends_on == date(2099, 1, 1)


def test_api_ids_outside_nothing_without_token(client, world):
    response = client.get(f"/api/v1/units/{world['elsewhere']['code']}/coverage")
    assert response.status_code == 401
    assert response.is_json
