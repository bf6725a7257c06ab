"""Sign-in with OpenID Connect (Microsoft Entra ID or any certified provider), issue 11.

Authorization Code flow with PKCE (S256), Authlib's OAuth 2 client for the protocol's
requests, joserfc (Authlib's JOSE library) for the ID token:

* GET /logga-in/oidc starts: a fresh state, nonce and PKCE verifier, kept in the (signed)
  session cookie with the `next` address, then the provider's authorization endpoint.
* GET /logga-in/oidc/retur is the redirect URI: the state must be the one this browser
  was given (once: the pending login is taken out of the session), the code is exchanged
  with the verifier, and the ID token must be signed by a key in the provider's JWKS
  (fetched again, once, when an unknown key id appears: keys rotate), by the configured
  issuer, for this client, not expired, not issued in the future (OIDC_LEEWAY_SECONDS
  either way) and carry this login's nonce.
* Who the person is, and whether they get in, is app/auth/federation.py's decision.

Every failed check is `federation.refuse` (an audit event, a Swedish page, never a 500).
The provider's metadata and keys are cached per process (DISCOVERY_TTL_SECONDS).
"""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from flask import abort, current_app, redirect, request, session, url_for
from flask_login import current_user
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from app import dates
from app.auth import bp, federation
from app.extensions import db

log = logging.getLogger(__name__)

PROVIDER = "oidc"
SESSION_KEY = "oidc"
# A login that was started longer ago than this is not finished (the state is old).
PENDING_SECONDS = 15 * 60
DISCOVERY_TTL_SECONDS = 60 * 60
# Asymmetric signatures only: a token signed with the client secret (HS256) or not at all
# ("none") is refused.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
# The ID token is kept in the session cookie as the logout's id_token_hint; a larger one
# (many group claims) would not fit in a cookie, and the logout then names the client only.
LARGEST_KEPT_ID_TOKEN = 2000


class Refused(Exception):
    """A check of the provider's answer failed; `reason` is the audit event's reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class _Cached:
    metadata: dict[str, Any]
    fetched_at: float
    keys: KeySet | None = None
    kids: set[str] = field(default_factory=set)


_cache: dict[str, _Cached] = {}
_lock = threading.Lock()


def configured() -> bool:
    config = current_app.config
    return bool(config.get("OIDC_DISCOVERY_URL") and config.get("OIDC_CLIENT_ID"))


def _get_json(url: str) -> dict[str, Any]:
    response = requests.get(url, timeout=current_app.config["OIDC_TIMEOUT_SECONDS"])
    response.raise_for_status()
    data = response.json()
    if not isinstance(data, dict):
        raise ValueError(f"{url} did not answer with a JSON object")
    return data


def metadata() -> dict[str, Any]:
    """The provider's discovery document (cached DISCOVERY_TTL_SECONDS per process)."""
    url = current_app.config["OIDC_DISCOVERY_URL"]
    with _lock:
        cached = _cache.get(url)
        if cached is not None and time.monotonic() - cached.fetched_at < DISCOVERY_TTL_SECONDS:
            return cached.metadata
    document = _get_json(url)
    for key in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(document.get(key), str):
            raise ValueError(f"the discovery document has no {key}")
    with _lock:
        _cache[url] = _Cached(metadata=document, fetched_at=time.monotonic())
    return document


def _keys(kid: str | None) -> KeySet:
    """The provider's signing keys: cached, and fetched again when `kid` is not among them."""
    url = current_app.config["OIDC_DISCOVERY_URL"]
    meta = metadata()
    with _lock:
        cached = _cache[url]
        if cached.keys is not None and (kid is None or kid in cached.kids):
            return cached.keys
    log.info("fetching the OIDC provider's keys (%s)", "first time" if kid is None else "new kid")
    data = _get_json(meta["jwks_uri"])
    keys = KeySet.import_key_set(
        {"keys": [k for k in data.get("keys", []) if k.get("use", "sig") == "sig"]}
    )
    with _lock:
        cached.keys = keys
        cached.kids = {str(k.get("kid")) for k in data.get("keys", []) if k.get("kid")}
    return keys


def forget_cache() -> None:
    """Forget every provider's metadata and keys (tests; a changed configuration)."""
    with _lock:
        _cache.clear()


