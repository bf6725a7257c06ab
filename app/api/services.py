"""API tokens (stored hashed, shown once) and the API's read models."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import args, dates
from app.auth import access
from app.models import (
    ApiToken,
    Completion,
    Course,
    CourseVersion,
    Employee,
    OrgUnit,
    utcnow,
)
from app.org import in_subtrees
from app.records import audit
from app.reports import coverage, services
from app.reports.coverage import STATUSES, Counts, Scope

PREFIX = "varna_"
MAX_MONTHS = 12  # the longest a token may live

# What a token may read: one scope per endpoint. Only "completions" names people.
SCOPES = ("completions", "units", "courses", "coverage")


def _hash(token: str) -> str:
    # A random 256-bit token needs no slow hash: SHA-256 cannot be reversed or guessed.
    return hashlib.sha256(token.encode()).hexdigest()


class TokenRefused(ValueError):
    """A token that exists but may not be used now; the message says why (in Swedish)."""


def latest_expiry(today: date) -> date:
    return dates.add_months(today, MAX_MONTHS)


def create_token(
    session: Session,
    *,
    name: str,
    actor: Employee,
    expires_on: date | None = None,
    scopes: Iterable[str] = SCOPES,
    unit: OrgUnit | None = None,
) -> tuple[ApiToken, str]:
    """A new read-only token; the plain value is returned once and never stored.

    Without `expires_on` it lives the longest allowed (MAX_MONTHS).
    """
    today = dates.today()
    expires_on = expires_on or latest_expiry(today)
    if not today <= expires_on <= latest_expiry(today):
        raise ValueError(f"expires_on {expires_on} is not within {MAX_MONTHS} months")
    chosen = [s for s in SCOPES if s in set(scopes)]
    if not chosen:
        raise ValueError("a token needs at least one scope")
    plain = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name.strip()[:200],
        token_hash=_hash(plain),
        created_by_id=actor.id,
        expires_on=expires_on,
        scopes=chosen,
        unit_id=unit.id if unit else None,
    )
    session.add(token)
    session.flush()
    audit(
        session,
        actor,
        "api.token_create",
        "api_token",
        token.id,
        {
            "name": token.name,
            "expires_on": expires_on.isoformat(),
            "scopes": chosen,
            "unit": unit.code if unit else None,
        },
    )
    session.flush()
    return token, plain


def revoke_token(session: Session, *, token: ApiToken, actor: Employee) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit(session, actor, "api.token_revoke", "api_token", token.id, {"name": token.name})
        session.flush()


def bearer(header: str | None) -> str | None:
    """The credentials of an `Authorization: Bearer …` header (the scheme in any case)."""
    scheme, _, credentials = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credentials.strip() or None


def refusal(session: Session, token: ApiToken) -> str | None:
    """Why this token may not be used now, or None. Checked on every request."""
    if token.revoked_at is not None:
        return "API-nyckeln är återkallad."
    if dates.today() > token.expires_on:
        return f"API-nyckeln gick ut {token.expires_on.isoformat()}."
    creator = session.get(Employee, token.created_by_id) if token.created_by_id else None
    if not access.may_keep_api_tokens(creator):
        return "Den som skapade API-nyckeln har inte längre HR-behörighet."
    return None


def authenticate(session: Session, header: str | None) -> ApiToken:
    """The live token named by the Authorization header; TokenRefused if there is none."""
    plain = bearer(header)
    token = None
    if plain and plain.startswith(PREFIX):
        token = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _hash(plain)))
    if token is None:
        raise TokenRefused("En giltig API-nyckel krävs (Authorization: Bearer …).")
    if problem := refusal(session, token):
        raise TokenRefused(problem)
    return token


def token_unit_path(session: Session, token: ApiToken) -> str | None:
    """The path of the subtree the token is limited to, or None for everything."""
    if token.unit_id is None:
        return None
    return session.scalar(sa.select(OrgUnit.path).where(OrgUnit.id == token.unit_id))


def token_units(session: Session, tokens: Iterable[ApiToken]) -> dict[int, OrgUnit]:
    """The units the tokens are limited to, by id (one query)."""
    ids = {t.unit_id for t in tokens if t.unit_id is not None}
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(sa.select(OrgUnit).where(OrgUnit.id.in_(ids)))}


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


def parse_timestamp(value: str, name: str = "since") -> datetime:
    """An ISO 8601 time; one without an offset (or a bare date) is Swedish time."""
    try:
        ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise BadRequest(f"{name}: '{value}' är ingen ISO 8601-tidpunkt") from error
    return ts if ts.tzinfo else ts.replace(tzinfo=dates.STOCKHOLM)


def parse_day(value: str, name: str = "on") -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise BadRequest(f"{name}: '{value}' är inget datum (ÅÅÅÅ-MM-DD)") from error


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
    session: Session,
    *,
    since: datetime | None,
    cursor: str | None,
    limit: int,
    within: str | None = None,
) -> Page:
    """Completions recorded at or after `since`, oldest first, paged by (created_at, id);
    with `within` (a unit path), only of people whose unit lies in that subtree.

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
    if within is not None:
        unit = sa.orm.aliased(OrgUnit)
        stmt = stmt.join(unit, unit.id == Employee.unit_id).where(in_subtrees(unit.path, [within]))
    if cursor:
        at, last_id = decode_cursor(cursor, 2)
        if not args.is_id(last_id):  # an id too big for the database was a 500
            raise BadRequest("cursor: ogiltig")
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


def units_page(
    session: Session, *, cursor: str | None, limit: int, within: str | None = None
) -> Page:
    """Units by id; with `within` (a unit path), only that subtree."""
    parent = sa.orm.aliased(OrgUnit)
    stmt = (
        sa.select(OrgUnit, parent.code)
        .outerjoin(parent, parent.id == OrgUnit.parent_id)
        .order_by(OrgUnit.id)
        .limit(limit + 1)
    )
    if within is not None:
        stmt = stmt.where(in_subtrees(OrgUnit.path, [within]))
    if cursor:
        (last,) = decode_cursor(cursor, 1)
        if not args.is_id(last):
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
        session,
        since=parse_timestamp(since) if since is not None else None,
        cursor=cursor,
        limit=limit,
        within=token_unit_path(session, token),
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
