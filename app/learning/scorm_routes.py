"""The course page and the player of a bought-in (SCORM) course, and the commit endpoint.

routes.course and routes.start hand a SCORM version to course_page and start_run here;
the rest of the learner's pages stay as they are. The package runs in an iframe from the
content origin (app/scorm_content.py); the runtime on this page commits to `commit`.
"""

from __future__ import annotations

from flask import abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from wtforms.validators import ValidationError

from app import scorm_content
from app.auth import access
from app.extensions import csrf, db
from app.learning import bp, services
from app.learning import scorm as player
from app.models import Course, CourseVersion

PAGE_TOKEN_SALT = "varna-scorm-commit"  # noqa: S105 - a salt, not a secret


def _page_tokens() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=PAGE_TOKEN_SALT)


def player_version(slug: str) -> CourseVersion | None:
    """The version this learner plays: the one of their unfinished run, else the current one."""
    course = db.session.scalar(db.select(Course).where(Course.slug == slug))
    if course is None or not course.active:
        return None
    current = services.current_version(db.session, slug)
    run = db.session.scalar(
        db.select(CourseVersion)
        .join(player.Attempt, player.Attempt.course_version_id == CourseVersion.id)
        .where(
            CourseVersion.course_id == course.id,
            player.Attempt.employee_id == current_user.id,
            player.Attempt.submitted_at.is_(None),
        )
        .order_by(player.Attempt.id.desc())
        .limit(1)
    )
    version = run if run is not None and player.is_scorm(run) else current
    if version is None or not access.can_take_course(current_user, version):
        return None
    return version


def _support(version: CourseVersion) -> list[dict]:
    own = [
        {"name": c.get("name", ""), "phone": c.get("phone", ""), "text": c.get("hours", "")}
        for c in player.settings(version).get("support", [])
        if isinstance(c, dict)
    ]
    return services.support_contacts(
        current_app.config.get("SUPPORT_CONTACTS", ""),
        own,
        course_lang=version.course.language or "sv",
        ui_lang=str(get_locale()),
    )


def _item_states(version: CourseVersion) -> list[dict]:
    rows = {
        r.item_identifier: r
        for r in player.runtime_rows(db.session, employee_id=current_user.id, version=version)
    }
    states = []
    for number, item in enumerate(player.items(version), start=1):
        row = rows.get(item["identifier"])
        state = "done" if row is not None and row.done else ("started" if row else "new")
        states.append({**item, "number": number, "state": state})
    return states


def _context(version: CourseVersion) -> dict:
    return {
        "version": version,
        "course": version.course,
        "support": _support(version),
        "tel_href": services.tel_href,
        "content_warning": player.settings(version).get("content_warning", ""),
        "items": _item_states(version),
        "content_lang": version.course.language or "sv",
    }


def _next_number(items: list[dict]) -> int:
    for item in items:
        if item["state"] != "done":
            return item["number"]
    return 1


def course_page(version: CourseVersion):
    progress = services.get_progress(db.session, employee_id=current_user.id, version=version)
    run = player.get_run(db.session, employee_id=current_user.id, version=version)
    ctx = _context(version)
    completion = services.completion_for_attempt(db.session, run.id) if run else None
    return render_template(
        "learning/scorm_course.html",
        started=bool(progress and progress.warning_accepted and run),
        completion=completion,
        next_number=_next_number(ctx["items"]),
        **ctx,
    )


def start_run(version: CourseVersion):
    try:
        player.start(db.session, employee_id=current_user.id, version=version)
        db.session.commit()
    except IntegrityError:  # another tab started it at the same moment
        db.session.rollback()
        player.start(db.session, employee_id=current_user.id, version=version)
        db.session.commit()
    slug = version.course.slug
    return redirect(
        url_for("learning.scorm_item", slug=slug, number=_next_number(_item_states(version)))
    )


