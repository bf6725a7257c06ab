"""A NUL byte (or another C0 control character) in a request is refused before any view runs.

PostgreSQL cannot store NUL in a text column: before the refusal in app/security.py these
requests were a DataError, a 500, on PostgreSQL, while SQLite stored the byte. Every case
here runs on whichever database the suite uses and asserts the same thing: 400, a message
that names the field, no row added or changed anywhere. Every form case also sends the
same form without the NUL and expects it to be accepted, so the refused request is known to
have been one that reaches the database.
"""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from flask import request

from app import create_app, mail
from app.extensions import csrf, db
from app.records import audit
from tests.conftest import PASSWORD, csrf_from
from tests.security.test_fuzz import FORMS, database_rows


def refusal(field: str, character: str = "NUL") -> str:
    return f"Fältet ”{field}” innehåller ett otillåtet tecken ({character}). Inget har ändrats."


def with_nul(value: str) -> str:
    """The valid value with a NUL inside it, as a tampered or broken client would send it."""
    return value[:2] + "\x00" + value[2:]


# --- forms: one field at a time carries the NUL, every other field is valid ---------------------

# The nine fields that gave 500 on PostgreSQL (tests-2026-11.md, probe P4), and the other
# free-text fields of the same forms.
FIELDS = [
    ("hr-delegation", "deputy"),
    ("hr-delegation", "unit_code"),
    ("exemption", "reason"),
    ("external-record", "reason"),
    ("external-record", "title"),
    ("rule", "legal_basis"),
    ("rule", "unit_code"),
    ("rule", "name"),
    ("rule", "tags"),
    ("session", "title"),
    ("session", "place"),
    ("session", "trainer"),
    ("manager-delegation", "deputy"),
]


def _post(client, url: str, data: dict, *, multipart: bool):
    return client.post(
        url,
        data=data,
        content_type="multipart/form-data" if multipart else "application/x-www-form-urlencoded",
    )


