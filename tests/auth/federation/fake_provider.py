"""A small OpenID Connect provider in a thread, for the refusals that need a token no honest
provider would issue: it signs whatever ID token a test asks for, with keys the test
chooses. Its token endpoint checks the client's secret, the code and the PKCE verifier
(S256) as a real provider does. The journeys run against the real one (oidc_provider.py)."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

CLIENT_ID = "varna-falsk"
CLIENT_SECRET = "falsk-hemlighet-0123456789"


def new_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


@dataclass
class FakeProvider:
    issuer: str = ""
    keys: list[RSAKey] = field(default_factory=lambda: [new_key("nyckel-1")])
    jwks_requests: int = 0
    # The next login: the code the browser brings back, the challenge it was given, and
    # what the token endpoint answers: a function of the nonce the login was started with.
    code: str = "kod-123"
    challenge: str | None = None
    nonce: str | None = None
    id_token: Callable[[str], str] | None = None
    token_requests: list[dict[str, str]] = field(default_factory=list)

    @property
    def discovery_url(self) -> str:
        return self.issuer + "/.well-known/openid-configuration"

    def claims(self, nonce: str | None, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": "anvandare-1",
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "email": "anna.berg@kommun.se",
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def sign(self, claims: dict[str, Any], key: RSAKey | None = None, alg: str = "RS256") -> str:
        key = key or self.keys[0]
        return jwt.encode({"alg": alg, "kid": key.kid}, claims, key)

    def wsgi(self, environ, start_response):
        request = Request(environ)
        response = self._answer(request)
        return response(environ, start_response)

    def _answer(self, request: Request) -> Response:
        if request.path == "/.well-known/openid-configuration":
            return _json(
                {
                    "issuer": self.issuer,
                    "authorization_endpoint": self.issuer + "/authorize",
                    "token_endpoint": self.issuer + "/token",
                    "jwks_uri": self.issuer + "/jwks",
                    "end_session_endpoint": self.issuer + "/logout",
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "code_challenge_methods_supported": ["S256"],
                }
            )
        if request.path == "/jwks":
            self.jwks_requests += 1
            return _json({"keys": [k.as_dict(private=False) for k in self.keys]})
        if request.path == "/token" and request.method == "POST":
            return self._token(request)
        return Response("not found", status=404)

    def _token(self, request: Request) -> Response:
        form = request.form.to_dict()
        self.token_requests.append(form)
        auth = request.authorization
        if auth is None or (auth.username, auth.password) != (CLIENT_ID, CLIENT_SECRET):
            return _json({"error": "invalid_client"}, 401)
        verifier = form.get("code_verifier", "")
        digest = hashlib.sha256(verifier.encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if form.get("code") != self.code or challenge != self.challenge:
            return _json({"error": "invalid_grant"}, 400)
        assert self.id_token is not None
        return _json(
            {
                "access_token": "at-" + self.code,
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self.id_token(self.nonce or ""),
            }
        )


def _json(data: dict, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, mimetype="application/json")


def serve() -> tuple[FakeProvider, Callable[[], None]]:
    provider = FakeProvider()
    server = make_server("127.0.0.1", 0, provider.wsgi, threaded=True)
    provider.issuer = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        thread.join(timeout=5)

    return provider, stop
