"""The OpenAPI 3.1 description of /api/v1/ (served at /api/v1/openapi.json).

The API answers in codes; the descriptions name each code as Värna's pages and exports do
(app/labels.py, in Swedish).
"""

from __future__ import annotations

from typing import Any

from app import labels
from app.models import CompletionSource, PreventionLevel, Status
from app.reports.coverage import STATUSES


def _codes(names: dict[str, str]) -> str:
    return "; ".join(f"`{code}` = {name}" for code, name in names.items())


def _status_counts() -> dict[str, Any]:
    statuses = labels.swedish(labels.STATUS)
    return {
        "type": "object",
        "properties": {
            **{
                s.value: {
                    "type": "integer",
                    "description": f"requirements (person × course) with status “{statuses[s]}”",
                }
                for s in STATUSES
            },
            "total": {"type": "integer"},
            "covered": {
                "type": "integer",
                "description": f"{statuses[Status.COMPLETED]} + {statuses[Status.EXPIRING]}",
            },
            "coverage": {"type": ["number", "null"], "description": "covered / total, 0–1"},
        },
    }


ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "status": {"type": "integer"},
                "message": {"type": "string"},
                "request_id": {"type": ["string", "null"]},
            },
        }
    },
}


def _errors(*codes: int) -> dict[str, Any]:
    text = {
        400: "Bad parameter",
        401: "No token, or one that is unknown, revoked, expired or whose creator is no longer HR",
        403: "The token's scope does not include this endpoint (or this unit)",
        404: "Not found",
        429: "Too many requests with this token (see Retry-After)",
    }
    return {
        str(c): {
            "description": text[c],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for c in codes
    }


def _ok(schema: dict[str, Any]) -> dict[str, Any]:
    return {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}}}


CURSOR = {
    "name": "cursor",
    "in": "query",
    "schema": {"type": "string"},
    "description": "next_cursor from the previous page",
}
LIMIT = {
    "name": "limit",
    "in": "query",
    "schema": {"type": "integer", "minimum": 1, "maximum": 1000},
}


