from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app import args, dates, labels, org
from app.auth import access
from app.extensions import db
from app.models import Course, CoverageSnapshot, OrgUnit
from app.reports import bp, charts, coverage, exports, pdf, services
from app.reports import disclosure as protection
from app.reports.forms import ExportForm, TargetForm


def _within() -> list[str] | None:
    return access.reach(current_user).within


def _disclosure() -> access.Disclosure:
    return access.disclosure(current_user)


def _masked() -> bool:
    return _disclosure() is access.Disclosure.MASKED


def _on() -> date:
    """The day asked for (`?dag=`); a masked viewer gets today or an earlier month's last day."""
    value = request.args.get("dag", "")
    try:
        day = date.fromisoformat(value) if value else dates.today()
    except ValueError:
        abort(400)
    if _masked():
        return protection.published_day(day, dates.today())
    return min(day, dates.today())


def _bars(m: services.Matrix) -> list[charts.Bar]:
    return [
        charts.Bar(row.label, f.value, f.text if f.masked else "")
        for row in m.rows
        for f in [row.total.figure]
    ]


def _heat(m: services.Matrix):
    cells = [
        [(f.value, f.short) for f in (row.cells[lvl].figure for lvl in m.levels)] for row in m.rows
    ]
    return charts.heat_map(
        "heat",
        _("Täckning per förvaltning och nivå"),
        [r.label for r in m.rows],
        [labels.name(labels.LEVEL_GROUP, lvl) for lvl in m.levels],
        cells,
    )


def _common(**extra):
    return {
        "definition": services.DEFINITION,
        "can_see_people": access.can_view_people_reports(current_user),
        "can_export": access.can_export(current_user),
        "can_see_effect": access.can_view_evaluation(current_user),
        "masked": _masked(),
        **extra,
    }


def _cube_of_administrations():
    """The day asked for and one pass of counts over the administrations the caller may see."""
    on, within = _on(), _within()
    tops = org.administrations(db.session, within)
    return on, services.cube(db.session, on=on, tops=tops, scope=services.Scope(unit_paths=within))


@bp.route("/")
@access.require(access.can_view_reports)
def index():
    on, data = _cube_of_administrations()
    m = services.matrix(
        db.session,
        data,
        title=_("Alla kurser som krävs"),
        rest_label=_("Direkt under kommunen"),
        disclosure=_disclosure(),
    )
    target = services.get_target(db.session)
    return render_template(
        "reports/index.html",
        **_common(
            on=on,
            matrix=m,
            target=target,
            bars=charts.bar_chart(
                "bars",
                _("Täckning per förvaltning, alla kurser som krävs"),
                _bars(m),
                target=target.share if target else None,
            ),
            heat=_heat(m),
        ),
    )


@bp.route("/kurser")
@access.require(access.can_view_reports)
def by_course():
    on, data = _cube_of_administrations()
    if _masked():  # one figure per course for the whole municipality (disclosure.py)
        figures = services.course_figures(db.session, data, disclosure=_disclosure())
        rows = [(course.title, cell) for course, cell in figures.per_course]
        return render_template("reports/courses.html", **_common(on=on, matrices=[], figures=rows))
    courses = services.courses_by_id(db.session, data.course_ids)
    matrices = [
        services.matrix(
            db.session,
            data,
            title=c.title,
            course_ids=[c.id],
            rest_label=_("Direkt under kommunen"),
            disclosure=_disclosure(),
        )
        for c in courses.values()
    ]
    return render_template("reports/courses.html", **_common(on=on, matrices=matrices))


@bp.route("/forebyggande-niva")
@access.require(access.can_view_reports)
def by_prevention_level():
    on, data = _cube_of_administrations()
    if _masked():  # one figure per prevention level for the whole municipality
        figures = services.course_figures(db.session, data, disclosure=_disclosure())
        rows = [(labels.name(labels.PREVENTION, lvl), c) for lvl, _, c in figures.per_prevention]
        levels = [(lvl, courses) for lvl, courses, _ in figures.per_prevention]
        return render_template(
            "reports/prevention.html",
            **_common(on=on, sections=[], figures=rows, levels=levels),
        )
    courses = services.courses_by_id(db.session, data.course_ids)
    sections = []
    for level in services.PREVENTION_LEVELS:
        ids = [cid for cid, c in courses.items() if level in (c.prevention_levels or [])]
        m = services.matrix(
            db.session,
            data,
            title=labels.name(labels.PREVENTION, level),
            course_ids=ids,
            rest_label=_("Direkt under kommunen"),
            disclosure=_disclosure(),
        )
        sections.append((level, [courses[i] for i in ids], m))
    return render_template("reports/prevention.html", **_common(on=on, sections=sections))


