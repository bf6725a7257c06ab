"""Security headers on every response and the refusal of control characters in what a
request sends. The idle timeout of a session is in app/sessions.py."""

from __future__ import annotations

import math
import re

from flask import Flask, Response, has_request_context, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import BadRequest

from app import args
from app.errors import error_response

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


def content_security_policy() -> str:
    """CSP, with the identity provider's origin in form-action where one is configured: the
    logout form's answer redirects on to the provider's logout (app/auth/federation.py), and
    browsers hold a form's redirects to form-action too."""
    from app.auth import federation

    extra = federation.form_action_origins() if has_request_context() else []
    return CSP + "".join(f" {origin}" for origin in extra)


# The C0 control characters except tab, line feed and carriage return. No field, query
# parameter or address of Värna needs one: in a field or parameter they are a 400 that
# names the field, in the address a 404. NUL cannot be stored in PostgreSQL at all (it
# raised DataError, a 500, where SQLite stored the byte silently); the others are
# invisible and only arrive by mistake or on purpose. DEL and C1 controls are let through:
# PostgreSQL stores them and they do not end up in a form by a slip of the hand.
# Lone surrogates (U+D800–U+DFFF) are no characters at all: no database can encode one.
# A query string or form cannot carry one (its bytes are decoded with replacement), a
# JSON body can ("\ud800").
REFUSED_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
SHOWN_NAME_LENGTH = 60
# A number in a JSON body beyond what an id column holds (PostgreSQL's integer), NaN or
# infinite, is refused like a control character: no field of Värna needs one, and the
# database would raise.
LARGEST_NUMBER = args.MAX_ID


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


def refused_json_field() -> tuple[str, str | None] | None:
    """(field path, character) of the first refused string in a JSON body, (path, None) for
    a number no column holds (too big, NaN, infinite); ("", None) for a body that is no JSON.

    Walked without recursion: the parser has already bounded the depth.
    """
    try:
        body = request.get_json(silent=False)  # cached for the view
    except (BadRequest, RecursionError):
        return "", None
    stack: list[tuple[str, object]] = [("", body)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                name = f"{path}.{key}" if path else key
                if found := REFUSED_CHARACTER.search(key):
                    return name, found.group()
                stack.append((name, item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
        elif isinstance(value, str):
            if found := REFUSED_CHARACTER.search(value):
                return path or "JSON", found.group()
        elif _unreceivable_number(value):
            return path or "JSON", None
    return None


def _unreceivable_number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) > LARGEST_NUMBER
    return isinstance(value, float) and not math.isfinite(value)


def character_name(character: str) -> str:
    return "NUL" if character == "\x00" else f"U+{ord(character):04X}"


def shown_name(name: str) -> str:
    """A field name that can be shown: control characters written out, long names cut."""
    shown = REFUSED_CHARACTER.sub(_written_out, name)
    return shown if len(shown) <= SHOWN_NAME_LENGTH else shown[: SHOWN_NAME_LENGTH - 1] + "…"


def _written_out(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def refusal_message(field: str, character: str | None) -> str:
    if not field and character is None:
        return _("Innehållet är inte giltig JSON. Inget har ändrats.")
    if character is None:
        return _(
            "Fältet ”%(field)s” innehåller ett tal som inte kan tas emot. Inget har ändrats.",
            field=shown_name(field),
        )
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
        if found is None and request.is_json and request.method in ("POST", "PUT", "PATCH"):
            found = refused_json_field()
        if found is None:
            return None
        return error_response(400, refusal_message(*found))

    @app.after_request
    def set_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
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