def document() -> dict[str, Any]:
    levels = labels.swedish(labels.LEVEL)
    sources = labels.swedish(labels.SOURCE)
    prevention = labels.swedish(labels.PREVENTION)
    page = lambda item: {  # noqa: E731
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": item},
            "next_cursor": {"type": ["string", "null"]},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Värna API",
            "version": "1",
            "description": (
                "Read-only access to training records, units, courses and coverage. "
                "Tokens are created and revoked by HR (Administration › API-nycklar) and sent as "
                "`Authorization: Bearer <token>` (the scheme in any case). A token is limited to "
                "some endpoints (its scopes: `completions`, `units`, `courses`, `coverage`), "
                "optionally to one unit and the units below it, and to a last day (at most 12 "
                "months ahead); it stops working at once when the HR person who made it is no "
                "longer active HR. Each token is rate limited (429 with Retry-After). Every "
                "coverage figure uses the same definition as the reports. Reads of training "
                "records are audited. Times without an offset are Swedish time (Europe/Stockholm)."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": ERROR,
                "StatusCounts": _status_counts(),
                "Completion": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "recorded_at": {"type": "string", "format": "date-time"},
                        "employee_number": {"type": "string"},
                        "course": {"type": ["string", "null"]},
                        "course_version": {"type": ["string", "null"]},
                        "title": {"type": ["string", "null"]},
                        "completed_at": {"type": "string", "format": "date-time"},
                        "expires_at": {"type": ["string", "null"], "format": "date-time"},
                        "score": {"type": ["integer", "null"]},
                        "source": {
                            "type": "string",
                            "enum": [s.value for s in CompletionSource],
                            "description": "how it was done: " + _codes(sources),
                        },
                        "superseded_by": {"type": ["integer", "null"]},
                    },
                },
                "Unit": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "name": {"type": "string"},
                        "kind": {"type": "string"},
                        "parent": {"type": ["string", "null"]},
                        "depth": {"type": "integer"},
                        "active": {"type": "boolean"},
                    },
                },
                "Course": {
                    "type": "object",
                    "properties": {
                        "slug": {"type": "string"},
                        "title": {"type": "string"},
                        "language": {"type": "string"},
                        "prevention_levels": {
                            "type": "array",
                            "items": {
                                "type": "string",
                                "enum": [p.value for p in PreventionLevel],
                                "description": _codes(prevention),
                            },
                        },
                        "minutes": {"type": "integer"},
                        "valid_months": {"type": ["integer", "null"]},
                        "current_version": {"type": ["string", "null"]},
                        "active": {"type": "boolean"},
                    },
                },
            },
        },
        "paths": {
            "/completions": {
                "get": {
                    "summary": "Completions recorded since a time, oldest first",
                    "parameters": [
                        {
                            "name": "since",
                            "in": "query",
                            "schema": {"type": "string", "format": "date-time", "minLength": 1},
                            "description": (
                                "ISO 8601 time, e.g. `2026-01-01T00:00:00Z`. Without an offset "
                                "(`2026-01-01T00:00:00`, or a date alone) it is read as Swedish "
                                "time (Europe/Stockholm), so midnight is Swedish midnight. "
                                "Empty: 400."
                            ),
                        },
                        CURSOR,
                        LIMIT,
                    ],
                    "responses": {
                        **_ok(page({"$ref": "#/components/schemas/Completion"})),
                        **_errors(400, 401, 403, 429),
                    },
                }
            },
            "/units": {
                "get": {
                    "summary": "Organisation units",
                    "parameters": [CURSOR, LIMIT],
                    "responses": {
                        **_ok(page({"$ref": "#/components/schemas/Unit"})),
                        **_errors(400, 401, 403, 429),
                    },
                }
            },
            "/courses": {
                "get": {
                    "summary": "Courses",
                    "responses": {
                        **_ok(
                            {
                                "type": "object",
                                "properties": {
                                    "items": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Course"},
                                    }
                                },
                            }
                        ),
                        **_errors(401, 403, 429),
                    },
                }
            },
            "/units/{code}/coverage": {
                "get": {
                    "summary": "Coverage of a unit and everything below it",
                    "parameters": [
                        {
                            "name": "code",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "on",
                            "in": "query",
                            "schema": {"type": "string", "format": "date", "minLength": 1},
                            "description": "the day (YYYY-MM-DD); absent: today in Sweden. "
                            "Empty: 400.",
                        },
                        {"name": "course", "in": "query", "schema": {"type": "string"}},
                    ],
                    "responses": {
                        **_ok(
                            {
                                "type": "object",
                                "properties": {
                                    "unit": {"type": "string"},
                                    "name": {"type": "string"},
                                    "on": {"type": "string", "format": "date"},
                                    "course": {
                                        "type": ["string", "null"],
                                        "description": "the course asked for, or null: all",
                                    },
                                    "definition": {
                                        "type": "string",
                                        "description": "how coverage is counted, in Swedish",
                                    },
                                    "people": {"type": "integer"},
                                    "total": {"$ref": "#/components/schemas/StatusCounts"},
                                    "by_level": {
                                        "type": "object",
                                        "description": "per staff level, by code: "
                                        + _codes(levels),
                                        "additionalProperties": {
                                            "$ref": "#/components/schemas/StatusCounts"
                                        },
                                    },
                                    "by_course": {
                                        "type": "object",
                                        "additionalProperties": {
                                            "$ref": "#/components/schemas/StatusCounts"
                                        },
                                    },
                                },
                            }
                        ),
                        **_errors(400, 401, 403, 404, 429),
                    },
                }
            },
            "/openapi.json": {
                "get": {"summary": "This document", "security": [], "responses": _ok({})}
            },
        },
    }
