"""SAML 2.0 sign-in against pysaml2's identity provider (tests/idp/saml), in-process: every
check of an answer, with nothing created, an audit event and a Swedish page on refusal."""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
import time_machine
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import Config as Saml2Config
from saml2.mdstore import MetadataStore
from saml2.samlp import response_from_string

from app.auth import federation
from app.dates import now
from app.extensions import db
from app.models import AuditEvent, Employee, SamlAssertionId, SamlRequest
from tests.idp.saml.fixtures import InProcessIdp


@pytest.fixture
def mia(make):
    return make.employee(email="mia@k.se", first_name="Mia", last_name="Ek")


def _refusals(app) -> list[dict]:
    with app.app_context():
        return [
            e.details
            for e in db.session.scalars(
                sa.select(AuditEvent).where(AuditEvent.action == "auth.federated_refused")
            )
        ]


def _logged_in(client) -> bool:
    return client.get("/").status_code == 200


def _people(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Employee))


def test_sp_metadata_at_its_public_url_names_the_acs_and_the_signing_key(app, client, saml_idp):
    answer = client.get("/saml/metadata")
    assert answer.status_code == 200
    assert answer.mimetype == "application/samlmetadata+xml"
    store = MetadataStore(None, Saml2Config())
    store.imp(
        [
            {
                "class": "saml2.mdstore.InMemoryMetaData",
                "metadata": [(answer.get_data(as_text=True),)],
            }
        ]
    )
    sp = "http://localhost/saml/metadata"
    acs = store.assertion_consumer_service(sp, BINDING_HTTP_POST)
    assert [a["location"] for a in acs] == ["http://localhost/saml/acs"]
    assert store.certs(sp, "spsso", "signing")
    assert store.single_logout_service(sp, None, "spsso")


def test_a_signed_answer_logs_the_right_person_in_and_goes_where_they_were_going(
    app, client, saml_idp: InProcessIdp, mia
):
    request_id = saml_idp.start(client, next_path="/konto/mina-uppgifter")
    answer = saml_idp.post(client, saml_idp.response("mia", request_id))
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/konto/mina-uppgifter"
    page = client.get("/konto/mina-uppgifter").get_data(as_text=True)
    assert "Mia" in page
    with app.app_context():
        login = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "auth.federated_login")
        ).one()
        assert login.actor_id == mia.id
        assert login.details["provider"] == "saml"
        # The request is used up; the assertion id is in the replay cache.
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SamlRequest)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SamlAssertionId)) == 1


def _assert_refused(app, client, answer, reason: str, people_before: int) -> None:
    body = answer.get_data(as_text=True)
    assert answer.status_code == 400, body
    assert "Inloggningen kunde inte slutföras" in body
    assert not _logged_in(client)
    assert _people(app) == people_before
    assert _refusals(app)[-1] == {"provider": "saml", "reason": reason}


def test_an_unsigned_assertion_is_refused(app, client, saml_idp, mia):
    request_id = saml_idp.start(client)
    answer = saml_idp.post(client, saml_idp.response("mia", request_id, sign=False))
    _assert_refused(app, client, answer, "unsigned", 1)


def test_an_assertion_signed_by_another_key_is_refused(app, client, saml_idp, saml_keys, mia):
    from tests.idp.saml import idp as test_idp

    impostor_key, impostor_cert = test_idp.make_keypair(saml_keys.folder / "other", "impostor")
    impostor = test_idp.make_server("http://idp.test", impostor_key, impostor_cert, None)
    request_id = saml_idp.start(client)
    xml = saml_idp.response("mia", request_id, sign=False)
    answer = saml_idp.post(client, test_idp.sign_assertion(impostor, response_from_string(xml)))
    _assert_refused(app, client, answer, "signature", 1)


def test_an_expired_assertion_is_refused(app, client, saml_idp, mia):
    request_id = saml_idp.start(client)
    with time_machine.travel(now() - timedelta(minutes=30), tick=True):
        xml = saml_idp.response("mia", request_id)
    _assert_refused(app, client, saml_idp.post(client, xml), "expired", 1)