def _client(**kwargs: Any) -> OAuth2Session:
    config = current_app.config
    return OAuth2Session(
        client_id=config["OIDC_CLIENT_ID"],
        client_secret=config.get("OIDC_CLIENT_SECRET"),
        scope=config["OIDC_SCOPES"],
        redirect_uri=url_for("auth.oidc_callback", _external=True),
        code_challenge_method="S256",
        token_endpoint_auth_method=(
            "client_secret_basic" if config.get("OIDC_CLIENT_SECRET") else "none"
        ),
        **kwargs,
    )


@bp.route("/logga-in/oidc")
def oidc_login():
    """Start: to the provider's login, with a fresh state, nonce and PKCE verifier."""
    if not configured():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("learning.index"))
    try:
        meta = metadata()
    except (requests.RequestException, ValueError) as exc:
        log.warning("the OIDC provider's discovery document could not be read: %s", exc)
        return federation.refuse(db.session, PROVIDER, "provider_unreachable")
    pending = {
        "state": secrets.token_urlsafe(32),
        "nonce": secrets.token_urlsafe(32),
        "verifier": secrets.token_urlsafe(64),
        "at": int(dates.now().timestamp()),
    }
    session[SESSION_KEY] = pending
    session[federation.NEXT_KEY] = request.args.get("next") or None
    url, _state = _client().create_authorization_url(
        meta["authorization_endpoint"],
        state=pending["state"],
        nonce=pending["nonce"],
        code_verifier=pending["verifier"],
    )
    return redirect(url)


@bp.route("/logga-in/oidc/retur")
def oidc_callback():
    """The provider's answer: every check, then app/auth/federation.py decides who gets in."""
    if not configured():
        abort(404)
    pending = session.pop(SESSION_KEY, None)  # once: a second use of the answer is refused
    try:
        claims, id_token = _check_answer(pending)
    except Refused as refused:
        return federation.refuse(db.session, PROVIDER, refused.reason)
    logout = {"id_token_hint": id_token} if len(id_token) <= LARGEST_KEPT_ID_TOKEN else {}
    identity = federation.FederatedIdentity(PROVIDER, str(claims["sub"]), claims, logout)
    return federation.admit(db.session, identity)


def _check_answer(pending: Any) -> tuple[dict[str, Any], str]:
    state = request.args.get("state", "")
    if (
        not isinstance(pending, dict)
        or not state
        or not hmac.compare_digest(state.encode(), str(pending.get("state", "")).encode())
    ):
        raise Refused("state")
    if int(dates.now().timestamp()) - int(pending.get("at", 0)) > PENDING_SECONDS:
        raise Refused("login_too_old")
    if request.args.get("error"):
        log.info("the OIDC provider answered with an error: %s", request.args.get("error")[:100])
        raise Refused("provider_error")
    code = request.args.get("code")
    if not code:
        raise Refused("no_code")
    try:
        meta = metadata()
    except (requests.RequestException, ValueError) as exc:
        log.warning("the OIDC provider's discovery document could not be read: %s", exc)
        raise Refused("provider_unreachable") from None
    # RFC 9207: where the provider names itself in the answer, it must be the configured one.
    if "iss" in request.args and request.args["iss"] != meta["issuer"]:
        raise Refused("issuer")
    try:
        token = _client().fetch_token(
            meta["token_endpoint"],
            grant_type="authorization_code",
            code=code,
            code_verifier=pending["verifier"],
            timeout=current_app.config["OIDC_TIMEOUT_SECONDS"],
        )
    except (OAuthError, requests.RequestException, ValueError, KeyError) as exc:
        log.warning("the OIDC token request failed: %s", exc)
        raise Refused("token_request") from None
    id_token = token.get("id_token")
    if not isinstance(id_token, str) or not id_token:
        raise Refused("no_id_token")
    claims = verify_id_token(id_token, nonce=str(pending.get("nonce", "")), issuer=meta["issuer"])
    return _with_userinfo(claims, token, meta), id_token


