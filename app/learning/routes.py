"""My training, the course player, the quiz, certificates and the public verification page."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import dates, labels, sessions
from app.auth import access
from app.courses.markdown import render_markdown
from app.evaluation.services import (
    AlreadyAnswered,
    NotOffered,
    evaluations_offered,
    offered_completion,
    pretest_pending,
)
from app.extensions import db, limiter
from app.learning import bp, scorm_routes, services
from app.learning.certificate import certificate_for, certificate_pdf
from app.learning.services import Tampered
from app.models import Attempt, Completion, CourseVersion

bp.add_app_template_filter(render_markdown, "course_markdown")

# Where the login returns to after a session ended on a POST-only address, and which
# forms are given back there: a module's place and a half-answered quiz are not lost.
sessions.return_pages(
    {
        "learning.start": sessions.ReturnPage("learning.course"),
        "learning.module_done": sessions.ReturnPage("learning.module"),
        "learning.check": sessions.ReturnPage(
            "learning.module",
            keeps_form=True,
            anchor=lambda args: f"#kontroll-{args['check_index'] + 1}",
        ),
        "learning.quiz_start": sessions.ReturnPage("learning.quiz_intro"),
        "learning.quiz_submit": sessions.ReturnPage("learning.quiz", keeps_form=True),
    }
)


@bp.route("/")
@login_required
def index():
    training = services.my_training(db.session, employee_id=current_user.id, on=dates.today())
    return render_template(
        "learning/index.html",
        t=training,
        format_code=services.format_code,
        to_evaluate=evaluations_offered(db.session, current_user.id),
    )


# -- the course player ------------------------------------------------------------------


def _version_or_404(slug: str) -> CourseVersion:
    version = services.current_version(db.session, slug)
    # A bought-in package has no modules or quiz: its pages are in scorm_routes.
    if version is None or scorm_routes.player.is_scorm(version):
        abort(404)
    return version


def _course_context(version: CourseVersion, variant: str) -> dict:
    content = services.variant_content(version.content, variant)
    return {
        "version": version,
        "course": version.course,
        "content": content,
        "variant": variant,
        "content_lang": content.get("language", "sv"),
        # Sources come from the main manifest whichever variant is read.
        "sources_lang": services.variant_content(version.content, "").get("language", "sv"),
        "support": services.support_contacts(
            current_app.config.get("SUPPORT_CONTACTS", ""),
            content.get("support", []),
            course_lang=content.get("language", "sv"),
            ui_lang=str(get_locale()),
        ),
        "tel_href": services.tel_href,
        "module_total": len(content["modules"]),
    }


@bp.route("/kurser/<slug>")
@login_required
def course(slug: str):
    scorm_version = scorm_routes.player_version(slug)
    if scorm_version is not None and scorm_routes.player.is_scorm(scorm_version):
        return scorm_routes.course_page(scorm_version)
    version = _version_or_404(slug)
    progress = services.get_progress(db.session, employee_id=current_user.id, version=version)
    variant = progress.variant if progress else ""
    choices = [
        (v, labels.VARIANT.get(v, v), labels.VARIANT_LANGUAGE.get(v, "sv"))
        for v in services.variants(version.content)
    ]
    resume_url = (
        _resume_url(slug, progress.module_index, services.module_count(version))
        if progress
        else None
    )
    return render_template(
        "learning/course.html",
        progress=progress,
        choices=choices,
        resume_url=resume_url,
        **_course_context(version, variant),
    )


@bp.route("/kurser/<slug>/starta", methods=["POST"])
@login_required
def start(slug: str):
    scorm_version = scorm_routes.player_version(slug)
    if scorm_version is not None and scorm_routes.player.is_scorm(scorm_version):
        return scorm_routes.start_run(scorm_version)
    version = _version_or_404(slug)
    try:
        progress = services.start_course(
            db.session,
            employee_id=current_user.id,
            version=version,
            variant=request.form.get("variant", ""),
        )
    except Tampered:
        db.session.rollback()
        abort(400)
    db.session.commit()
    if _pretest_first(version, progress):
        return redirect(url_for("evaluation.pretest", slug=slug))
    return redirect(_resume_url(slug, progress.module_index, services.module_count(version)))


def _pretest_first(version: CourseVersion, progress) -> bool:
    """The course's pre-test comes before the first module, unless read on already."""
    if progress.module_index > 0 or progress.modules_done:
        return False
    return pretest_pending(db.session, employee_id=current_user.id, version=version)