def test_an_assertion_not_yet_valid_is_refused(app, client, saml_idp, mia):
    request_id = saml_idp.start(client)
    with time_machine.travel(now() + timedelta(minutes=30), tick=True):
        xml = saml_idp.response("mia", request_id)
    _assert_refused(app, client, saml_idp.post(client, xml), "not_yet_valid", 1)


def test_a_replayed_answer_is_refused(app, client, saml_idp, mia):
    request_id = saml_idp.start(client)
    xml = saml_idp.response("mia", request_id)
    assert saml_idp.post(client, xml).status_code == 302
    other = app.test_client()  # the attacker's browser, with the captured answer
    _assert_refused(app, other, saml_idp.post(other, xml), "replay", 1)


def test_the_replay_cache_refuses_a_used_assertion_id_even_for_a_pending_request(
    app, client, saml_idp, mia
):
    request_id = saml_idp.start(client)
    xml = saml_idp.response("mia", request_id)
    assertion_id = response_from_string(xml).assertion[0].id
    with app.app_context():  # another worker used this assertion a moment ago
        db.session.add(SamlAssertionId(id=assertion_id, expires_at=now() + timedelta(minutes=5)))
        db.session.commit()
    _assert_refused(app, client, saml_idp.post(client, xml), "replay", 1)


def test_the_replay_cache_forgets_expired_ids(app, client, saml_idp, mia):
    with app.app_context():
        db.session.add(SamlAssertionId(id="_old", expires_at=now() - timedelta(minutes=1)))
        db.session.commit()
    request_id = saml_idp.start(client)
    assert saml_idp.post(client, saml_idp.response("mia", request_id)).status_code == 302
    with app.app_context():
        assert db.session.get(SamlAssertionId, "_old") is None


def test_a_wrong_audience_is_refused(app, client, saml_idp, mia):
    request_id = saml_idp.start(client)
    xml = saml_idp.response("mia", request_id, audience="https://annan-tjanst.example/sp")
    _assert_refused(app, client, saml_idp.post(client, xml), "audience", 1)


def test_a_wrong_recipient_is_refused(app, client, saml_idp, mia):
    request_id = saml_idp.start(client)
    xml = saml_idp.response("mia", request_id, recipient="https://annan-tjanst.example/acs")
    _assert_refused(app, client, saml_idp.post(client, xml), "recipient", 1)


def test_a_wrong_destination_is_refused(app, client, saml_idp, mia):
    request_id = saml_idp.start(client)
    xml = saml_idp.response("mia", request_id, destination="https://annan-tjanst.example/acs")
    _assert_refused(app, client, saml_idp.post(client, xml), "recipient", 1)


def test_an_answer_to_a_request_varna_never_sent_is_refused(app, client, saml_idp, mia):
    saml_idp.start(client)
    xml = saml_idp.response("mia", "id-som-varna-aldrig-skickade")
    _assert_refused(app, client, saml_idp.post(client, xml), "in_response_to", 1)


def test_an_answer_after_the_request_expired_is_refused(app, client, saml_idp, mia):
    request_id = saml_idp.start(client)
    xml = saml_idp.response("mia", request_id)
    with app.app_context():
        row = db.session.get(SamlRequest, request_id)
        row.expires_at = now() - timedelta(seconds=1)
        db.session.commit()
    _assert_refused(app, client, saml_idp.post(client, xml), "in_response_to", 1)


def test_an_unsolicited_answer_is_refused(app, client, saml_idp, mia):
    xml = saml_idp.response("mia", "")
    xml = re.sub(r' InResponseTo="[^"]*"', "", xml)
    _assert_refused(app, client, saml_idp.post(client, xml), "in_response_to", 1)


def _evil_assertion(signed_assertion: str, who: str) -> str:
    """A copy of the signed assertion without its signature, naming someone else."""
    evil = re.sub(r"<ds:Signature.*?</ds:Signature>", "", signed_assertion, flags=re.S)
    evil = evil.replace("idp-mia-0001", f"idp-{who}-0001").replace("Mia@K.se", f"{who}@k.se")
    return evil


