""" "Vad har utbildningen gett?": the evaluation and knowledge figures (reports/evaluation.py).

HR and reporters see the same masked figures; the free-text answers are HR's only, in bulk
per course, and each viewing is audited; the export is audited as "export.evaluation".
"""

from __future__ import annotations

from flask import Response, render_template, request, stream_with_context
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from app import args, dates
from app.auth import access
from app.extensions import db
from app.records import audit
from app.reports import bp, evaluation, exports
from app.reports.evaluation import ALL, LEVELS
from app.reports.forms import EvaluationExportForm


def _choice(ev: evaluation.Evaluation):
    """The course, administration and level asked for; anything unknown falls back."""
    course = None
    raw = request.args.get("kurs", "")
    if args.is_id(raw):
        course = ev.course(int(raw))
    if course is None and ev.courses:
        course = ev.answered()[0]
    admin: int | str = ALL
    raw = request.args.get("forvaltning", "")
    if raw.isdigit() and int(raw) in dict(ev.administrations):
        admin = int(raw)
    level = request.args.get("niva", "")
    if level not in LEVELS:
        level = ALL
    return course, admin, level


@bp.get("/effekt")
@access.require(access.can_view_evaluation)
def effect():
    ev = evaluation.evaluation(db.session)
    course, admin, level = _choice(ev)
    tables = []
    if course is not None:
        scope = evaluation.scope_of(course.id, admin, level)
        where = f"{course.title}, {ev.admin_name(admin)}"
        tables = [
            evaluation.knowledge_table(
                ev, scope, _("Kunskap före och efter per lärandemål – %(where)s", where=where)
            ),
            evaluation.scales_table(
                ev, scope, _("Utvärdering: medelvärde och fördelning – %(where)s", where=where)
            ),
            evaluation.choices_table(
                ev, scope, _("Rekommendation och uppföljning – %(where)s", where=where)
            ),
        ]
    return render_template(
        "reports/effect.html",
        ev=ev,
        course=course,
        admin=admin,
        level=level,
        levels=LEVELS,
        all=ALL,
        tables=tables,
        definitions=evaluation.DEFINITIONS,
        form=EvaluationExportForm(),
        can_export=access.can_export(current_user),
        can_see_people=access.can_view_people_reports(current_user),
        can_see_effect=True,
        can_read_free_text=access.can_read_evaluation_free_text(current_user),
    )


@bp.get("/effekt/fritext")
@access.require(access.can_read_evaluation_free_text)
def effect_free_text():
    ev = evaluation.evaluation(db.session)
    course, _admin, _level = _choice(ev)
    texts = evaluation.free_texts(db.session, course.id) if course is not None else []
    if course is not None:
        audit(
            db.session,
            current_user,
            "evaluation.free_text_view",
            "course",
            course.id,
            {"answers": len(texts)},
        )
        db.session.commit()
    return render_template(
        "reports/effect_free_text.html",
        ev=ev,
        course=course,
        texts=texts,
        can_export=access.can_export(current_user),
        can_see_people=access.can_view_people_reports(current_user),
        can_see_effect=True,
    )


@bp.post("/effekt/export")
@access.require(access.can_export)
def effect_export():
    form = EvaluationExportForm()
    if not form.validate():
        return Response(_("Välj CSV eller XLSX."), status=400, mimetype="text/plain")
    fmt = form.format.data
    with force_locale("sv"):
        ev = evaluation.evaluation(db.session)
        headers, rows = evaluation.export_table(ev)
    audit(
        db.session,
        current_user,
        "export.evaluation",
        "export",
        fmt,
        {"format": fmt, "via": "web", "rows": len(rows)},
    )
    db.session.commit()
    day = dates.today().isoformat()
    return Response(
        stream_with_context(exports.chunks(fmt, (headers, rows))),
        mimetype=exports.MIMETYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="varna-effekt-{day}.{fmt}"'},
    )