@pytest.mark.parametrize(("form_name", "field"), FIELDS, ids=[f"{f}-{n}" for f, n in FIELDS])
def test_a_nul_in_one_form_field_is_refused_and_nothing_changes(
    app, client, auth, town, form_name, field
):
    form = FORMS[form_name]
    assert auth.login(form.login).status_code == 302
    url = form.url(town)
    valid = {**form.data(town), "csrf_token": csrf_from(client.get(url).get_data(as_text=True))}
    before = database_rows(app)

    response = _post(
        client, url, {**valid, field: with_nul(valid[field])}, multipart=form.multipart
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert refusal(field) in body
    assert "<h1>Felaktig begäran</h1>" in body  # the ordinary error page
    assert database_rows(app) == before

    accepted = _post(client, url, valid, multipart=form.multipart)
    assert accepted.status_code == 302, accepted.get_data(as_text=True)
    assert database_rows(app) != before


# --- query strings ------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "name"), [("/admin/personal", "q"), ("/admin/logg", "typ")])
def test_a_nul_in_a_query_parameter_is_refused(app, client, auth, town, path, name):
    auth.login("hr@k.se")
    before = database_rows(app)
    response = client.get(f"{path}?{name}=Bo%00")
    assert response.status_code == 400
    assert refusal(name) in response.get_data(as_text=True)
    assert database_rows(app) == before
    assert client.get(f"{path}?{name}=Bo").status_code == 200


def test_other_control_characters_are_refused_but_tab_cr_and_lf_are_text(client, auth, town):
    auth.login("hr@k.se")
    escape = client.get("/admin/personal?q=Bo%1B")
    assert escape.status_code == 400
    assert refusal("q", "U+001B") in escape.get_data(as_text=True)
    assert client.get("/admin/personal?q=%01").status_code == 400
    assert client.get("/admin/personal?q=Bo%09%0D%0A").status_code == 200
    assert client.get("/admin/personal?q=Bo%7F").status_code == 200  # DEL is let through
    # An invalid UTF-8 sequence (a lone surrogate) is decoded as U+FFFD before any view
    assert client.get("/admin/personal?q=%ED%A0%80").status_code == 200


def test_a_nul_in_a_parameter_name_is_refused_and_shown_written_out(client, auth, town):
    auth.login("hr@k.se")
    response = client.get("/admin/personal?" + quote("q\x00") + "=Bo")
    assert response.status_code == 400
    assert refusal("q\\x00") in response.get_data(as_text=True)


def test_a_nul_in_the_address_is_no_page(app, client, auth, town):
    """Slugs, codes and tokens are printable: an address with a NUL is a 404, before the view."""
    auth.login("anna@k.se")
    before = database_rows(app)
    for path in ("/kurser/gr%00undkurs", "/kurser/gr%00undkurs/prov", "/prov/%00"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Sidan du söker finns inte" in response.get_data(as_text=True)
    assert database_rows(app) == before
    assert client.get("/kurser/finns-inte").status_code == 404  # the same, from the view


def test_the_message_is_translated(client, auth, town):
    auth.login("hr@k.se")
    with client.session_transaction() as session:
        session["lang"] = "en"
    body = client.get("/admin/personal?q=%00").get_data(as_text=True)
    assert "The field “q” contains a character that is not allowed (NUL). Nothing was changed." in (
        body
    )


def test_the_api_refuses_a_nul_with_a_json_error(app, client, town):
    from app.api.services import create_token

    with app.app_context():
        _, secret = create_token(db.session, name="nul", actor=db.session.merge(town["hr"]))
        db.session.commit()
    before = database_rows(app)
    response = client.get(
        "/api/v1/completions?cursor=%00", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 400
    assert response.json["error"]["message"] == refusal("cursor")
    assert database_rows(app) == before  # not even the token's last use


# --- the anonymous forms -------------------------------------------------------------------------


def test_login_with_a_nul_in_the_email_is_refused(app, client, town):
    token = csrf_from(client.get("/logga-in").get_data(as_text=True))
    before = database_rows(app)
    refused = client.post(
        "/logga-in", data={"email": "hr\x00@k.se", "password": PASSWORD, "csrf_token": token}
    )
    assert refused.status_code == 400
    assert refusal("email") in refused.get_data(as_text=True)
    assert database_rows(app) == before  # last_login_at included
    assert client.get("/").status_code == 302  # still not logged in

    accepted = client.post(
        "/logga-in", data={"email": "hr@k.se", "password": PASSWORD, "csrf_token": token}
    )
    assert accepted.status_code == 302
    assert database_rows(app) != before


def test_forgot_password_with_a_nul_in_the_email_is_refused(app, client, town):
    token = csrf_from(client.get("/konto/glomt-losenord").get_data(as_text=True))
    before = database_rows(app)
    refused = client.post(
        "/konto/glomt-losenord", data={"email": "hr\x00@k.se", "csrf_token": token}
    )
    assert refused.status_code == 400
    assert refusal("email") in refused.get_data(as_text=True)
    assert database_rows(app) == before

    accepted = client.post("/konto/glomt-losenord", data={"email": "hr@k.se", "csrf_token": token})
    assert accepted.status_code == 302
    assert mail.background.wait()  # the link is made after the response
    assert database_rows(app) != before  # the request is audited


def test_an_uploaded_file_is_not_inspected(client, auth, town):
    """A NUL inside an uploaded file is the import's business: it reports the line."""
    auth.login("chef@k.se")
    url = f"/enheter/{town['bof'].id}/tillfallen/nytt"
    data = {
        **FORMS["session"].data(town),
        "csrf_token": csrf_from(client.get(url).get_data(as_text=True)),
        "attendees_csv": (io.BytesIO(b"E\x00001\n"), "deltagare.csv"),
    }
    response = _post(client, url, data, multipart=True)
    assert response.status_code == 400
    assert "otillåtet tecken" not in response.get_data(as_text=True)


# --- JSON bodies (issue 15) ----------------------------------------------------------------------


@pytest.fixture
def json_app(database_url):
    """An app with a JSON POST under /api/ that stores what it is sent, as an API view would:
    Värna's API has no POST yet, and the refusal must hold for the first one."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})

    @app.post("/api/v1/prov")
    @csrf.exempt
    def store():
        body = request.get_json()
        audit(db.session, None, "test.json", "text", body["name"], {"count": body.get("count")})
        db.session.commit()
        return {"ok": True}

    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


HOSTILE_JSON = [
    ('{"name": "Bo\\u0000"}', "name", "NUL"),
    ('{"name": "Bo\\u001b"}', "name", "U+001B"),
    ('{"name": "Bo\\ud800"}', "name", "U+D800"),  # a lone surrogate: no database encodes it
    ('{"name": "Bo", "count": 99999999999999999999999}', "count", None),
    ('{"name": "Bo", "count": 2147483648}', "count", None),  # PostgreSQL's integer + 1
    ('{"name": "Bo", "count": NaN}', "count", None),
    ('{"name": "Bo", "count": 1e999}', "count", None),
    ('{"name": "Bo", "list": [{"x": "\\u0000"}]}', "list[0].x", "NUL"),
    ('{"name": "Bo", "a\\u0000b": 1}', "a\\x00b", "NUL"),
    ('"\\u0000"', "JSON", "NUL"),
]


@pytest.mark.parametrize(("body", "field", "character"), HOSTILE_JSON)
def test_a_hostile_value_in_a_json_body_is_refused_and_nothing_changes(
    json_app, body, field, character
):
    client = json_app.test_client()
    before = database_rows(json_app)
    response = client.post("/api/v1/prov", data=body, content_type="application/json")
    assert response.status_code == 400, response.get_data(as_text=True)
    message = response.json["error"]["message"]
    if character is None:
        assert (
            message
            == f"Fältet ”{field}” innehåller ett tal som inte kan tas emot. Inget har ändrats."
        )
    else:
        assert message == refusal(field, character)
    assert database_rows(json_app) == before
    # the same body without the hostile value is stored
    accepted = client.post("/api/v1/prov", json={"name": "Bo", "count": 2147483647})
    assert accepted.status_code == 200
    assert database_rows(json_app) != before


@pytest.mark.parametrize("body", ["{inte json", "[" * 100_000, '{"name": "\xff"}'])
def test_a_body_that_is_no_json_is_a_400(json_app, body):
    response = json_app.test_client().post(
        "/api/v1/prov", data=body.encode("latin-1"), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json["error"]["message"] == "Innehållet är inte giltig JSON. Inget har ändrats."
