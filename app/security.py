"""Security headers on every response, and the idle timeout of a session."""

from __future__ import annotations

import time

from flask import Flask, Response, current_app, request, session
from flask_login import current_user, logout_user

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


def init_app(app: Flask) -> None:
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
