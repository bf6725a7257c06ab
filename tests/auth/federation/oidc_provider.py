"""A real OpenID Connect provider for the tests: panva/oidc-provider (npm, pinned in
tests/idp/oidc/package-lock.json, installed by `make idp`), run by Node as its own process
on a free port. Its login and consent pages are the provider's own (any password works)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests import clock

IDP_DIR = Path(__file__).resolve().parents[2] / "idp" / "oidc"
CLIENT_ID = "varna-test"
CLIENT_SECRET = "en-hemlighet-bara-for-testerna-0123456789"
START_TIMEOUT_SECONDS = 60

# The provider's people: the login (typed into its form) is the e-mail address.
ACCOUNTS = {
    "anna.berg@kommun.se": {"email": "Anna.Berg@kommun.se", "name": "Anna Berg"},
    "okand@kommun.se": {"email": "okand@kommun.se", "name": "Okänd Person"},
    "slutat@kommun.se": {"email": "slutat@kommun.se", "name": "Sara Slutat"},
    "hr.chef@kommun.se": {
        "email": "hr.chef@kommun.se",
        "name": "Hanna HR",
        "groups": ["varna-hr"],
    },
}


@dataclass(frozen=True)
class OidcProvider:
    issuer: str
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET

    @property
    def discovery_url(self) -> str:
        return self.issuer + "/.well-known/openid-configuration"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(redirect_base: str) -> Iterator[OidcProvider]:
    node = shutil.which("node")
    if node is None:
        pytest.fail(
            "OIDC-testerna kräver Node.js (kommandot 'node' saknas): installera Debian-paketet "
            "nodejs, och kör `make idp`."
        )
    if not (IDP_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.fail(f"oidc-provider saknas i {IDP_DIR}/node_modules: kör `make idp`.")
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    client = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [redirect_base + "/logga-in/oidc/retur"],
        "post_logout_redirect_uris": [redirect_base + "/logga-in"],
    }
    env = {
        **os.environ,
        "OIDC_TEST_PORT": str(port),
        "OIDC_TEST_ISSUER": issuer,
        "OIDC_TEST_CLIENT": json.dumps(client),
        "OIDC_TEST_ACCOUNTS": json.dumps(ACCOUNTS),
        "OIDC_TEST_CLOCK_SHIFT_MS": str(int(clock.offset_seconds() * 1000)),
    }
    log = tempfile.TemporaryFile()  # noqa: SIM115 - read when the provider fails to start
    process = subprocess.Popen(
        [node, "server.js"], cwd=IDP_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    provider = OidcProvider(issuer=issuer)
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            try:
                if requests.get(provider.discovery_url, timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(
                    "oidc-provider startade inte:\n" + log.read().decode("utf-8", "replace")
                )
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.1)  # between two polls; returns at once if it exits
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