def _resume_url(slug: str, index: int, count: int) -> str:
    if index >= count:
        return url_for("learning.quiz_intro", slug=slug)
    return url_for("learning.module", slug=slug, index=index + 1)


def _started_progress(version: CourseVersion):
    progress = services.get_progress(db.session, employee_id=current_user.id, version=version)
    if progress is None or not progress.warning_accepted:
        return None
    return progress


@bp.route("/kurser/<slug>/moduler/<int:index>")
@login_required
def module(slug: str, index: int):
    version = _version_or_404(slug)
    progress = _started_progress(version)
    if progress is None:  # the content warning comes first
        return redirect(url_for("learning.course", slug=slug))
    if _pretest_first(version, progress):
        return redirect(url_for("evaluation.pretest", slug=slug))
    return _render_module(version, progress, index, check=_pending_check(version, progress, index))


def _pending_check(version: CourseVersion, progress, index: int):
    """A check question answered when the session had ended: answered now, after the login."""
    modules = services.variant_content(version.content, progress.variant)["modules"]
    if not 1 <= index <= len(modules) or index - 1 > progress.module_index:
        return None
    pending = sessions.take_pending_form("learning.check", slug=version.course.slug, index=index)
    if pending is None:
        return None
    try:
        return services.answer_check(
            modules[index - 1], pending.args["check_index"], pending.form.get("svar", [])
        )
    except (Tampered, KeyError):
        return None


def _render_module(version, progress, index: int, check=None, status: int = 200):
    ctx = _course_context(version, progress.variant)
    count = ctx["module_total"]
    if not 1 <= index <= count:
        abort(404)
    if index - 1 > progress.module_index:  # not reached yet: back to where the learner is
        return redirect(_resume_url(version.course.slug, progress.module_index, count))
    module = ctx["content"]["modules"][index - 1]
    blocks, n = [], 0
    for block in module["blocks"]:
        if block["type"] == "check":
            # Options in this person's order for this module (stable across reloads).
            order = services.check_option_order(
                employee_id=current_user.id,
                course_id=version.course_id,
                module_index=index - 1,
                check_index=n,
                count=len(block["options"]),
            )
            block = {**block, "index": n, "order": order}
            n += 1
        blocks.append(block)
    return render_template(
        "learning/module.html",
        progress=progress,
        module=module,
        blocks=blocks,
        index=index,
        check=check,
        **ctx,
    ), status


@bp.route("/kurser/<slug>/moduler/<int:index>/kontroll/<int:check_index>", methods=["POST"])
@login_required
def check(slug: str, index: int, check_index: int):
    version = _version_or_404(slug)
    progress = _started_progress(version)
    if progress is None:
        abort(400)
    modules = services.variant_content(version.content, progress.variant)["modules"]
    if not 1 <= index <= len(modules) or index - 1 > progress.module_index:
        abort(400)
    try:
        result = services.answer_check(
            modules[index - 1], check_index, request.form.getlist("svar")
        )
    except Tampered:
        abort(400)
    return _render_module(version, progress, index, check=result)


@bp.route("/kurser/<slug>/moduler/<int:index>/klar", methods=["POST"])
@login_required
def module_done(slug: str, index: int):
    version = _version_or_404(slug)
    progress = _started_progress(version)
    if progress is None:
        abort(400)
    count = services.module_count(version)
    try:
        services.complete_module(db.session, progress=progress, index=index - 1, count=count)
    except Tampered:
        db.session.rollback()
        abort(400)
    db.session.commit()
    return redirect(_resume_url(slug, index, count))


