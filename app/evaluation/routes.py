"""The pre-test before a course, the anonymous evaluation after it, the follow-up link.

No audit event, log line or flash message here names the person together with an
answer (docs/security.md, "Anonymous course evaluation").
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import dates
from app.evaluation import bp, services
from app.evaluation.texts import EVALUATION, LANG
from app.extensions import db, limiter
from app.learning import services as learning
from app.learning.routes import _course_context, _resume_url, _version_or_404
from app.learning.services import Tampered
from app.models import Course


def release_batches() -> None:
    """After an answer is committed: release full batches, in a transaction of their own."""
    services.release_now(db.session, batch=current_app.config["EVALUATION_BATCH"])


# -- pre-test -------------------------------------------------------------------------


@bp.route("/kurser/<slug>/fortest", methods=["GET", "POST"])
@login_required
def pretest(slug: str):
    version = _version_or_404(slug)
    progress = learning.get_progress(db.session, employee_id=current_user.id, version=version)
    if progress is None or not progress.warning_accepted:  # the content warning comes first
        return redirect(url_for("learning.course", slug=slug))
    count = learning.module_count(version)
    if not services.pretest_pending(db.session, employee_id=current_user.id, version=version):
        return redirect(_resume_url(slug, progress.module_index, count))
    test = services.draw_pretest(
        db.session, employee_id=current_user.id, version=version, variant=progress.variant
    )
    if request.method == "POST":
        form = {key: request.form.getlist(key) for key in request.form if key.startswith("q-")}
        try:
            services.submit_pretest(
                db.session,
                pretest=test,
                version=version,
                form=form,
                skip="hoppa" in request.form,
            )
        except Tampered:
            db.session.rollback()
            abort(400)
        db.session.commit()
        return redirect(_resume_url(slug, progress.module_index, count), code=303)
    db.session.commit()
    ctx = _course_context(version, progress.variant)
    titles = ctx["content"].get("objectives") or {}
    objectives = version.content.get("question_objectives", {})
    questions = [
        {**q, "objective_title": titles.get(objectives.get(q["id"], ""), "")}
        for q in services.pretest_questions(test, version)
    ]
    return render_template("evaluation/pretest.html", pretest=test, questions=questions, **ctx)


# -- anonymous evaluation --------------------------------------------------------------


@bp.route("/utvardering/<int:completion_id>", methods=["GET", "POST"])
@login_required
def evaluate(completion_id: int):
    try:
        completion = services.offered_completion(
            db.session, employee_id=current_user.id, completion_id=completion_id
        )
    except services.NotOffered:
        abort(404)
    except services.AlreadyAnswered:
        return _already_evaluated(completion_id)
    variant = services.evaluation_variant(db.session, completion)
    texts = EVALUATION.get(variant, EVALUATION[""])
    values: dict[str, str] = {}
    problems: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        if "hoppa" in request.form:
            return redirect(url_for("learning.index"), code=303)
        values = {k: request.form.get(k, "") for k in (*services.SCALES, "recommend", "free_text")}
        try:
            answers = services.parse_evaluation(values)
            services.submit_evaluation(
                db.session, completion=completion, answers=answers, variant=variant
            )
        except services.EvaluationInvalid as exc:
            db.session.rollback()
            problems, status = exc.problems, 422
        except services.AlreadyAnswered:
            db.session.rollback()
            return _already_evaluated(completion_id)
        else:
            db.session.commit()
            release_batches()
            # A fixed message: nothing of the answers goes into the session cookie.
            flash(_("Tack för din utvärdering!"), "success")
            return redirect(url_for("learning.index"), code=303)
    return render_template(
        "evaluation/evaluate.html",
        completion=completion,
        texts=texts,
        text_lang=LANG.get(variant, "sv"),
        values=values,
        problems=problems,
        scales=services.SCALES,
        max_length=services.FREE_TEXT_MAX,
    ), status


def _already_evaluated(completion_id: int):
    return render_template("evaluation/already.html", completion_id=completion_id), 409


# -- follow-up (no login: the link is the key) -------------------------------------------


@bp.route("/uppfoljning/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute")
def followup(token: str):
    today = dates.today()
    try:
        invitation = services.invitation_for(db.session, token, on=today)
    except services.LinkInvalid as exc:
        return _link_invalid(exc.reason)
    problems: dict[str, str] = {}
    values: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in ("used_it", "workplace_changed")}
        try:
            answers = services.parse_followup(values)
            services.submit_followup(db.session, token=token, answers=answers, on=today)
        except services.EvaluationInvalid as exc:
            db.session.rollback()
            problems, status = exc.problems, 422
        except services.LinkInvalid as exc:
            db.session.rollback()
            return _link_invalid(exc.reason)
        else:
            db.session.commit()
            release_batches()
            return render_template("evaluation/followup_thanks.html")
    course = db.session.get(Course, invitation.course_id)
    title = course.title if course is not None else ""
    return render_template(
        "evaluation/followup.html",
        token=token,
        course_title=title,
        values=values,
        problems=problems,
    ), status


def _link_invalid(reason: str):
    return render_template("evaluation/followup_invalid.html", reason=reason), (
        404 if reason == "unknown" else 410
    )