@bp.route("/enhet/<int:unit_id>")
@access.require(access.can_view_reports)
def unit(unit_id: int):
    unit = access.require_unit(current_user, db.session.get(OrgUnit, unit_id), aggregates=True)
    on = _on()
    if _masked():  # figures stop at the administrations for a masked viewer (disclosure.py)
        return render_template("reports/unit.html", **_common(on=on, unit=unit))
    course_id = request.args.get("kurs", type=args.db_id)
    scope = services.Scope(
        unit_paths=[unit.path], course_ids=[course_id] if course_id is not None else None
    )
    children = org.children(db.session, unit)
    data = services.cube(db.session, on=on, tops=children, scope=scope)
    m = services.matrix(
        db.session,
        data,
        title=unit.name,
        rest_label=_("Direkt i %(name)s", name=unit.name),
        disclosure=_disclosure(),
    )
    reachable = {c.id for c in children if access.can_view_unit_aggregates(current_user, c)}
    return render_template(
        "reports/unit.html",
        **_common(
            on=on,
            unit=unit,
            trail=[
                u
                for u in org.ancestors(db.session, unit)
                if access.can_view_unit_aggregates(current_user, u)
            ],
            matrix=m,
            reachable=reachable,
            course_id=course_id,
            courses=services.courses_by_id(db.session),
            bars=charts.bar_chart(
                "bars",
                _("Täckning per enhet under %(name)s", name=unit.name),
                _bars(m),
            ),
        ),
    )


@bp.route("/trend")
@access.require(access.can_view_reports)
def trend():
    within = _within()
    points = services.trend(db.session, within=within)
    if _masked():
        points = protection.monthly_trend(
            points, courses=services.course_count(db.session), today=dates.today()
        )
    target = services.get_target(db.session)
    chart = charts.line_chart(
        "trend",
        _("Täckning över tid, alla kurser som krävs"),
        [charts.Point(p.day, p.counts.coverage, p.rebuilt) for p in points],
        target=target.share if target else None,
    )
    # when the daily snapshot last ran (for the whole municipality, whatever the viewer's reach)
    last = coverage.as_date(
        db.session.scalar(
            sa.select(sa.func.max(CoverageSnapshot.taken_on)).where(
                CoverageSnapshot.rebuilt.is_(False)
            )
        )
    )
    stale = last is not None and last < dates.today() - timedelta(days=1)
    return render_template(
        "reports/trend.html",
        **_common(points=points, chart=chart, target=target, last_snapshot=last, stale=stale),
    )