# -- the quiz ---------------------------------------------------------------------------


@bp.route("/kurser/<slug>/prov")
@login_required
def quiz_intro(slug: str):
    version = _version_or_404(slug)
    progress = _started_progress(version)
    if progress is None:
        return redirect(url_for("learning.course", slug=slug))
    ctx = _course_context(version, progress.variant)
    if progress.module_index < ctx["module_total"]:
        return redirect(_resume_url(slug, progress.module_index, ctx["module_total"]))
    attempts = services.attempts_for(
        db.session, employee_id=current_user.id, course_id=version.course_id
    )
    return render_template(
        "learning/quiz_intro.html",
        progress=progress,
        attempts=attempts,
        question_count=services.quiz_length(ctx["content"]["quiz"]),
        **ctx,
    )


@bp.route("/kurser/<slug>/prov", methods=["POST"])
@login_required
def quiz_start(slug: str):
    version = _version_or_404(slug)
    progress = _started_progress(version)
    try:
        attempt = services.start_attempt(
            db.session, employee_id=current_user.id, version=version, progress=progress
        )
    except services.QuizNotReady:
        db.session.rollback()
        flash(_("Läs kursens moduler innan du gör provet."), "info")
        return redirect(url_for("learning.course", slug=slug))
    db.session.commit()
    return redirect(url_for("learning.quiz", token=attempt.token))


def _own_attempt(token: str) -> Attempt:
    attempt = db.session.scalar(db.select(Attempt).where(Attempt.token == token))
    # Someone else's attempt does not exist for you.
    if attempt is None or attempt.employee_id != current_user.id:
        abort(404)
    return attempt


def _main_quiz(attempt: Attempt) -> dict:
    """The main quiz's questions drawn for this attempt: what is scored and accepted."""
    quiz = services.variant_content(attempt.course_version.content, "")["quiz"]
    return services.attempt_quiz(quiz, attempt)


def _modules_to_reread(attempt: Attempt, right: dict[str, bool]) -> dict[str, dict]:
    """Question id -> {number, title} of the module to re-read, for the wrong answers whose
    objective names one (course.yaml `objectives[].module`), in the learner's variant."""
    content = attempt.course_version.content
    places = content.get("objective_modules") or {}
    objectives = content.get("question_objectives") or {}
    modules = services.variant_content(content, attempt.variant)["modules"]
    out = {}
    for qid, ok in right.items():
        place = places.get(objectives.get(qid, ""))
        if not ok and place is not None and place < len(modules):
            out[qid] = {"number": place + 1, "title": modules[place]["title"]}
    return out


def _quiz_questions(attempt: Attempt) -> list[dict]:
    """The attempt's questions in the learner's variant, options in the attempt's order."""
    quiz = services.variant_content(attempt.course_version.content, attempt.variant)["quiz"]
    out = []
    for q in services.attempt_quiz(quiz, attempt)["questions"]:
        by_id = {o["id"]: o for o in q["options"]}
        order = attempt.option_order.get(q["id"]) or list(by_id)
        out.append({**q, "options": [by_id[i] for i in order if i in by_id]})
    return out


@bp.route("/prov/<token>")
@login_required
def quiz(token: str):
    attempt = _own_attempt(token)
    if attempt.submitted_at is not None:
        return redirect(url_for("learning.result", token=token))
    return _render_quiz(attempt, answers=_pending_answers(attempt), unanswered=[])


def _pending_answers(attempt: Attempt) -> dict:
    """The answers sent when the session had ended, back in the form to be sent again."""
    pending = sessions.take_pending_form("learning.quiz_submit", token=attempt.token)
    if pending is None:
        return {}
    quiz = _main_quiz(attempt)
    try:
        answers = services.parse_answers(quiz, pending.form).answers
    except Tampered:
        return {}
    flash(_("Dina svar finns kvar. Lämna in provet när du är klar."), "info")
    return answers