@bp.route("/kurser/<slug>/del/<int:number>")
@login_required
def scorm_item(slug: str, number: int):
    version = player_version(slug)
    if version is None or not player.is_scorm(version):
        abort(404)
    run = player.get_run(db.session, employee_id=current_user.id, version=version)
    progress = services.get_progress(db.session, employee_id=current_user.id, version=version)
    if run is None or progress is None or not progress.warning_accepted:
        return redirect(url_for("learning.course", slug=slug))  # the content warning first
    ctx = _context(version)
    if not 1 <= number <= len(ctx["items"]):
        abort(404)
    item = ctx["items"][number - 1]
    row = next(
        (
            r
            for r in player.runtime_rows(db.session, employee_id=current_user.id, version=version)
            if r.item_identifier == item["identifier"]
        ),
        None,
    )
    config = current_app.config
    content_origin = scorm_content.origin_of(config["SCORM_CONTENT_ORIGIN"])
    token = scorm_content.make_token(
        config["SECRET_KEY"],
        employee_id=current_user.id,
        version_id=version.id,
        package_dir=version.content["package_dir"],
    )
    launch = {
        "scormVersion": player.family(version),
        "contentOrigin": content_origin,
        "shimUrl": f"{content_origin}/shim/{token}",
        "item": {"identifier": item["identifier"], "href": item["href"]},
        "cmi": player.launch_data(version, item, row, learner=current_user),
        "commitUrl": url_for("learning.scorm_commit", slug=slug),
        "pageToken": _page_tokens().dumps([current_user.id, version.id]),
        "csrfToken": generate_csrf(),
    }
    response = current_app.make_response(
        render_template("learning/scorm_player.html", item=item, launch=launch, **ctx)
    )
    response.headers["Content-Security-Policy"] = _player_csp(content_origin)
    return response


def _player_csp(content_origin: str) -> str:
    from app.security import CSP

    return f"{CSP}; frame-src {content_origin}"


def _refuse(message: str, status: int = 400):
    return jsonify({"error": message}), status


@bp.route("/kurser/<slug>/scorm/spara", methods=["POST"])
@csrf.exempt  # checked below: the header (fetch) and the page token (also a beacon's body)
@login_required
def scorm_commit(slug: str):
    limit = int(current_app.config["SCORM_COMMIT_MAX_KB"]) * 1024
    if request.content_length is None or request.content_length > limit:
        return _refuse(
            _(
                "Datan från kursen är för stor (högst %(kb)s kB). Inget har sparats.",
                kb=limit // 1024,
            ),
            413,
        )
    body = request.get_json(silent=True, force=True)
    if not isinstance(body, dict):
        return _refuse(_("Innehållet är inte giltig JSON. Inget har sparats."))
    header = request.headers.get("X-CSRFToken")
    if header is not None:
        try:
            validate_csrf(header)
        except (CSRFError, ValidationError):
            abort(400)
    try:
        employee_id, version_id = _page_tokens().loads(
            str(body.get("page_token", "")),
            max_age=int(current_app.permanent_session_lifetime.total_seconds()),
        )
    except (BadSignature, ValueError, TypeError):
        abort(400)
    if employee_id != current_user.id:
        abort(400)
    version = db.session.get(CourseVersion, version_id)
    if (
        version is None
        or version.course.slug != slug
        or not player.is_scorm(version)
        or not access.can_take_course(current_user, version)
    ):
        abort(404)
    try:
        result = player.commit(
            db.session,
            employee_id=current_user.id,
            version=version,
            item_identifier=str(body.get("item", "")),
            cmi=body.get("cmi"),
        )
    except player.Refused as refused:
        db.session.rollback()
        return _refuse(str(refused))
    except player.NotPlayable:
        db.session.rollback()
        abort(404)
    db.session.commit()
    states = _item_states(version)
    return jsonify(
        {
            "item_done": result.runtime.done,
            "course_done": result.course_done,
            "items": {s["identifier"]: s["state"] for s in states},
        }
    )
