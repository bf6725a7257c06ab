"""The test identity provider: pysaml2's Server with its own key, and the people it knows."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, class_name
from saml2.config import IdPConfig
from saml2.s_utils import sid
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.samlp import response_from_string
from saml2.server import Server
from saml2.sigver import pre_signature_part
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

# The people the identity provider knows (the login form lists them).
USERS: dict[str, dict[str, list[str]]] = {
    "mia": {"email": ["Mia@K.se"], "employeeNumber": ["E-1001"], "groups": ["personal"]},
    "ola": {"email": ["ola@k.se"], "employeeNumber": ["E-1002"], "groups": ["personal"]},
    "nils": {"email": ["nils@k.se"], "employeeNumber": ["E-1003"], "groups": []},
}


def make_keypair(folder: Path, name: str) -> tuple[Path, Path]:
    """A fresh self-signed RSA key and certificate (openssl), made at test time."""
    folder.mkdir(parents=True, exist_ok=True)
    key, cert = folder / f"{name}.key", folder / f"{name}.crt"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-sha256",
            "-days",
            "3650",
            "-subj",
            f"/CN={name}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return key, cert


def make_server(base_url: str, key: Path, cert: Path, sp_metadata: str | None) -> Server:
    """pysaml2's IdP at base_url; it trusts the SP whose metadata it is given."""
    settings: dict[str, Any] = {
        "entityid": base_url + "/metadata",
        "xmlsec_binary": shutil.which("xmlsec1"),
        "key_file": str(key),
        "cert_file": str(cert),
        "accepted_time_diff": 60,
        "delete_tmpfiles": True,
        "service": {
            "idp": {
                "name": "Test-IdP",
                "endpoints": {
                    "single_sign_on_service": [(base_url + "/sso", BINDING_HTTP_REDIRECT)],
                    "single_logout_service": [(base_url + "/slo", BINDING_HTTP_REDIRECT)],
                },
                "policy": {
                    "default": {
                        "lifetime": {"minutes": 5},
                        "attribute_restrictions": None,
                        "name_form": NAME_FORMAT_BASIC,
                    }
                },
                "want_authn_requests_signed": True,
                "sign_assertion": True,
                "sign_response": False,
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "signing_algorithm": SIG_RSA_SHA256,
                "digest_algorithm": DIGEST_SHA256,
            }
        },
    }
    if sp_metadata:
        settings["metadata"] = {"inline": [sp_metadata]}
    config = IdPConfig()
    config.load(settings)
    return Server(config=config)


def metadata_xml(server: Server) -> str:
    from saml2.metadata import create_metadata_string

    return create_metadata_string(None, config=server.config, valid=None).decode("utf-8")


def name_id_for(user: str) -> NameID:
    return NameID(format=NAMEID_FORMAT_PERSISTENT, text=f"idp-{user}-0001")


def authn_response(
    server: Server,
    user: str,
    *,
    in_response_to: str,
    acs: str,
    sp_entity_id: str,
    sign: bool = True,
    audience: str | None = None,
    recipient: str | None = None,
    destination: str | None = None,
    session_index: str | None = None,
) -> str:
    """A Response (XML) for `user`. By default as a real IdP makes it; the keywords change
    the assertion *before* it is signed (audience, recipient), or leave it unsigned."""
    authn = {"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password", "authn_auth": ""}
    xml = str(
        server.create_authn_response(
            dict(USERS[user]),
            in_response_to,
            acs,
            sp_entity_id,
            name_id=name_id_for(user),
            authn=authn,
            sign_assertion=False,
            sign_response=False,
            session_not_on_or_after=None,
        )
    )
    response = response_from_string(xml)
    assertion = response.assertion[0]
    if session_index:
        assertion.authn_statement[0].session_index = session_index
    if audience is not None:
        assertion.conditions.audience_restriction[0].audience[0].text = audience
    if recipient is not None:
        for confirmation in assertion.subject.subject_confirmation:
            confirmation.subject_confirmation_data.recipient = recipient
    if destination is not None:
        response.destination = destination
    if not sign:
        return str(response)
    return sign_assertion(server, response)


def sign_assertion(server: Server, response) -> str:
    assertion = response.assertion[0]
    assertion.signature = pre_signature_part(
        assertion.id, server.sec.my_cert, 1, sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256
    )
    return server.sec.sign_statement(str(response), class_name(assertion), node_id=assertion.id)


def post_form(action: str, saml_response_b64: str, relay_state: str = "") -> str:
    """The HTTP-POST binding page: a form the browser sends on (script), or by its button."""
    from html import escape

    return f"""<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>Skickar dig tillbaka</title>
<script src="/autopost.js" defer></script></head>
<body><main><h1>Skickar dig tillbaka</h1>
<form method="post" action="{escape(action)}" id="saml-post">
<input type="hidden" name="SAMLResponse" value="{escape(saml_response_b64)}">
<input type="hidden" name="RelayState" value="{escape(relay_state)}">
<button type="submit">Fortsätt</button></form></main></body></html>"""


__all__ = [
    "BINDING_HTTP_POST",
    "BINDING_HTTP_REDIRECT",
    "USERS",
    "authn_response",
    "make_keypair",
    "make_server",
    "metadata_xml",
    "post_form",
    "sid",
]