def _split(xml: str) -> tuple[str, str, str]:
    match = re.search(r"<(saml|ns\d+):Assertion\b.*?</\1:Assertion>", xml, flags=re.S)
    assert match, xml
    return xml[: match.start()], match.group(), xml[match.end() :]


@pytest.mark.parametrize(
    "variant",
    [
        "second_unsigned_assertion_first",
        "second_unsigned_assertion_last",
        "signed_assertion_moved_into_extensions",
        "evil_assertion_takes_the_signed_id",
    ],
)
def test_signature_wrapping_is_refused(app, client, saml_idp, mia, make, variant):
    make.employee(email="ola@k.se", first_name="Ola")
    request_id = saml_idp.start(client)
    before, signed, after = _split(saml_idp.response("mia", request_id))
    evil = _evil_assertion(signed, "ola")
    if variant == "second_unsigned_assertion_first":
        xml = before + evil + signed + after
    elif variant == "second_unsigned_assertion_last":
        xml = before + signed + evil + after
    elif variant == "signed_assertion_moved_into_extensions":
        # The signed assertion hidden in Extensions (before Status), the evil one in its place.
        status_at = re.search(r"<(\w+:)?Status\b", before).start()
        xml = (
            before[:status_at]
            + '<samlp:Extensions xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">'
            + signed
            + "</samlp:Extensions>"
            + before[status_at:]
            + evil
            + after
        )
    else:  # XSW: the evil assertion carries the signed one's ID, the signed one inside it
        signed_id = re.search(r' ID="([^"]+)"', signed).group(1)
        evil = re.sub(r' ID="[^"]+"', f' ID="{signed_id}"', evil, count=1)
        close = evil.rindex("</")
        xml = (
            before
            + evil[:close]
            + signed.replace(signed_id, "moved-" + signed_id)
            + evil[close:]
            + after
        )
    answer = saml_idp.post(client, xml)
    assert answer.status_code == 400
    assert not _logged_in(client)
    assert _refusals(app)[-1]["reason"] == "wrapped"
    with app.app_context():
        assert not db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "auth.federated_login")
        ).all()


def test_garbage_is_refused_without_a_500(app, client, saml_idp):
    for body in (
        "",
        "inte-base64!!",
        base64.b64encode(b"<inte-saml/>").decode(),
        base64.b64encode(b"<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>").decode(),
    ):
        answer = client.post("/saml/acs", data={"SAMLResponse": body})
        assert answer.status_code == 400
        assert "Inloggningen kunde inte slutföras" in answer.get_data(as_text=True)


def test_a_person_not_in_the_hr_import_gets_the_not_in_varna_page(app, client, saml_idp, mia):
    request_id = saml_idp.start(client)
    answer = saml_idp.post(client, saml_idp.response("nils", request_id))
    assert answer.status_code == 403
    assert "Du finns inte i Värna än — kontakta HR" in answer.get_data(as_text=True)
    assert not _logged_in(client)
    assert _people(app) == 1
    assert _refusals(app)[-1]["reason"] == "no_match"


def test_a_person_who_has_left_is_refused(app, client, saml_idp, make):
    make.employee(email="ola@k.se", active=False)
    request_id = saml_idp.start(client)
    answer = saml_idp.post(client, saml_idp.response("ola", request_id))
    assert answer.status_code == 403
    assert not _logged_in(client)
    assert _refusals(app)[-1]["reason"] == "left"


def test_without_saml_settings_the_saml_addresses_do_not_exist(client):
    for path in ("/saml/metadata", "/logga-in/saml", "/saml/sls"):
        assert client.get(path).status_code == 404
    assert client.post("/saml/acs", data={"SAMLResponse": "x"}).status_code == 404


# --- who gets in: the configured attribute, groups -------------------------------------


def test_the_person_can_be_matched_by_employee_number_from_an_attribute(
    app, client, saml_idp, make
):
    person = make.employee(email="annan@k.se", first_name="Mia")
    with app.app_context():
        db.session.get(Employee, person.id).employee_number = "E-1001"
        db.session.commit()
    app.config.update(
        SAML_IDENTITY_ATTRIBUTE="employeeNumber", FEDERATION_MATCH_BY="employee_number"
    )
    try:
        request_id = saml_idp.start(client)
        assert saml_idp.post(client, saml_idp.response("mia", request_id)).status_code == 302
        assert _logged_in(client)
    finally:
        app.config.update(SAML_IDENTITY_ATTRIBUTE="email", FEDERATION_MATCH_BY="email")


