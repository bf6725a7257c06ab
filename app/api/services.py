"""API tokens (stored hashed, shown once) and the API's read models."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import (
    ApiToken,
    Completion,
    Course,
    CourseVersion,
    Employee,
    OrgUnit,
    utcnow,
)
from app.records import audit
from app.reports import coverage, services
from app.reports.coverage import STATUSES, Counts, Scope

PREFIX = "varna_"


def _hash(token: str) -> str:
    # A random 256-bit token needs no slow hash: SHA-256 cannot be reversed or guessed.
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, *, name: str, actor: Employee) -> tuple[ApiToken, str]:
    """A new read-only token; the plain value is returned once and never stored."""
    plain = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name.strip()[:200], token_hash=_hash(plain), created_by_id=actor.id)
    session.add(token)
    session.flush()
    audit(session, actor, "api.token_create", "api_token", token.id, {"name": token.name})
    session.flush()
    return token, plain


def revoke_token(session: Session, *, token: ApiToken, actor: Employee) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit(session, actor, "api.token_revoke", "api_token", token.id, {"name": token.name})
        session.flush()


def authenticate(session: Session, header: str | None) -> ApiToken | None:
    """The live token named by an `Authorization: Bearer …` header, or None."""
    if not header or not header.startswith("Bearer "):
        return None
    plain = header.removeprefix("Bearer ").strip()
    if not plain.startswith(PREFIX):
        return None
    token = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _hash(plain)))
    if token is None or token.revoked_at is not None:
        return None
    return token


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(sa.select(ApiToken).order_by(ApiToken.created_at.desc())))


# --- cursors --------------------------------------------------------------------------------


class BadRequest(ValueError):
    pass


def encode_cursor(*parts: Any) -> str:
    raw = "|".join(str(p) for p in parts)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, n: int) -> list[str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError) as error:
        raise BadRequest("cursor: ogiltig") from error
    parts = raw.split("|")
    if len(parts) != n:
        raise BadRequest("cursor: ogiltig")
    return parts


def parse_timestamp(value: str) -> datetime:
    try:
        ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise BadRequest(f"since: '{value}' är ingen ISO 8601-tidpunkt") from error
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# --- read models ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


def completions_page(
    session: Session, *, since: datetime | None, cursor: str | None, limit: int
) -> Page:
    """Completions recorded at or after `since`, oldest first, paged by (created_at, id).

    Completions are never edited: a correction is a new row, and the row it replaces
    gets `superseded_by`; both come through this feed.
    """
    stmt = (
        sa.select(
            Completion.id,
            Completion.created_at,
            Employee.employee_number,
            Course.slug,
            CourseVersion.version,
            Completion.title,
            Completion.completed_at,
            Completion.expires_at,
            Completion.score,
            Completion.source,
            Completion.superseded_by_id,
        )
        .join(Employee, Employee.id == Completion.employee_id)
        .outerjoin(Course, Course.id == Completion.course_id)
        .outerjoin(CourseVersion, CourseVersion.id == Completion.course_version_id)
        .order_by(Completion.created_at, Completion.id)
        .limit(limit + 1)
    )
    if since is not None:
        stmt = stmt.where(Completion.created_at >= since)
    if cursor:
        at, last_id = decode_cursor(cursor, 2)
        try:
            after, after_id = parse_timestamp(at), int(last_id)
        except (BadRequest, ValueError) as error:
            raise BadRequest("cursor: ogiltig") from error
        stmt = stmt.where(
            sa.or_(
                Completion.created_at > after,
                sa.and_(Completion.created_at == after, Completion.id > after_id),
            )
        )
    rows = session.execute(stmt).all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = [
        {
            "id": r.id,
            "recorded_at": _iso(r.created_at),
            "employee_number": r.employee_number,
            "course": r.slug,
            "course_version": r.version,
            "title": r.title or None,
            "completed_at": _iso(r.completed_at),
            "expires_at": _iso(r.expires_at),
            "score": r.score,
            "source": r.source,
            "superseded_by": r.superseded_by_id,
        }
        for r in rows
    ]
    next_cursor = encode_cursor(_iso(rows[-1].created_at), rows[-1].id) if more else None
    return Page(items, next_cursor)


def units_page(session: Session, *, cursor: str | None, limit: int) -> Page:
    parent = sa.orm.aliased(OrgUnit)
    stmt = (
        sa.select(OrgUnit, parent.code)
        .outerjoin(parent, parent.id == OrgUnit.parent_id)
        .order_by(OrgUnit.id)
        .limit(limit + 1)
    )
    if cursor:
        (last,) = decode_cursor(cursor, 1)
        if not last.isdigit():
            raise BadRequest("cursor: ogiltig")
        stmt = stmt.where(OrgUnit.id > int(last))
    rows = session.execute(stmt).all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = [
        {
            "code": u.code,
            "name": u.name,
            "kind": u.kind,
            "parent": parent_code,
            "depth": u.depth,
            "active": u.active,
        }
        for u, parent_code in rows
    ]
    return Page(items, encode_cursor(rows[-1][0].id) if more else None)


def courses_list(session: Session) -> list[dict[str, Any]]:
    courses = session.scalars(sa.select(Course).order_by(Course.slug)).all()
    current = dict(
        session.execute(
            sa.select(CourseVersion.course_id, CourseVersion.version).where(
                CourseVersion.is_current.is_(True)
            )
        ).all()
    )
    return [
        {
            "slug": c.slug,
            "title": c.title,
            "language": c.language,
            "prevention_levels": list(c.prevention_levels or []),
            "minutes": c.minutes,
            "valid_months": c.valid_months,
            "current_version": current.get(c.id),
            "active": c.active,
        }
        for c in courses
    ]


def _counts_json(counts: Counts) -> dict[str, Any]:
    return {
        **{s.value: getattr(counts, s.value) for s in STATUSES},
        "total": counts.total,
        "covered": counts.covered,
        "coverage": round(counts.coverage, 6) if counts.coverage is not None else None,
    }


def unit_coverage(
    session: Session, *, unit: OrgUnit, on: date, course: Course | None
) -> dict[str, Any]:
    """Coverage of a unit's subtree: in total, per level and per course (coverage.status_counts)."""
    scope = Scope(unit_paths=[unit.path], course_ids=[course.id] if course else None)
    rows = coverage.status_counts(session, on=on, group_by=("level", "course"), scope=scope)
    slugs = dict(session.execute(sa.select(Course.id, Course.slug)).all())
    by_level: dict[str, Counts] = {}
    by_course: dict[str, Counts] = {}
    total = Counts()
    for row in rows:
        level, course_id = row.key
        by_level[level] = by_level.get(level, Counts()) + row.counts
        slug = slugs.get(course_id, str(course_id))
        by_course[slug] = by_course.get(slug, Counts()) + row.counts
        total = total + row.counts
    people = coverage.people_counts(session, on=on, scope=scope)
    return {
        "unit": unit.code,
        "name": unit.name,
        "on": on.isoformat(),
        "course": course.slug if course else None,
        "definition": str(services.DEFINITION),
        "people": sum(people.values()),
        "total": _counts_json(total),
        "by_level": {k: _counts_json(v) for k, v in sorted(by_level.items())},
        "by_course": {k: _counts_json(v) for k, v in sorted(by_course.items())},
    }


def touch(session: Session, token: ApiToken) -> None:
    token.last_used_at = utcnow()


def read_completions(
    session: Session, *, token: ApiToken, since: str | None, cursor: str | None, limit: int
) -> Page:
    """The completions feed as a token reads it (`since` as the caller wrote it).

    Personal data leaves through the API too: each read is an audit event in the
    name of the HR person who made the token.
    """
    page = completions_page(
        session, since=parse_timestamp(since) if since else None, cursor=cursor, limit=limit
    )
    audit(
        session,
        None,
        "api.completions",
        "api_token",
        token.id,
        {"since": since, "cursor": bool(cursor), "rows": len(page.items)},
        actor_id=token.created_by_id,
    )
    return page
