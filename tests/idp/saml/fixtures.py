"""Fixtures for SAML: keys made at test time, Värna configured as a service provider of the
test identity provider, and that identity provider in-process (refusals) or as its own
process (the browser journey)."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Flask
from saml2 import BINDING_HTTP_REDIRECT
from saml2.server import Server

from tests.idp.saml import idp as test_idp

ROOT = Path(__file__).resolve().parents[3]
SAML_KEYS = ("SAML_IDP_METADATA", "SAML_SP_CERT", "SAML_SP_KEY", "SAML_SP_ENTITY_ID", "BASE_URL")


@dataclass
class Keys:
    folder: Path
    idp_key: Path
    idp_cert: Path
    sp_key: Path
    sp_cert: Path


@pytest.fixture(scope="session")
def saml_keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    folder = tmp_path_factory.mktemp("saml-keys")
    idp_key, idp_cert = test_idp.make_keypair(folder, "idp")
    sp_key, sp_cert = test_idp.make_keypair(folder, "sp")
    return Keys(folder, idp_key, idp_cert, sp_key, sp_cert)


def configure_sp(app: Flask, keys: Keys, idp_metadata: Path, base_url: str) -> dict:
    """Värna's settings as docs/sign-in.md gives them; returns the earlier values."""
    old = {k: app.config.get(k) for k in SAML_KEYS}
    app.config.update(
        SAML_IDP_METADATA=str(idp_metadata),
        SAML_SP_CERT=str(keys.sp_cert),
        SAML_SP_KEY=str(keys.sp_key),
        SAML_SP_ENTITY_ID=None,
        BASE_URL=base_url,
    )
    return old


def sp_metadata(app: Flask) -> str:
    with app.test_client() as client:
        answer = client.get("/saml/metadata")
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return answer.get_data(as_text=True)


@dataclass
class InProcessIdp:
    """The identity provider's server in this process; the tests post its answers."""

    app: Flask
    server: Server
    acs: str
    sp_entity_id: str
    made: list[str] = field(default_factory=list)

    def start(self, client, next_path: str | None = None) -> str:
        """Värna's start: follow its redirect as the browser would; the IdP checks the
        signed AuthnRequest and returns its id."""
        answer = client.get("/logga-in/saml" + (f"?next={next_path}" if next_path else ""))
        assert answer.status_code == 302, answer.get_data(as_text=True)
        query = parse_qs(urlsplit(answer.headers["Location"]).query)
        request = self.server.parse_authn_request(
            query["SAMLRequest"][0],
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState", [None])[0],
            sigalg=query["SigAlg"][0],
            signature=query["Signature"][0],
        )
        return request.message.id

    def response(self, user: str, in_response_to: str, **tamper) -> str:
        return test_idp.authn_response(
            self.server,
            user,
            in_response_to=in_response_to,
            acs=self.acs,
            sp_entity_id=self.sp_entity_id,
            **tamper,
        )

    @staticmethod
    def post(client, xml: str):
        encoded = base64.b64encode(xml.encode("utf-8")).decode("ascii")
        return client.post("/saml/acs", data={"SAMLResponse": encoded})


@pytest.fixture
def saml_idp(app: Flask, saml_keys: Keys, tmp_path: Path) -> Iterator[InProcessIdp]:
    base = "http://idp.test"
    bare = test_idp.make_server(base, saml_keys.idp_key, saml_keys.idp_cert, None)
    metadata = tmp_path / "idp-metadata.xml"
    metadata.write_text(test_idp.metadata_xml(bare), encoding="utf-8")
    old = configure_sp(app, saml_keys, metadata, "http://localhost")
    try:
        server = test_idp.make_server(base, saml_keys.idp_key, saml_keys.idp_cert, sp_metadata(app))
        yield InProcessIdp(
            app, server, "http://localhost/saml/acs", "http://localhost/saml/metadata"
        )
    finally:
        app.config.update(old)


# --- the identity provider in its own process ------------------------------------------


@dataclass
class IdpProcess:
    base_url: str
    metadata_file: Path
    process: subprocess.Popen


@pytest.fixture(scope="session")
def saml_idp_process(
    live_server: str, saml_keys: Keys, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[IdpProcess]:
    """`python -m tests.idp.saml` on a free port (it picks one and says which); it reads
    Värna's SP metadata from Värna's public URL, as a real identity provider would.
    Served as http://localhost:PORT, another site than Värna's 127.0.0.1: the answer is a
    cross-site POST, as in production."""
    folder = tmp_path_factory.mktemp("saml-idp")
    port_file = folder / "port"
    command = [
        sys.executable, "-W", "ignore:CFB has been moved", "-m", "tests.idp.saml",
        "--key", str(saml_keys.idp_key), "--cert", str(saml_keys.idp_cert),
        "--sp-metadata-url", live_server + "/saml/metadata",
        "--port-file", str(port_file),
    ]  # fmt: skip
    if os.environ.get("VARNA_TEST_CLOCK"):  # the same moved clock as this process
        command += ["--now", datetime.now().astimezone().isoformat()]
    process = subprocess.Popen(command, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        base_url = None
        while time.monotonic() < deadline and process.poll() is None:
            if port_file.exists() and port_file.read_text().strip():
                base_url = f"http://localhost:{port_file.read_text().strip()}"
                try:
                    if requests.get(base_url + "/metadata", timeout=5).status_code == 200:
                        break
                except requests.ConnectionError:
                    pass
            time.sleep(0.05)  # polling the condition, not a wait for time to pass
        else:
            raise RuntimeError("test-IdP:n startade inte")
        metadata = folder / "idp-metadata.xml"
        metadata.write_bytes(requests.get(base_url + "/metadata", timeout=5).content)
        yield IdpProcess(base_url, metadata, process)
    finally:
        process.terminate()
        process.wait(timeout=10)
