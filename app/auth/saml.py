"""SAML 2.0 sign-in: Värna as a service provider (pysaml2, signatures checked by xmlsec1).

Configured only by the environment (config.py, docs/sign-in.md): SAML_IDP_METADATA (a file
or an https address of the identity provider's metadata), SAML_SP_CERT and SAML_SP_KEY (the
pair Värna signs its requests with), SAML_SP_ENTITY_ID (default BASE_URL + /saml/metadata),
SAML_IDENTITY_ATTRIBUTE, SAML_GROUPS_ATTRIBUTE, SAML_LABEL.

What is checked before anyone gets in (each failure is federation.refuse with a reason):
the assertion is signed by a key in the identity provider's metadata ("unsigned",
"signature"), it is the one signed element used (one assertion only, its signature
referring to itself: "wrapped"), it is meant for Värna ("audience"), it was sent to Värna's
ACS ("recipient": Destination and SubjectConfirmationData Recipient), it answers a request
Värna sent in the last minutes and has not been answered yet ("in_response_to"), it is
within NotBefore/NotOnOrAfter with a small leeway ("expired", "not_yet_valid"), and its id
has not been used before ("replay": the saml_assertion_ids table, shared by every worker).
Who gets in after that is federation.admit's decision, not this module's.

The answer from the identity provider is a cross-site POST: it carries no SameSite=Lax
session cookie, so what a login needs to remember (the request id, where the person was
going) is in the database (SamlRequest), not in the session.
"""

from __future__ import annotations

import base64
import hmac
import logging
import re
import shutil
import threading
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from defusedxml import ElementTree
from flask import Response, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string
from saml2.response import StatusError, UnsolicitedResponse, VerificationError
from saml2.saml import NameID
from saml2.sigver import MissingKey, SignatureError, verify_redirect_signature
from saml2.validate import ResponseLifetimeExceed, ToEarly
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256
from sqlalchemy.exc import IntegrityError

from app import sessions
from app.auth import bp, federation, services
from app.dates import now
from app.errors import error_response
from app.extensions import csrf, db
from app.models import SamlAssertionId, SamlRequest

log = logging.getLogger(__name__)

PROVIDER = "saml"
# How far the identity provider's clock may be from Värna's (NotBefore, NotOnOrAfter).
LEEWAY_SECONDS = 90
# How long Värna waits for the answer to a request it sent.
REQUEST_MINUTES = 10
# A used assertion id is kept until the assertion could no longer be accepted anyway,
# but never longer than this (an identity provider announcing a far NotOnOrAfter).
LONGEST_KEPT = timedelta(hours=24)
# How long metadata fetched from an https address is used before it is fetched again.
METADATA_URL_MINUTES = 60
METADATA_TIMEOUT_SECONDS = 10

# Digest and signature algorithms Värna neither offers nor accepts (ASVS 6.2.5: no SHA-1, MD5).
WEAK_ALGORITHM = re.compile(r"(md5|sha1|ripemd160|sha224)$", re.IGNORECASE)

NS = {
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
}


class SamlNotReady(RuntimeError):
    """SAML is configured but cannot work (missing xmlsec1, unreadable metadata or keys)."""


# --- configuration ---------------------------------------------------------------------


def configured() -> bool:
    return bool(current_app.config.get("SAML_IDP_METADATA"))


def entity_id() -> str:
    return current_app.config.get("SAML_SP_ENTITY_ID") or (
        current_app.config["BASE_URL"].rstrip("/") + "/saml/metadata"
    )


def acs_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/") + "/saml/acs"


def sls_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/") + "/saml/sls"


@dataclass
class _Cached:
    key: tuple
    config: SPConfig
    fetched: float


_cache: dict[str, _Cached] = {}
_cache_lock = threading.Lock()


