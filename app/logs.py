"""Logging: a request id on every line (and on the error page), JSON lines when asked.

Set LOG_FORMAT=json for one JSON object per line. Personal data and secrets stay
out of the logs: code logs ids, never names, e-mail bodies or passwords.
"""

from __future__ import annotations

import json
import logging
import secrets
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


QUIET_LIBRARIES = ("fontTools", "weasyprint.progress", "xmlschema")


def init_app(app: Flask) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    if app.config.get("LOG_FORMAT") == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    if not app.testing and not any(getattr(h, "_varna", False) for h in root.handlers):
        handler._varna = True  # type: ignore[attr-defined]
        root.addHandler(handler)
        root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    # fontTools logs every subsetting step at INFO (75 lines per PDF), WeasyPrint its
    # progress, already while it is imported, and xmlschema (under pysaml2, SAML sign-in)
    # each schema it loads: only their warnings reach the log.
    for noisy in QUIET_LIBRARIES:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Records that reach other handlers (e.g. pytest's) carry the id too.
    for existing in root.handlers:
        if not any(isinstance(f, RequestIdFilter) for f in existing.filters):
            existing.addFilter(RequestIdFilter())

    @app.before_request
    def assign_request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        trusted = app.config.get("TRUSTED_PROXIES") and incoming.isalnum() and len(incoming) <= 64
        g.request_id = incoming if trusted else secrets.token_hex(8)

    @app.after_request
    def echo_request_id(response):
        if "request_id" in g:
            response.headers["X-Request-ID"] = g.request_id
        return response