def verify_id_token(id_token: str, *, nonce: str, issuer: str) -> dict[str, Any]:
    """The ID token's claims, once its signature, issuer, audience, times and nonce hold."""
    try:
        header = jws.extract_compact(id_token.encode("ascii")).protected
    except (JoseError, ValueError, UnicodeError):
        raise Refused("malformed_token") from None
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise Refused("algorithm")
    kid = header.get("kid")
    try:
        keys = _keys(str(kid) if kid is not None else None)
    except (requests.RequestException, ValueError, JoseError) as exc:
        log.warning("the OIDC provider's keys could not be read: %s", exc)
        raise Refused("provider_unreachable") from None
    if kid is not None and _kid_unknown(str(kid)):
        raise Refused("unknown_key")
    try:
        claims = dict(jwt.decode(id_token, keys, algorithms=[alg]).claims)
    except JoseError as exc:
        log.info("the ID token's signature did not hold: %s", exc)
        raise Refused("signature") from None
    _check_claims(claims, nonce=nonce, issuer=issuer)
    return claims


def _kid_unknown(kid: str) -> bool:
    with _lock:
        cached = _cache.get(current_app.config["OIDC_DISCOVERY_URL"])
        return cached is None or kid not in cached.kids


def _check_claims(claims: dict[str, Any], *, nonce: str, issuer: str) -> None:
    config = current_app.config
    client_id = config["OIDC_CLIENT_ID"]
    leeway = config["OIDC_LEEWAY_SECONDS"]
    now = dates.now().timestamp()
    if claims.get("iss") != issuer:
        raise Refused("issuer")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if client_id not in audiences:
        raise Refused("audience")
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise Refused("audience")
    expires = claims.get("exp")
    if not isinstance(expires, int | float) or now > expires + leeway:
        raise Refused("expired")
    issued = claims.get("iat")
    if not isinstance(issued, int | float) or issued > now + leeway:
        raise Refused("issued_at")
    if "nonce" not in claims:
        raise Refused("nonce_missing")
    if not nonce or not hmac.compare_digest(str(claims["nonce"]).encode(), nonce.encode()):
        raise Refused("nonce")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise Refused("no_subject")


def _with_userinfo(
    claims: dict[str, Any], token: dict[str, Any], meta: dict[str, Any]
) -> dict[str, Any]:
    """The ID token's claims, with the userinfo endpoint's where the ID token lacks the
    identifying claim (or the groups claim, when rights follow groups). The userinfo must be
    about the same subject; the ID token's own claims win."""
    config = current_app.config
    wanted = [config["OIDC_IDENTITY_CLAIM"]]
    if config.get("FEDERATION_HR_GROUP") or config.get("FEDERATION_REPORTER_GROUP"):
        wanted.append(config["OIDC_GROUPS_CLAIM"])
    endpoint = meta.get("userinfo_endpoint")
    if all(name in claims for name in wanted) or not endpoint or not token.get("access_token"):
        return claims
    try:
        response = requests.get(
            endpoint,
            headers={"Authorization": f"Bearer {token['access_token']}"},
            timeout=config["OIDC_TIMEOUT_SECONDS"],
        )
        response.raise_for_status()
        info = response.json()
    except (requests.RequestException, ValueError) as exc:
        log.warning("the OIDC userinfo request failed: %s", exc)
        raise Refused("userinfo") from None
    if not isinstance(info, dict) or info.get("sub") != claims["sub"]:
        raise Refused("userinfo")
    return {**info, **claims}


def logout_url(data: dict[str, Any]) -> str | None:
    """The provider's end-session address (RP-initiated logout), back to Värna's login page;
    None when the provider offers none."""
    if not configured():
        return None
    endpoint = metadata().get("end_session_endpoint")
    if not isinstance(endpoint, str) or not endpoint:
        return None
    params = {
        "client_id": current_app.config["OIDC_CLIENT_ID"],
        "post_logout_redirect_uri": url_for("auth.login", _external=True),
    }
    if data.get("id_token_hint"):
        params["id_token_hint"] = data["id_token_hint"]
    return endpoint + ("&" if "?" in endpoint else "?") + urlencode(params)


def form_action_origins() -> list[str]:
    """Origins the logout form's redirect may go to (the CSP's form-action): the provider's."""
    if not configured():
        return []
    urls = [current_app.config["OIDC_DISCOVERY_URL"]]
    with _lock:
        cached = _cache.get(current_app.config["OIDC_DISCOVERY_URL"])
        if cached is not None and cached.metadata.get("end_session_endpoint"):
            urls.append(str(cached.metadata["end_session_endpoint"]))
    origins = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in {"http", "https"} and parts.netloc:
            origin = f"{parts.scheme}://{parts.netloc}"
            if origin not in origins:
                origins.append(origin)
    return origins
