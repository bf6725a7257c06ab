"""Error pages in Swedish that leak nothing; JSON errors for the API."""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db, limiter

log = logging.getLogger(__name__)


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (
            _("Felaktig begäran"),
            _("Formuläret kunde inte tas emot. Ladda om sidan och försök igen."),
        ),
        403: (_("Du har inte behörighet"), _("Du har inte behörighet att se den här sidan.")),
        404: (_("Sidan finns inte"), _("Sidan du söker finns inte eller har flyttats.")),
        405: (_("Otillåten metod"), _("Sidan kan inte användas på det sättet.")),
        413: (_("För stor fil"), _("Filen är för stor för att tas emot.")),
        429: (
            _("För många försök"),
            _("Du har gjort för många försök. Vänta en stund och försök igen."),
        ),
        500: (
            _("Något gick fel"),
            _("Ett oväntat fel inträffade. Felet är loggat. Försök igen om en stund."),
        ),
    }


def _render(code: int, detail: str | None = None):
    title, message = _messages().get(code, _messages()[500])
    if request.path.startswith("/api/"):
        body = {"status": code, "message": detail or message, "request_id": g.get("request_id")}
        return jsonify({"error": body}), code
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


def error_response(code: int, detail: str | None = None):
    """The error page (JSON under /api/), for a hook that refuses; detail replaces the message."""
    return _render(code, detail)


def _too_many_message() -> str:
    limit = limiter.current_limit
    if limit is None:
        return _("Du har gjort för många försök. Försök igen om en stund.")
    minutes = max(1, math.ceil((limit.reset_at - time.time()) / 60))
    return ngettext(
        "Du har gjort för många försök. Försök igen om %(num)s minut.",
        "Du har gjort för många försök. Försök igen om %(num)s minuter.",
        minutes,
    )


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _render(
            400,
            _(
                "Formulärets säkerhetstoken saknas eller har gått ut. Ladda om sidan och försök igen."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code == 429:
            return _render(429, _too_many_message())
        return _render(code if code in _messages() else 500)

    @app.errorhandler(Exception)
    def unhandled(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return _render(InternalServerError.code)