def _render_quiz(attempt: Attempt, *, answers: dict, unanswered: list[str], status: int = 200):
    return render_template(
        "learning/quiz.html",
        attempt=attempt,
        questions=_quiz_questions(attempt),
        answers=answers,
        unanswered=unanswered,
        **_course_context(attempt.course_version, attempt.variant),
    ), status


@bp.route("/prov/<token>", methods=["POST"])
@login_required
def quiz_submit(token: str):
    attempt = _own_attempt(token)
    quiz = _main_quiz(attempt)
    form = {key: request.form.getlist(key) for key in request.form if key != "csrf_token"}
    try:
        parsed = services.parse_answers(quiz, form)
    except Tampered:
        abort(400)
    if attempt.submitted_at is not None:
        return _already_submitted(attempt, parsed.answers)
    if parsed.unanswered:
        return _render_quiz(
            attempt, answers=parsed.answers, unanswered=parsed.unanswered, status=422
        )
    try:
        services.submit_attempt(db.session, attempt=attempt, answers=parsed.answers)
    except Tampered:
        db.session.rollback()
        abort(400)
    except services.AlreadySubmitted:
        db.session.rollback()
        return _already_submitted(_own_attempt(token), parsed.answers)
    db.session.commit()
    return redirect(url_for("learning.result", token=token), code=303)


def _already_submitted(attempt: Attempt, answers: dict):
    """The same answers again (double click) see the result; other answers are refused."""
    if attempt.answers == answers:
        return redirect(url_for("learning.result", token=attempt.token), code=303)
    return render_template(
        "learning/already_submitted.html",
        attempt=attempt,
        **_course_context(attempt.course_version, attempt.variant),
    ), 400


@bp.route("/prov/<token>/resultat")
@login_required
def result(token: str):
    attempt = _own_attempt(token)
    if attempt.submitted_at is None:
        return redirect(url_for("learning.quiz", token=token))
    completion = services.completion_for_attempt(db.session, attempt.id)
    version = attempt.course_version
    score = services.score_answers(_main_quiz(attempt), attempt.answers or {}, version.pass_mark)
    evaluate = False
    if completion is not None:
        try:
            evaluate = bool(
                offered_completion(
                    db.session, employee_id=current_user.id, completion_id=completion.id
                )
            )
        except (AlreadyAnswered, NotOffered):
            evaluate = False
    return render_template(
        "learning/result.html",
        evaluate=evaluate,
        attempt=attempt,
        questions=_quiz_questions(attempt),
        right=score.right,
        reread=_modules_to_reread(attempt, score.right),
        completion=completion,
        format_code=services.format_code,
        is_current=version.is_current and version.course.active,
        **_course_context(version, attempt.variant),
    )


# -- certificates and verification -----------------------------------------------------


@bp.route("/intyg/<int:completion_id>.pdf")
@login_required
def certificate(completion_id: int):
    completion = db.session.get(Completion, completion_id)
    if completion is None:
        abort(404)
    access.require_employee(current_user, completion.employee)
    services.record_certificate_download(db.session, viewer=current_user, completion=completion)
    data = certificate_for(
        db.session,
        completion,
        verify_url=current_app.config["BASE_URL"].rstrip("/") + url_for("learning.verify"),
        municipality=current_app.config["MUNICIPALITY_NAME"],
    )
    slug = completion.course.slug if completion.course else "utbildning"
    db.session.commit()
    return Response(
        certificate_pdf(data),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="intyg-{slug}-{data.completed_on.isoformat()}.pdf"'
        },
    )


@bp.route("/verifiera")
@limiter.limit("60 per minute")
def verify():
    code = (request.args.get("kod") or "").strip()
    found = services.verify_code(db.session, code, on=dates.today()) if code else None
    status = 404 if code and found is None else 200
    return render_template("learning/verify.html", code=code, found=found), status
