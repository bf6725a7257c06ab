"""The test identity provider as its own process: `python -m tests.idp.saml --key K --cert C
--sp-metadata-url URL [--port N] [--port-file F] [--now ISO]`.

A small WSGI app (werkzeug) around pysaml2's Server, on a free port of 127.0.0.1 (written
to --port-file once it listens; served as http://localhost:PORT):

  GET  /metadata    the identity provider's metadata (signing key, SSO and SLO endpoints)
  GET  /sso         a signed AuthnRequest (HTTP-Redirect); its signature is checked, then
                    the login form (choose who you are, or type an e-mail address), or
                    straight back when the IdP
                    already has a session (its cookie)
  POST /sso/login   the chosen person: the IdP's session begins, and a signed assertion goes
                    back by HTTP-POST (a form that autopost.js sends)
  GET  /slo         Värna's signed LogoutRequest: the IdP's session ends, and a signed
                    LogoutResponse goes back to Värna's single logout address
"""

from __future__ import annotations

import argparse
import base64
import secrets
import threading
import traceback
import urllib.request
from html import escape
from pathlib import Path

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.server import Server
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.idp.saml import idp as test_idp

AUTOPOST = 'document.getElementById("saml-post").submit();\n'
COOKIE = "testidp_user"


class TestIdp:
    def __init__(self, key: Path, cert: Path, sp_metadata_url: str) -> None:
        self.key, self.cert, self.sp_metadata_url = key, cert, sp_metadata_url
        self.base_url = ""
        self._server: Server | None = None
        self._lock = threading.Lock()
        self.pending: dict[str, tuple[object, str]] = {}

    def server(self) -> Server:
        """Built at the first login: Värna's SP metadata is read from its public URL."""
        with self._lock:
            if self._server is None:
                with urllib.request.urlopen(self.sp_metadata_url, timeout=10) as answer:  # noqa: S310
                    sp_metadata = answer.read().decode("utf-8")
                self._server = test_idp.make_server(self.base_url, self.key, self.cert, sp_metadata)
            return self._server

    def __call__(self, environ, start_response):
        request = Request(environ)
        try:
            response = self.route(request)
        except Exception as exc:  # the test sees the reason in the page, the log the trace
            traceback.print_exc()
            response = _page("Fel i test-IdP:n", f"<p>{escape(repr(exc))}</p>", 400)
        return response(environ, start_response)

    def route(self, request: Request) -> Response:
        if request.path == "/metadata":
            bare = test_idp.make_server(self.base_url, self.key, self.cert, None)
            return Response(test_idp.metadata_xml(bare), mimetype="application/samlmetadata+xml")
        if request.path == "/autopost.js":
            return Response(AUTOPOST, mimetype="text/javascript")
        if request.path == "/sso":
            return self.sso(request)
        if request.path == "/sso/login" and request.method == "POST":
            return self.login(request)
        if request.path == "/slo":
            return self.slo(request)
        return _page("Hittades inte", "<p>Ingen sådan sida.</p>", 404)

    def sso(self, request: Request) -> Response:
        server = self.server()
        args = request.args
        parsed = server.parse_authn_request(
            args["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=args.get("RelayState"),
            sigalg=args.get("SigAlg"),
            signature=args.get("Signature"),
        )
        if not args.get("Signature"):
            raise ValueError("osignerad AuthnRequest")
        message = parsed.message
        acs = server.config.metadata.assertion_consumer_service(
            message.issuer.text, BINDING_HTTP_POST
        )[0]["location"]
        user = request.cookies.get(COOKIE)
        if user in test_idp.USERS:
            return self.answer(
                user, message.id, acs, message.issuer.text, args.get("RelayState", "")
            )
        key = secrets.token_urlsafe(16)
        self.pending[key] = (message, args.get("RelayState", ""))
        options = "".join(
            f'<p><input type="radio" name="user" id="u-{u}" value="{u}"{" checked" if i == 0 else ""}>'
            f'<label for="u-{u}">{escape(u)} ({escape(a["email"][0])})</label></p>'
            for i, (u, a) in enumerate(test_idp.USERS.items())
        )
        body = (
            '<form method="post" action="/sso/login">'
            f'<input type="hidden" name="key" value="{key}">'
            f"<fieldset><legend>Vem är du?</legend>{options}</fieldset>"
            '<p><label for="email">Eller en annan e-postadress (till exempel en demoinloggning)'
            '</label><br><input type="email" name="email" id="email" autocomplete="off"></p>'
            '<p><button type="submit">Logga in hos test-IdP</button></p></form>'
        )
        return _page("Test-IdP: logga in", body)

    def login(self, request: Request) -> Response:
        message, relay_state = self.pending.pop(request.form["key"])
        user = request.form["user"]
        typed = request.form.get("email", "").strip()
        if typed:  # someone the list does not have: known to the IdP from now on
            user = typed
            test_idp.USERS[user] = {"email": [typed], "employeeNumber": [], "groups": []}
        server = self.server()
        acs = server.config.metadata.assertion_consumer_service(
            message.issuer.text, BINDING_HTTP_POST
        )[0]["location"]
        response = self.answer(user, message.id, acs, message.issuer.text, relay_state)
        response.set_cookie(COOKIE, user, httponly=True, samesite="Lax")
        return response

    def answer(self, user: str, request_id: str, acs: str, sp: str, relay_state: str) -> Response:
        xml = test_idp.authn_response(
            self.server(),
            user,
            in_response_to=request_id,
            acs=acs,
            sp_entity_id=sp,
            session_index=f"sess-{user}-{secrets.token_hex(4)}",
        )
        encoded = base64.b64encode(xml.encode("utf-8")).decode("ascii")
        return Response(test_idp.post_form(acs, encoded, relay_state), mimetype="text/html")

    def slo(self, request: Request) -> Response:
        server = self.server()
        args = request.args
        if not args.get("Signature"):
            raise ValueError("osignerad LogoutRequest")
        parsed = server.parse_logout_request(
            args["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=args.get("RelayState"),
            sigalg=args.get("SigAlg"),
            signature=args.get("Signature"),
        )
        message = parsed.message
        answer = server.create_logout_response(message, [BINDING_HTTP_REDIRECT], sign=False)
        destination = server.config.metadata.single_logout_service(
            message.issuer.text, BINDING_HTTP_REDIRECT, "spsso"
        )[0]["location"]
        info = server.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(answer),
            destination,
            relay_state=args.get("RelayState") or "",
            response=True,
            sign=True,
        )
        response = Response(status=302, headers={"Location": dict(info["headers"])["Location"]})
        response.delete_cookie(COOKIE)
        return response


def _page(title: str, body: str, status: int = 200) -> Response:
    html = (
        '<!doctype html><html lang="sv"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body><main><h1>{escape(title)}</h1>"
        f"{body}</main></body></html>"
    )
    return Response(html, status=status, mimetype="text/html")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.idp.saml")
    parser.add_argument("--key", type=Path, required=True)
    parser.add_argument("--cert", type=Path, required=True)
    parser.add_argument("--sp-metadata-url", required=True)
    parser.add_argument("--port-file", type=Path, help="written once the IdP listens")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--now", help="start the clock here (the suite's moved clock)")
    options = parser.parse_args()
    if options.now:
        from datetime import datetime

        import time_machine

        time_machine.travel(datetime.fromisoformat(options.now), tick=True).start()
    idp = TestIdp(options.key, options.cert, options.sp_metadata_url)
    http = make_server("127.0.0.1", options.port, idp, threaded=True)
    idp.base_url = f"http://localhost:{http.server_port}"
    if options.port_file:
        written = options.port_file.with_suffix(".tmp")
        written.write_text(str(http.server_port))
        written.replace(options.port_file)
    print(f"Test-IdP: {idp.base_url}/metadata", flush=True)  # noqa: T201
    http.serve_forever()


if __name__ == "__main__":
    main()