def _metadata_stamp(source: str) -> tuple:
    """What tells whether the identity provider's metadata may have changed: a file's
    mtime; for an https address, the hour (METADATA_URL_MINUTES) it is fetched in."""
    if source.startswith("https://"):
        return ("url", source, int(time.time() // (METADATA_URL_MINUTES * 60)))
    if "://" in source:
        raise SamlNotReady(
            f"SAML_IDP_METADATA={source!r}: ange en fil eller en https-adress till "
            "identitetsleverantörens metadata."
        )
    path = Path(source)
    try:
        return ("file", str(path), path.stat().st_mtime_ns)
    except OSError as exc:
        raise SamlNotReady(f"SAML_IDP_METADATA: filen {source} kan inte läsas ({exc}).") from exc


def _read_metadata(source: str) -> str:
    if source.startswith("https://"):
        with urllib.request.urlopen(  # noqa: S310 (https only, checked above)
            source, timeout=METADATA_TIMEOUT_SECONDS
        ) as answer:
            return answer.read().decode("utf-8")
    return Path(source).read_text(encoding="utf-8")


def sp_config() -> SPConfig:
    """pysaml2's configuration of Värna as a service provider, built from the environment
    (cached per setting; the metadata is read again when its file changes or hourly)."""
    cfg = current_app.config
    source = cfg["SAML_IDP_METADATA"]
    stamp = _metadata_stamp(source)
    key = (
        stamp,
        entity_id(),
        acs_url(),
        sls_url(),
        cfg.get("SAML_SP_CERT"),
        cfg.get("SAML_SP_KEY"),
    )
    cache_key = current_app.name + str(id(current_app))
    with _cache_lock:
        cached = _cache.get(cache_key)
        if cached is not None and cached.key == key:
            return cached.config
    xmlsec = shutil.which("xmlsec1")
    if xmlsec is None:
        raise SamlNotReady(
            "SAML kräver programmet xmlsec1 (Debian-paketet xmlsec1: make saml-libs)."
        )
    cert, keyfile = cfg.get("SAML_SP_CERT"), cfg.get("SAML_SP_KEY")
    for name, path in (("SAML_SP_CERT", cert), ("SAML_SP_KEY", keyfile)):
        if not path or not Path(path).is_file():
            raise SamlNotReady(f"{name} saknas eller kan inte läsas: {path!r}.")
    try:
        metadata = _read_metadata(source)
    except OSError as exc:
        if cached is not None and cached.key[1:] == key[1:] and stamp[0] == "url":
            # The address did not answer this hour: the metadata fetched before still holds.
            log.warning("SAML metadata could not be fetched again (%s); the last copy is used", exc)
            with _cache_lock:
                _cache[cache_key] = _Cached(key, cached.config, cached.fetched)
            return cached.config
        raise SamlNotReady(f"SAML_IDP_METADATA kan inte hämtas: {exc}.") from exc
    settings = {
        "entityid": entity_id(),
        "xmlsec_binary": xmlsec,
        "metadata": {"inline": [metadata]},
        "key_file": keyfile,
        "cert_file": cert,
        "accepted_time_diff": LEEWAY_SECONDS,
        "allow_unknown_attributes": True,
        "delete_tmpfiles": True,
        "service": {
            "sp": {
                "name": "Värna",
                "endpoints": {
                    "assertion_consumer_service": [(acs_url(), BINDING_HTTP_POST)],
                    "single_logout_service": [
                        (sls_url(), BINDING_HTTP_REDIRECT),
                        (sls_url(), BINDING_HTTP_POST),
                    ],
                },
                "allow_unsolicited": False,
                "authn_requests_signed": True,
                "logout_requests_signed": True,
                "logout_responses_signed": True,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "only_use_keys_in_metadata": True,
                "signing_algorithm": SIG_RSA_SHA256,
                "digest_algorithm": DIGEST_SHA256,
            }
        },
    }
    config = SPConfig()
    try:
        config.load(settings)
    except Exception as exc:  # a broken metadata file or key: said once, clearly
        raise SamlNotReady(f"SAML-inställningarna kan inte läsas: {exc}.") from exc
    if not config.metadata.identity_providers():
        raise SamlNotReady(
            "SAML_IDP_METADATA innehåller ingen identitetsleverantör (IDPSSODescriptor)."
        )
    with _cache_lock:
        _cache[cache_key] = _Cached(key, config, time.time())
    return config


def _client() -> Saml2Client:
    # A client per request: pysaml2 keeps identities in the client's memory, which must not
    # grow in a long-running worker. The parsed configuration (metadata) is shared.
    return Saml2Client(config=sp_config())


def _idp_entity_id(client: Saml2Client) -> str:
    return client.metadata.identity_providers()[0]


# --- the outstanding requests and the replay cache ---------------------------------------


def _prune() -> None:
    moment = now()
    db.session.execute(sa.delete(SamlRequest).where(SamlRequest.expires_at < moment))
    db.session.execute(sa.delete(SamlAssertionId).where(SamlAssertionId.expires_at < moment))


def remember_request(request_id: str, kind: str, return_to: str | None = None) -> None:
    _prune()
    db.session.add(
        SamlRequest(
            id=request_id,
            kind=kind,
            return_to=return_to,
            expires_at=now() + timedelta(minutes=REQUEST_MINUTES),
        )
    )


def outstanding_request(request_id: str | None, kind: str) -> SamlRequest | None:
    if not request_id:
        return None
    row = db.session.get(SamlRequest, request_id[:128])
    if row is None or row.kind != kind or row.expires_at <= now():
        return None
    return row


def consume_request(row: SamlRequest) -> bool:
    """Used once: False when another worker took the same answer first."""
    deleted = db.session.execute(sa.delete(SamlRequest).where(SamlRequest.id == row.id))
    return deleted.rowcount == 1


def remember_assertion(assertion_id: str, expires_at: datetime) -> bool:
    """Record a used assertion id; False if it was used before (a replay), on any worker."""
    _prune()
    try:
        with db.session.begin_nested():
            db.session.add(SamlAssertionId(id=assertion_id[:256], expires_at=expires_at))
    except IntegrityError:
        return False
    return True


def _seen_assertion(assertion_id: str | None) -> bool:
    return (
        assertion_id is not None and db.session.get(SamlAssertionId, assertion_id[:256]) is not None
    )


# --- reading an answer before pysaml2 judges it (only to name the refusal) ---------------


@dataclass
class _Peek:
    in_response_to: str | None = None
    destination: str | None = None
    assertion_ids: tuple[str, ...] = ()
    signed_assertion: bool = False
    wrapped: bool = False
    weak_algorithm: bool = False
    readable: bool = False


def _peek(encoded: str) -> _Peek:
    """What the (unverified) answer says about itself: which request it answers, where it
    was sent, and whether its shape is one of the signature-wrapping tricks. Nothing read
    here lets anyone in; it only looks up the request and names the refusal."""
    try:
        root = ElementTree.fromstring(base64.b64decode(encoded, validate=False))
    except Exception:  # not base64, not XML, or XML that defusedxml refuses
        return _Peek()
    peek = _Peek(
        in_response_to=root.get("InResponseTo"),
        destination=root.get("Destination"),
        readable=True,
    )
    assertions = root.findall(".//saml:Assertion", NS)
    peek.assertion_ids = tuple(a.get("ID") or "" for a in assertions)
    direct = root.findall("saml:Assertion", NS)
    peek.signed_assertion = any(a.find("ds:Signature", NS) is not None for a in direct)
    # One assertion, directly in the Response; every signature refers to its own parent.
    peek.wrapped = len(assertions) > 1 or len(direct) != len(assertions)
    for parent in root.iter():
        for signature in parent.findall("ds:Signature", NS):
            reference = signature.find("ds:SignedInfo/ds:Reference", NS)
            uri = reference.get("URI") if reference is not None else None
            if uri != "#" + (parent.get("ID") or ""):
                peek.wrapped = True
    for method in root.iterfind(".//ds:SignatureMethod", NS):
        peek.weak_algorithm |= bool(WEAK_ALGORITHM.search(method.get("Algorithm") or ""))
    for method in root.iterfind(".//ds:DigestMethod", NS):
        peek.weak_algorithm |= bool(WEAK_ALGORITHM.search(method.get("Algorithm") or ""))
    return peek


def _reason(exc: Exception, peek: _Peek) -> str:
    text = str(exc)
    if isinstance(exc, ResponseLifetimeExceed):
        return "expired"
    if isinstance(exc, ToEarly):
        return "not_yet_valid"
    if isinstance(exc, UnsolicitedResponse) or "don't recall" in text or text == "Came from":
        return "in_response_to"
    if isinstance(exc, StatusError):
        return "idp_error"
    if "AudienceRestrictions" in text:
        return "audience"
    if isinstance(exc, VerificationError) and "recipient" in text:
        return "recipient"
    if peek.wrapped:
        return "wrapped"
    if isinstance(exc, SignatureError | MissingKey) or "ignature" in text:
        return "unsigned" if not peek.signed_assertion else "signature"
    return "invalid"


def _assertion_expiry(assertion: Any) -> datetime:
    """When the assertion could no longer be accepted (its latest NotOnOrAfter + leeway)."""
    moments: list[datetime] = []
    conditions = assertion.conditions
    if conditions is not None and conditions.not_on_or_after:
        moments.append(_parse_time(conditions.not_on_or_after))
    for confirmation in assertion.subject.subject_confirmation if assertion.subject else []:
        data = confirmation.subject_confirmation_data
        if data is not None and data.not_on_or_after:
            moments.append(_parse_time(data.not_on_or_after))
    latest = now() + LONGEST_KEPT
    if not moments:
        return latest
    return min(max(moments) + timedelta(seconds=LEEWAY_SECONDS), latest)


def _parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _claims(response: Any) -> dict[str, list[str]]:
    """Every attribute as received, by its Name and (where pysaml2 knows one) its friendly
    name, values as lists; plus "nameid"."""
    claims: dict[str, list[str]] = {}
    for statement in response.assertion.attribute_statement:
        for attribute in statement.attribute:
            values = [v.text.strip() for v in attribute.attribute_value if v.text]
            claims.setdefault(attribute.name, []).extend(values)
            if attribute.friendly_name:
                claims.setdefault(attribute.friendly_name, []).extend(values)
    for name, values in (response.ava or {}).items():
        claims.setdefault(name, [str(v) for v in values])
    claims["nameid"] = [response.name_id.text.strip()] if response.name_id is not None else []
    return claims


def _logout_data(response: Any, idp: str) -> dict[str, Any]:
    name_id = response.name_id
    session_index = None
    for statement in response.assertion.authn_statement:
        session_index = statement.session_index or session_index
    return {
        "idp": idp,
        "name_id": name_id.text,
        "name_id_format": name_id.format,
        "name_qualifier": name_id.name_qualifier,
        "sp_name_qualifier": name_id.sp_name_qualifier,
        "session_index": session_index,
    }


# --- routes ------------------------------------------------------------------------------


def _not_configured() -> None:
    if not configured():
        abort(404)


@bp.route("/saml/metadata")
def saml_metadata():
    """Värna's SP metadata, for the identity provider's administrator (public)."""
    _not_configured()
    xml = create_metadata_string(None, config=sp_config(), valid=None).decode("utf-8")
    # pysaml2 lists every algorithm xmlsec1 knows; Värna offers only the strong ones.
    xml = re.sub(
        r'<[\w]+:(?:DigestMethod|SigningMethod) Algorithm="[^"]*"\s*/>',
        lambda m: "" if WEAK_ALGORITHM.search(m.group().split('"')[1]) else m.group(),
        xml,
    )
    return Response(xml, mimetype="application/samlmetadata+xml")


@bp.route("/logga-in/saml")
def saml_login():
    """Start: a signed AuthnRequest to the identity provider (HTTP-Redirect)."""
    _not_configured()
    if current_user.is_authenticated:
        return redirect(url_for("learning.index"))
    client = _client()
    request_id, info = client.prepare_for_authenticate(
        entityid=_idp_entity_id(client),
        binding=BINDING_HTTP_REDIRECT,
        sign=True,
        sigalg=SIG_RSA_SHA256,
        digest_alg=DIGEST_SHA256,
    )
    remember_request(request_id, "authn", sessions.safe_next(request.args.get("next")))
    db.session.commit()
    response = redirect(dict(info["headers"])["Location"])
    _mark_browser(response, request_id)
    return response


# The answer must come back to the browser that started the login: else someone holding a
# fresh answer for their own account could make another person's browser post it (login
# CSRF). The ACS is reached by a cross-site POST, which only carries a SameSite=None cookie,
# and browsers keep those only with Secure: checked where Värna runs on https
# (SESSION_COOKIE_SECURE, production). The last few logins started in this browser count
# (several tabs).
BROWSER_COOKIE = "varna_saml"
BROWSER_MARKS_KEPT = 3


def _browser_mark(request_id: str) -> str:
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(key, b"saml-login:" + request_id.encode("utf-8"), "sha256").hexdigest()[:32]


def _binds_browser() -> bool:
    return bool(current_app.config.get("SESSION_COOKIE_SECURE"))


def _mark_browser(response: Response, request_id: str) -> None:
    marks = request.cookies.get(BROWSER_COOKIE, "").split(".")
    marks = [m for m in marks if m][-(BROWSER_MARKS_KEPT - 1) :] + [_browser_mark(request_id)]
    secure = _binds_browser()
    response.set_cookie(
        BROWSER_COOKIE,
        ".".join(marks),
        max_age=REQUEST_MINUTES * 60,
        path=url_for("auth.saml_acs"),
        secure=secure,
        httponly=True,
        samesite="None" if secure else "Lax",
    )


def _same_browser(request_id: str) -> bool:
    if not _binds_browser():
        return True
    marks = request.cookies.get(BROWSER_COOKIE, "").split(".")
    expected = _browser_mark(request_id)
    return any(hmac.compare_digest(mark, expected) for mark in marks)


@bp.route("/saml/acs", methods=["POST"])
@csrf.exempt
def saml_acs():
    """The identity provider's answer (HTTP-POST binding): checked, then federation.admit."""
    _not_configured()
    encoded = request.form.get("SAMLResponse", "")
    if not encoded:
        return federation.refuse(db.session, PROVIDER, "invalid")
    peek = _peek(encoded)
    if not peek.readable:
        return federation.refuse(db.session, PROVIDER, "invalid")
    if peek.destination is not None and peek.destination != acs_url():
        return federation.refuse(db.session, PROVIDER, "recipient")
    if peek.weak_algorithm:
        return federation.refuse(db.session, PROVIDER, "weak_algorithm")
    row = outstanding_request(peek.in_response_to, "authn")
    if row is None and any(_seen_assertion(a) for a in peek.assertion_ids):
        return federation.refuse(db.session, PROVIDER, "replay")
    outstanding = {row.id: row.return_to or ""} if row is not None else {}
    client = _client()
    try:
        response = client.parse_authn_request_response(
            encoded,
            BINDING_HTTP_POST,
            outstanding=outstanding,
            conv_info={"request_uri": acs_url()},
        )
    except Exception as exc:  # every failed check of pysaml2 and xmlsec1 is a refusal
        reason = _reason(exc, peek)
        log.warning("SAML answer refused (%s): %s: %s", reason, type(exc).__name__, exc)
        return federation.refuse(db.session, PROVIDER, reason)
    if response is None or response.assertion is None or response.name_id is None:
        reason = "recipient" if peek.destination not in (None, acs_url()) else "invalid"
        if peek.wrapped:
            reason = "wrapped"
        return federation.refuse(db.session, PROVIDER, reason)
    if peek.wrapped:  # pysaml2 accepted a shape Värna never expects: refused all the same
        return federation.refuse(db.session, PROVIDER, "wrapped")
    if row is not None and not _same_browser(row.id):
        return federation.refuse(db.session, PROVIDER, "browser")
    if row is None or not consume_request(row):
        return federation.refuse(db.session, PROVIDER, "in_response_to")
    if not remember_assertion(response.assertion.id, _assertion_expiry(response.assertion)):
        return federation.refuse(db.session, PROVIDER, "replay")
    identity = federation.FederatedIdentity(
        provider=PROVIDER,
        subject=response.name_id.text,
        claims=_claims(response),
        logout=_logout_data(response, response.issuer()),
    )
    if row.return_to:
        session[federation.NEXT_KEY] = row.return_to
    return federation.admit(db.session, identity)


def logout_url(data: dict[str, Any]) -> str | None:
    """Where to send the browser to end the identity provider's session too: a signed
    LogoutRequest (HTTP-Redirect) to its single logout endpoint, or None if it has none."""
    if not configured() or not data.get("name_id"):
        return None
    try:
        client = _client()
    except SamlNotReady:
        log.exception("SAML logout not possible")
        return None
    idp = data.get("idp") or _idp_entity_id(client)
    try:
        endpoints = client.metadata.single_logout_service(idp, BINDING_HTTP_REDIRECT, "idpsso")
    except Exception:
        endpoints = []
    if not endpoints:
        return None
    destination = endpoints[0]["location"]
    name_id = NameID(
        text=data["name_id"],
        format=data.get("name_id_format"),
        name_qualifier=data.get("name_qualifier"),
        sp_name_qualifier=data.get("sp_name_qualifier"),
    )
    request_id, logout_request = client.create_logout_request(
        destination,
        idp,
        name_id=name_id,
        session_indexes=[data["session_index"]] if data.get("session_index") else None,
        sign=False,  # HTTP-Redirect: the query string is signed instead
    )
    info = client.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(logout_request),
        destination,
        relay_state="",
        sign=True,
        sigalg=SIG_RSA_SHA256,
    )
    remember_request(request_id, "logout")
    db.session.commit()
    return dict(info["headers"])["Location"]


def form_action_origins() -> list[str]:
    """Origins the logout form's redirect may go to (the CSP's form-action): the identity
    provider's single logout endpoints."""
    if not configured():
        return []
    try:
        config = sp_config()
    except SamlNotReady:
        return []
    origins: list[str] = []
    for idp in config.metadata.identity_providers():
        for endpoint in config.metadata.single_logout_service(idp, BINDING_HTTP_REDIRECT, "idpsso"):
            parts = urlsplit(endpoint["location"])
            if parts.scheme in {"http", "https"} and parts.netloc:
                origins.append(f"{parts.scheme}://{parts.netloc}")
    return list(dict.fromkeys(origins))


@bp.route("/saml/sls", methods=["GET", "POST"])
@csrf.exempt
def saml_sls():
    """Single logout: the identity provider's answer to Värna's LogoutRequest, or its own
    LogoutRequest (the person logged out elsewhere): Värna's session ends, and the
    identity provider gets a signed LogoutResponse."""
    _not_configured()
    values = request.form if request.method == "POST" else request.args
    binding = BINDING_HTTP_POST if request.method == "POST" else BINDING_HTTP_REDIRECT
    client = _client()
    if values.get("SAMLResponse"):  # "Du är utloggad." was said when Värna's session ended
        _logout_response(client, values, binding)
        return redirect(url_for("auth.login"))
    if values.get("SAMLRequest"):
        return _logout_request(client, values, binding)
    abort(400)


def _signed_by_idp(
    client: Saml2Client, values: Any, binding: str, kind: str, issuer: str | None, message: Any
) -> bool:
    """Whether a logout message really comes from the identity provider in the metadata.

    pysaml2 checks an HTTP-Redirect signature only where it must (an IdP receiving an
    AuthnRequest), and an XML signature only when there is one: a service provider must
    require both itself."""
    if not issuer or issuer not in client.metadata.identity_providers():
        return False
    if binding == BINDING_HTTP_REDIRECT:
        if not values.get("Signature") or not values.get("SigAlg"):
            return False
        if WEAK_ALGORITHM.search(values["SigAlg"]):
            return False
        signed = {kind: values[kind], "SigAlg": values["SigAlg"], "Signature": values["Signature"]}
        if values.get("RelayState") is not None:
            signed["RelayState"] = values["RelayState"]
        certs = client.metadata.certs(issuer, "idpsso", "signing")
        try:
            return any(
                verify_redirect_signature(signed, client.sec.sec_backend, cert)
                for _name, cert in certs
            )
        except Exception:  # an unknown algorithm, a broken signature
            return False
    # HTTP-POST: pysaml2 has verified the XML signature, if the message carries one.
    return getattr(message, "signature", None) is not None


def _logout_response(client: Saml2Client, values: Any, binding: str) -> None:
    """The answer to Värna's own LogoutRequest: Värna's session has already ended; a genuine
    answer uses up the request, anything else is only logged."""
    try:
        answer = client.parse_logout_request_response(values["SAMLResponse"], binding)
    except Exception as exc:
        log.warning("SAML LogoutResponse refused: %s: %s", type(exc).__name__, exc)
        return
    if answer is None:
        return
    message = answer.response
    issuer = message.issuer.text.strip() if message.issuer is not None else None
    if not _signed_by_idp(client, values, binding, "SAMLResponse", issuer, message):
        log.warning("SAML LogoutResponse without a valid signature of the identity provider")
        return
    row = outstanding_request(answer.in_response_to, "logout")
    if row is not None:
        consume_request(row)
        db.session.commit()


def _logout_request(client: Saml2Client, values: Any, binding: str) -> Response:
    """The identity provider's own LogoutRequest (the person logged out elsewhere): when it
    names the person logged in here, Värna's session ends (audited as a logout); the answer
    is a signed LogoutResponse, as single logout requires."""
    try:
        parsed = client.parse_logout_request(
            values["SAMLRequest"],
            binding,
            relay_state=values.get("RelayState"),
            sigalg=values.get("SigAlg"),
            signature=values.get("Signature"),
        )
    except Exception as exc:
        log.warning("SAML LogoutRequest refused: %s: %s", type(exc).__name__, exc)
        parsed = None
    message = parsed.message if parsed is not None else None
    issuer = message.issuer.text.strip() if message is not None and message.issuer else None
    if message is None or not _signed_by_idp(
        client, values, binding, "SAMLRequest", issuer, message
    ):
        log.warning("SAML LogoutRequest refused: not signed by the identity provider")
        return error_response(
            400, _("Utloggningen från kommunens inloggning kunde inte kontrolleras.")
        )
    federated = session.get("federated") or {}
    if (
        current_user.is_authenticated
        and federated.get("provider") == PROVIDER
        and message.name_id is not None
        and federated.get("name_id") == message.name_id.text
    ):
        services.log_out(db.session, current_user._get_current_object())
        db.session.commit()
        logout_user()
        lang = session.get("lang")
        session.clear()
        if lang:
            session["lang"] = lang
    logout_response = client.create_logout_response(message, [BINDING_HTTP_REDIRECT], sign=False)
    destination = client.metadata.single_logout_service(issuer, BINDING_HTTP_REDIRECT, "idpsso")
    if not destination:
        flash(_("Du är utloggad."), "info")
        return redirect(url_for("auth.login"))
    info = client.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(logout_response),
        destination[0]["location"],
        relay_state=values.get("RelayState") or "",
        response=True,
        sign=True,
        sigalg=SIG_RSA_SHA256,
    )
    return redirect(dict(info["headers"])["Location"])


@bp.errorhandler(SamlNotReady)
def _saml_not_ready(exc: SamlNotReady) -> Response:
    """SAML configured but unusable (a missing xmlsec1, unreadable metadata or keys): the
    operator reads why in the log, the person a Swedish page; never a 500."""
    log.error("SAML cannot work: %s", exc)
    if request.endpoint in ("auth.saml_login", "auth.saml_acs"):
        return federation.refuse(db.session, PROVIDER, "configuration")
    return error_response(
        503, _("Inloggning med kommunens konto fungerar inte just nu. Försök igen senare.")
    )
