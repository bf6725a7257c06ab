"""Errors leak nothing and carry a request id; logs carry it too."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from flask import abort, request
from werkzeug.exceptions import NotImplemented, UnprocessableEntity  # noqa: A004

from app import create_app
from app.extensions import csrf
from app.logs import JsonFormatter, RequestIdFilter


def _app_with_a_broken_page(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})

    @app.route("/trasig")
    def broken():
        raise RuntimeError("hemlig detalj: lösenord=abc")

    @app.route("/api/v1/trasig")
    def broken_api():
        raise RuntimeError("hemlig detalj")

    return app


def test_an_unexpected_error_is_a_swedish_500_without_a_stack_trace(database_url, caplog):
    app = _app_with_a_broken_page(database_url)
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/trasig")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Något gick fel" in html
    assert "hemlig detalj" not in html
    assert "Traceback" not in html
    request_id = response.headers["X-Request-ID"]
    assert request_id in html
    # the log has the details, with the same request id
    record = next(r for r in caplog.records if "unhandled error" in r.getMessage())
    assert record.request_id == request_id


def test_api_errors_are_json(database_url):
    app = _app_with_a_broken_page(database_url)
    response = app.test_client().get("/api/v1/trasig")
    assert response.status_code == 500
    body = response.get_json()
    assert body["error"]["status"] == 500
    assert body["error"]["request_id"] == response.headers["X-Request-ID"]
    assert "hemlig" not in response.get_data(as_text=True)


def test_not_found_is_swedish(client):
    response = client.get("/finns/inte")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.get_data(as_text=True)


def test_json_log_lines(app):
    record = logging.LogRecord("app.x", logging.INFO, __file__, 1, "importerade %s", (3,), None)
    RequestIdFilter().filter(record)
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["message"] == "importerade 3"
    assert entry["request_id"] == "-"
    assert entry["level"] == "INFO"


# --- werkzeug's refusals keep their status and headers (issue 15) -----------------------------


def _app_with_refusals(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})

    @app.route("/tekanna")
    def teapot():
        abort(418)

    @app.route("/ej-gjort")
    def not_implemented():
        raise NotImplemented()  # noqa: F901 (werkzeug's 501, not Python's constant)

    @app.route("/api/v1/ej-gjort")
    def api_not_implemented():
        raise UnprocessableEntity()

    @app.route("/json", methods=["POST"])
    @csrf.exempt
    def reads_json():
        return {"n": len(request.get_json())}

    return app


def test_a_range_beyond_the_end_of_a_static_file_is_416_not_500(client):
    """Was a 500: an unknown status became 'Något gick fel'."""
    size = len(client.get("/static/favicon.svg").data)
    response = client.get("/static/favicon.svg", headers={"Range": f"bytes={size + 10}-"})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{size}"
    assert "Något gick fel" not in response.get_data(as_text=True)
    # a range inside the file is still served
    assert client.get("/static/favicon.svg", headers={"Range": "bytes=0-9"}).status_code == 206


def test_a_wrong_method_is_405_with_its_allow_header(client):
    response = client.put("/logga-in")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
    assert "Otillåten metod" in response.get_data(as_text=True)


def test_an_http_error_with_no_swedish_page_of_its_own_keeps_its_status(database_url):
    client = _app_with_refusals(database_url).test_client()
    teapot = client.get("/tekanna")
    assert teapot.status_code == 418
    assert "Begäran kunde inte utföras" in teapot.get_data(as_text=True)
    assert teapot.headers["X-Request-ID"] in teapot.get_data(as_text=True)
    assert client.get("/ej-gjort").status_code == 501
    api = client.get("/api/v1/ej-gjort")
    assert api.status_code == 422
    assert api.get_json()["error"]["status"] == 422
    # a body that is not JSON is the client's mistake: 400 (or 415), never 500
    broken = client.post("/json", data="{inte json", content_type="application/json")
    assert broken.status_code == 400
    assert client.post("/json", data="x", content_type="text/plain").status_code == 415


def test_starting_the_app_logs_no_pdf_library_progress(tmp_path):
    """WeasyPrint logs its progress at INFO while it is imported, fontTools every font
    subsetting step, and xmlschema (pysaml2's) every schema it loads: a server or a cron
    command starts without that noise."""
    env = {
        **os.environ,
        "VARNA_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'varna.db'}",
        "LOG_LEVEL": "INFO",
    }
    env.pop("VARNA_TEST_CLOCK", None)
    started = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "from app import create_app; create_app()"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "weasyprint" not in started.stderr
    assert "fontTools" not in started.stderr
    assert "xmlschema" not in started.stderr
