"""HR's pages for bought-in courses: "Köpta kurser (SCORM)". Registered on the admin blueprint.

The upload may be larger than other forms (MAX_CONTENT_LENGTH): SCORM_MAX_UPLOAD_MB
applies to that one request, and only for HR (the limit is raised before the form
is read, which happens in the CSRF check, before any view).
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import bp
from app.admin.scorm.forms import SettingsForm, UploadForm, support_text
from app.auth import access
from app.courses import scorm
from app.extensions import db
from app.models import Course, CourseKind, CourseVersion

MB = 1024 * 1024


@bp.url_value_preprocessor
def _bigger_upload_for_packages(endpoint: str | None, values: dict | None) -> None:
    if (
        endpoint == "admin.scorm_courses"
        and request.method == "POST"
        and access.can_administer(current_user)
    ):
        request.max_content_length = int(current_app.config["SCORM_MAX_UPLOAD_MB"]) * MB


@bp.route("/scorm", methods=["GET", "POST"])
def scorm_courses():
    form = UploadForm()
    status = 200
    if form.validate_on_submit():
        upload = form.package.data
        name = (upload.filename or "paket.zip").replace("\\", "/").rsplit("/", 1)[-1][:200]
        try:
            result = scorm.import_package(
                db.session, upload.stream, actor=current_user._get_current_object(), filename=name
            )
            db.session.commit()
        except scorm.PackageRefused as exc:
            db.session.rollback()
            form.package.errors.append(exc.message)
            status = 422
        else:
            flash(result.message, "success")
            return redirect(url_for("admin.scorm_settings", course_id=result.course.id))
    elif form.is_submitted():
        status = 422
    courses = scorm.scorm_courses(db.session)
    current = {c.id: scorm.current_version(db.session, c) for c in courses}
    return (
        render_template("admin/scorm/index.html", form=form, courses=courses, current=current),
        status,
    )


@bp.route("/scorm/<int:course_id>", methods=["GET", "POST"])
def scorm_settings(course_id: int):
    course = db.session.get(Course, course_id)
    if course is None or course.kind != CourseKind.SCORM.value:
        abort(404)
    saved = scorm.settings_of(db.session, course)
    form = SettingsForm()
    if not form.is_submitted():
        form.summary.data = saved.summary
        form.minutes.data = saved.minutes
        form.levels.data = list(saved.levels)
        form.prevention_levels.data = list(saved.prevention_levels)
        form.valid_months.data = saved.valid_months
        form.content_warning.data = saved.content_warning
        form.support.data = support_text(saved.support)
    status = 200
    if form.validate_on_submit():
        settings = scorm.CourseSettings(
            summary=(form.summary.data or "").strip(),
            minutes=form.minutes.data or 0,
            levels=tuple(form.levels.data or ()),
            prevention_levels=tuple(form.prevention_levels.data or ()),
            valid_months=form.valid_months.data,
            content_warning=(form.content_warning.data or "").strip(),
            support=form.support_contacts,
        )
        changed = scorm.update_settings(
            db.session, course, settings, actor=current_user._get_current_object()
        )
        db.session.commit()
        flash(_("Uppgifterna är sparade.") if changed else _("Inget ändrades."), "success")
        return redirect(url_for("admin.scorm_settings", course_id=course.id))
    if form.is_submitted():
        status = 422
    versions = db.session.scalars(
        db.select(CourseVersion)
        .where(CourseVersion.course_id == course.id)
        .order_by(CourseVersion.id.desc())
    ).all()
    return (
        render_template("admin/scorm/settings.html", form=form, course=course, versions=versions),
        status,
    )