def test_hr_rights_follow_a_group_in_the_assertion_when_configured(app, client, saml_idp, mia):
    app.config.update(FEDERATION_HR_GROUP="personal")
    try:
        request_id = saml_idp.start(client)
        assert saml_idp.post(client, saml_idp.response("mia", request_id)).status_code == 302
    finally:
        app.config.update(FEDERATION_HR_GROUP=None)
    with app.app_context():
        assert db.session.get(Employee, mia.id).is_hr
        change = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "account.rights_from_directory")
        ).one()
        assert change.details["after"] is True


# --- single logout ---------------------------------------------------------------------


def _logged_in_via_saml(app, client, saml_idp) -> dict:
    request_id = saml_idp.start(client)
    xml = saml_idp.response("mia", request_id, session_index="sess-mia-1")
    assert saml_idp.post(client, xml).status_code == 302
    with client.session_transaction() as flask_session:
        return dict(flask_session["federated"])


def test_logout_sends_a_signed_logout_request_and_the_answer_ends_on_the_login_page(
    app, client, saml_idp, mia
):
    data = _logged_in_via_saml(app, client, saml_idp)
    assert data["provider"] == "saml"
    assert data["name_id"] == "idp-mia-0001"
    assert data["session_index"] == "sess-mia-1"
    with app.test_request_context():
        location = federation.provider_logout_url(data)
    assert location.startswith("http://idp.test/slo?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    logout = saml_idp.server.parse_logout_request(
        query["SAMLRequest"],
        BINDING_HTTP_REDIRECT,
        sigalg=query["SigAlg"],
        signature=query["Signature"],
    )
    assert logout.message.name_id.text == "idp-mia-0001"
    assert [s.text for s in logout.message.session_index] == ["sess-mia-1"]
    assert _signed_redirect(saml_idp, query)
    # The identity provider answers; Värna's SLS lands on the login page.
    answer = saml_idp.server.create_logout_response(
        logout.message, [BINDING_HTTP_REDIRECT], sign=False
    )
    info = saml_idp.server.apply_binding(
        BINDING_HTTP_REDIRECT, str(answer), "http://localhost/saml/sls", response=True, sign=True
    )
    back = client.get(_path(dict(info["headers"])["Location"]))
    assert back.status_code == 302
    assert back.headers["Location"].endswith("/logga-in")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SamlRequest)) == 0


def _signed_redirect(saml_idp, query: dict) -> bool:
    from saml2.sigver import verify_redirect_signature

    certs = saml_idp.server.metadata.certs(saml_idp.sp_entity_id, "spsso", "signing")
    return any(
        verify_redirect_signature(query, saml_idp.server.sec.sec_backend, cert) for _, cert in certs
    )


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + "?" + parts.query


def _idp_logout_request(saml_idp, name_id: str, *, sign: bool = True) -> str:
    from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID

    _, logout = saml_idp.server.create_logout_request(
        "http://localhost/saml/sls",
        saml_idp.sp_entity_id,
        name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=name_id),
        session_indexes=["sess-mia-1"],
        sign=False,
    )
    info = saml_idp.server.apply_binding(
        BINDING_HTTP_REDIRECT, str(logout), "http://localhost/saml/sls", sign=sign
    )
    return _path(dict(info["headers"])["Location"])


def test_the_identity_providers_logout_request_ends_the_varna_session(app, client, saml_idp, mia):
    _logged_in_via_saml(app, client, saml_idp)
    answer = client.get(_idp_logout_request(saml_idp, "idp-mia-0001"))
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("http://idp.test/slo?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["Location"]).query).items()}
    assert _signed_redirect(saml_idp, query)
    response = saml_idp.server.parse_logout_request_response(
        query["SAMLResponse"], BINDING_HTTP_REDIRECT
    )
    assert (
        response.response.status.status_code.value == "urn:oasis:names:tc:SAML:2.0:status:Success"
    )
    assert not _logged_in(client)
    with app.app_context():
        assert (
            db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "auth.logout"))
            .one()
            .actor_id
            == mia.id
        )


