"""Errors leak nothing and carry a request id; logs carry it too."""

from __future__ import annotations

import json
import logging

from app import create_app
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
