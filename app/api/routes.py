"""/api/v1/: read-only JSON for integration. No token, no data."""

from __future__ import annotations

from functools import wraps
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, g, jsonify, request
from flask_limiter import RateLimitExceeded
from werkzeug.exceptions import HTTPException

from app import dates, org
from app.api import bp, openapi, services
from app.extensions import db, limiter
from app.models import Course

MAX_LIMIT = 1000


def _error(status: int, message: str):
    body = {"error": {"status": status, "message": message, "request_id": g.get("request_id")}}
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="varna"'
    return response


def _token_key() -> str:
    return f"api-token:{g.api_token.id}"


def _rate_limit() -> str:
    return current_app.config["RATELIMIT_API"]


def token_required(scope: str):
    """A live token whose scope includes `scope`; every use counts against its rate limit."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            try:
                token = services.authenticate(db.session, request.headers.get("Authorization"))
            except services.TokenRefused as refused:
                return _error(401, str(refused))
            g.api_token = token
            try:  # Flask-Limiter counts and checks on entering; one count per token
                with limiter.shared_limit(_rate_limit, scope="api-token", key_func=_token_key):
                    pass
            except RateLimitExceeded:
                return _error(
                    429, "För många anrop med den här API-nyckeln. Försök igen om en stund."
                )
            services.touch(db.session, token)
            if scope not in token.scopes:
                db.session.commit()
                return _error(
                    403, f"API-nyckeln gäller inte {scope} (den gäller {', '.join(token.scopes)})."
                )
            try:
                response = view(*args, **kwargs)
            except services.BadRequest as error:
                db.session.rollback()
                services.touch(db.session, token)
                db.session.commit()
                return _error(400, str(error))
            db.session.commit()
            return response

        return wrapped

    return decorator


@bp.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    return _error(error.code or 500, error.description or "")


def _limit(default: int = 100) -> int:
    value = request.args.get("limit", default)
    try:
        n = int(value)
    except ValueError as error:
        raise services.BadRequest("limit: ett heltal 1–1000") from error
    if not 1 <= n <= MAX_LIMIT:
        raise services.BadRequest("limit: ett heltal 1–1000")
    return n


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.document())


@bp.get("/completions")
@token_required("completions")
def completions():
    page = services.read_completions(
        db.session,
        token=g.api_token,
        since=request.args.get("since"),
        cursor=request.args.get("cursor"),
        limit=_limit(),
    )
    return jsonify({"items": page.items, "next_cursor": page.next_cursor})


@bp.get("/units")
@token_required("units")
def units():
    page = services.units_page(
        db.session,
        cursor=request.args.get("cursor"),
        limit=_limit(500),
        within=services.token_unit_path(db.session, g.api_token),
    )
    return jsonify({"items": page.items, "next_cursor": page.next_cursor})


@bp.get("/courses")
@token_required("courses")
def courses():
    return jsonify({"items": services.courses_list(db.session)})


@bp.get("/units/<code>/coverage")
@token_required("coverage")
def unit_coverage(code: str):
    if not code.isprintable():
        abort(404, description="Ingen enhet har den koden.")
    unit = org.unit_by_code(db.session, code)
    if unit is None:
        abort(404, description=f"Ingen enhet har koden '{code}'.")
    within = services.token_unit_path(db.session, g.api_token)
    if within is not None and not unit.path.startswith(within):
        abort(403, description=f"API-nyckeln gäller inte enheten '{code}'.")
    on_arg = request.args.get("on")
    on = services.parse_day(on_arg) if on_arg is not None else dates.today()
    course = None
    if slug := request.args.get("course"):
        if not slug.isprintable():
            raise services.BadRequest("course: ogiltigt värde")
        course = db.session.scalar(sa.select(Course).where(Course.slug == slug))
        if course is None:
            abort(404, description=f"Ingen kurs heter '{slug}'.")
    return jsonify(services.unit_coverage(db.session, unit=unit, on=on, course=course))