@bp.route("/utan-genomford")
@access.require(access.can_view_people_reports)
def nothing_completed():
    on = _on()
    within = access.reach(current_user, people=True).within
    stmt = services.people_without_completion_stmt(on, within)
    page = args.page_number(request.args)
    per_page = 50
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    pages = max((total + per_page - 1) // per_page, 1)
    services.record_nothing_completed_view(
        db.session, viewer=current_user, shown=[row[0] for row in rows], on=on, page=page
    )
    html = render_template(
        "reports/nothing.html",
        **_common(on=on, rows=rows, total=total, page=page, pages=pages),
    )
    db.session.commit()  # after rendering: a commit would expire the people shown
    return html


@bp.route("/lagesrapport")
@access.require(access.can_view_reports)
def status_report():
    on, within = _on(), _within()
    report = services.status_report(
        db.session,
        on=on,
        within=within,
        rest_label=_("Direkt under kommunen"),
        disclosure=_disclosure(),
        effect=access.can_view_evaluation(current_user),
    )
    target = report.target.share if report.target else None
    return render_template(
        "reports/status.html",
        **_common(
            on=on,
            report=report,
            charts={
                "bars": charts.bar_chart(
                    "bars", _("Täckning per förvaltning"), _bars(report.matrix), target=target
                ),
                "line": charts.line_chart(
                    "trend",
                    _("Täckning över tid"),
                    [charts.Point(p.day, p.counts.coverage, p.rebuilt) for p in report.trend],
                    target=target,
                ),
            },
        ),
    )


@bp.route("/lagesrapport.pdf")
@access.require(access.can_view_reports)
def status_report_pdf():
    on, within = _on(), _within()
    # The PDF goes to the council: Swedish, whatever language the reader's pages are in.
    with force_locale("sv"):
        report = services.status_report(
            db.session,
            on=on,
            within=within,
            rest_label=_("Direkt under kommunen"),
            disclosure=_disclosure(),
            effect=access.can_view_evaluation(current_user),
        )
        body = pdf.status_report_pdf(report, municipality=_municipality())
    return Response(
        body,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="varna-lagesrapport-{on.isoformat()}.pdf"'
        },
    )


def _municipality() -> str:
    return current_app.config["MUNICIPALITY_NAME"]


@bp.route("/mal", methods=["GET", "POST"])
@access.require(access.can_administer)
def target():
    current = services.get_target(db.session)
    form = TargetForm()
    if request.method == "GET" and current:
        form.percent.data = current.percent
        form.by.data = current.by
    if form.validate_on_submit():
        services.set_target(
            db.session, percent=form.percent.data, by=form.by.data, actor=current_user
        )
        db.session.commit()
        flash(_("Målet är sparat."), "success")
        return redirect(url_for("reports.status_report"))
    return render_template("reports/target.html", **_common(form=form, current=current))


def _export_form(formdata=None) -> ExportForm:
    form = ExportForm(formdata)
    courses = db.session.scalars(sa.select(Course).order_by(Course.title)).all()
    form.kurs.choices = [SelectChoice("", _("Alla kurser"))] + [
        SelectChoice(str(c.id), c.title) for c in courses
    ]
    return form


@bp.route("/export")
@access.require(access.can_export)
def export_form():
    """The export form; choices in the query string fill it in (a GET never makes a file)."""
    return render_template("reports/export.html", **_common(form=_export_form(request.args)))


@bp.get("/export/ladda-ned")
@access.require(access.can_export)
def export_bookmark():
    """An old bookmark or a link to a download: the form with its choices, not the file."""
    query = request.query_string.decode("ascii", "replace")
    return redirect(url_for("reports.export_form") + (f"?{query}" if query else ""))


@bp.post("/export/ladda-ned")
@access.require(access.can_export)
def export_download():
    """The file: only from the form (POST with its CSRF token), so no link can start it."""
    form = _export_form(request.form)
    errors = []
    if not form.validate():
        errors = [e for f in form for e in f.errors]
    unit = None
    if form.enhet.data and not form.enhet.errors:
        unit = org.unit_by_code(db.session, form.enhet.data)
        if unit is None:
            errors.append(_("Ingen enhet har koden %(code)s.", code=form.enhet.data))
    kind, fmt = form.typ.data, form.format.data
    course = (form.kurs.data or "").strip()
    if errors:
        return render_template("reports/export.html", **_common(form=form, errors=errors)), 400
    f = exports.ExportFilters(
        on=dates.today(),
        **exports.ExportFilters.of_unit(unit),
        course_id=int(course) if args.is_id(course) else None,
        date_from=form.fran.data,
        date_to=form.till.data,
        status=form.status.data or None,
    )
    try:
        table = exports.table(db.session, kind, f)
    except exports.InvalidFilter as error:
        errors.append(str(error))
        return render_template("reports/export.html", **_common(form=form, errors=errors)), 400
    exports.audit_export(db.session, kind=kind, fmt=fmt, f=f, actor_id=current_user.id, via="web")
    db.session.commit()
    return Response(
        stream_with_context(exports.chunks(fmt, table)),
        mimetype=exports.MIMETYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{exports.filename(kind, fmt, f.on)}"'
        },
    )
