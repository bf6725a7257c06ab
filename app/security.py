"""Security headers on every response, the idle timeout of a session, and the
refusal of control characters in what a request sends."""

from __future__ import annotations

import re
import time

from flask import Flask, Response, current_app, request, session
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from app import args
from app.errors import error_response

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


# The C0 control characters except tab, line feed and carriage return. No field, query
# parameter or address of Värna needs one: in a field or parameter they are a 400 that
# names the field, in the address a 404. NUL cannot be stored in PostgreSQL at all (it
# raised DataError, a 500, where SQLite stored the byte silently); the others are
# invisible and only arrive by mistake or on purpose. DEL and C1 controls are let through:
# PostgreSQL stores them and they do not end up in a form by a slip of the hand.
REFUSED_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
SHOWN_NAME_LENGTH = 60


def refused_field() -> tuple[str, str] | None:
    """(field name, character) of the first refused character in the query string or form.

    Keys count as well as values. Uploaded files (request.files) are not looked at: the
    HR import reads their contents itself and reports problems by line and column.
    """
    for source in (request.args, request.form):
        for key, values in source.lists():
            for text in (key, *values):
                if found := REFUSED_CHARACTER.search(text):
                    return key, found.group()
    return None


def character_name(character: str) -> str:
    return "NUL" if character == "\x00" else f"U+{ord(character):04X}"


def shown_name(name: str) -> str:
    """A field name that can be shown: control characters written out, long names cut."""
    shown = REFUSED_CHARACTER.sub(lambda m: f"\\x{ord(m.group()):02x}", name)
    return shown if len(shown) <= SHOWN_NAME_LENGTH else shown[: SHOWN_NAME_LENGTH - 1] + "…"


def refusal_message(field: str, character: str) -> str:
    return _(
        "Fältet ”%(field)s” innehåller ett otillåtet tecken (%(character)s). Inget har ändrats.",
        field=shown_name(field),
        character=character_name(character),
    )


def init_app(app: Flask) -> None:
    # Before the blueprints are registered: every <int:id> in an address is bounded.
    app.url_map.converters["int"] = args.IdConverter

    @app.before_request
    def refuse_control_characters() -> Response | None:
        """Before any view runs, so nothing is read from or written to the database."""
        if REFUSED_CHARACTER.search(request.path):
            # Slugs, unit codes and tokens are printable: no page has such an address.
            return error_response(404)
        found = refused_field()
        if found is None:
            return None
        return error_response(400, refusal_message(*found))

    @app.after_request
    def set_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        if request.endpoint != "static" and getattr(current_user, "is_authenticated", False):
            # Set, not defaulted: send_file's own "no-cache" (an uploaded certificate)
            # still lets the browser store a person's file on a shared computer.
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.before_request
    def idle_timeout() -> None:
        if request.endpoint == "static" or not current_user.is_authenticated:
            return
        now = int(time.time())
        last = session.get("seen")
        started = session.get("login_at")
        idle_limit = current_app.config["SESSION_IDLE_MINUTES"] * 60
        absolute_limit = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
        idle = isinstance(last, int) and now - last > idle_limit
        too_old = not isinstance(started, int) or now - started > absolute_limit
        if idle or too_old:
            logout_user()
            session.clear()
            return
        session["seen"] = now
        session.permanent = True