def test_an_unsigned_logout_request_is_refused_and_the_session_stays(app, client, saml_idp, mia):
    _logged_in_via_saml(app, client, saml_idp)
    answer = client.get(_idp_logout_request(saml_idp, "idp-mia-0001", sign=False))
    assert answer.status_code == 400
    assert "Utloggningen från kommunens inloggning kunde inte kontrolleras." in answer.get_data(
        as_text=True
    )
    assert _logged_in(client)


def test_a_logout_request_for_someone_else_leaves_the_session(app, client, saml_idp, mia):
    _logged_in_via_saml(app, client, saml_idp)
    answer = client.get(_idp_logout_request(saml_idp, "idp-ola-0001"))
    assert answer.status_code == 302
    assert _logged_in(client)


# --- a broken configuration is said, not a 500 -------------------------------------------


def test_unreadable_metadata_gives_a_swedish_page_not_a_500(app, client, saml_idp, tmp_path):
    app.config["SAML_IDP_METADATA"] = str(tmp_path / "finns-inte.xml")
    answer = client.get("/logga-in/saml")
    assert answer.status_code == 400
    assert "Inloggningen kunde inte slutföras" in answer.get_data(as_text=True)
    assert _refusals(app)[-1] == {"provider": "saml", "reason": "configuration"}
    assert client.get("/saml/metadata").status_code == 503


def test_metadata_over_plain_http_is_refused(app, client, saml_idp):
    app.config["SAML_IDP_METADATA"] = "http://idp.test/metadata"
    assert client.get("/logga-in/saml").status_code == 400
    assert _refusals(app)[-1]["reason"] == "configuration"


# --- the answer belongs to the browser that started the login (https) --------------------


@pytest.fixture
def on_https(app):
    app.config["SESSION_COOKIE_SECURE"] = True
    yield
    app.config["SESSION_COOKIE_SECURE"] = False


def _https_client(app):
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    return client


def test_on_https_the_answer_is_taken_from_the_browser_that_started_the_login(
    app, saml_idp, mia, on_https
):
    browser = _https_client(app)
    request_id = saml_idp.start(browser)
    mark = browser.get_cookie("varna_saml", path="/saml/acs")
    assert mark is not None
    assert mark.secure
    assert mark.same_site == "None"
    assert saml_idp.post(browser, saml_idp.response("mia", request_id)).status_code == 302


def test_on_https_an_answer_posted_from_another_browser_is_refused(app, saml_idp, mia, on_https):
    attacker, victim = _https_client(app), _https_client(app)
    request_id = saml_idp.start(attacker)  # the attacker's own login, answer kept unused
    answer = saml_idp.post(victim, saml_idp.response("mia", request_id))
    _assert_refused(app, victim, answer, "browser", 1)


def test_an_assertion_signed_with_sha1_is_refused(app, client, saml_idp, mia):
    from saml2 import class_name
    from saml2.sigver import pre_signature_part
    from saml2.xmldsig import DIGEST_SHA1, SIG_RSA_SHA1

    request_id = saml_idp.start(client)
    response = response_from_string(saml_idp.response("mia", request_id, sign=False))
    assertion = response.assertion[0]
    assertion.signature = pre_signature_part(
        assertion.id, saml_idp.server.sec.my_cert, 1, sign_alg=SIG_RSA_SHA1, digest_alg=DIGEST_SHA1
    )
    xml = saml_idp.server.sec.sign_statement(
        str(response), class_name(assertion), node_id=assertion.id
    )
    _assert_refused(app, client, saml_idp.post(client, xml), "weak_algorithm", 1)


def test_the_sp_metadata_offers_no_weak_algorithms(client, saml_idp):
    xml = client.get("/saml/metadata").get_data(as_text=True)
    assert "rsa-sha256" in xml
    for weak in ("#sha1", "rsa-sha1", "md5", "ripemd160"):
        assert weak not in xml
