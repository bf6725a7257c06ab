"""My unit: the tree with coverage, people × required courses, reminders, sessions, delegation."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app import args, dates, mail, org
from app.auth import access, letters
from app.choices import with_placeholder
from app.extensions import db
from app.models import Course, Employee, OrgUnit
from app.reports.coverage import STATUSES, Scope, status_counts
from app.reports.services import LEVELS
from app.units import bp, delegation, forms, reminders, services, sessions

PER_PAGE = 50
MAX_TICK_LIST = 300  # more people than this: choose a smaller unit or upload a CSV

manager_or_hr = access.require(lambda u: access.is_manager(u) or access.is_hr(u))


def _unit_or_abort(unit_id: int) -> OrgUnit:
    return access.require_unit(current_user, db.session.get(OrgUnit, unit_id))


@bp.route("/")
@manager_or_hr
def index():
    reach = access.reach(current_user, people=True)
    if reach.everything:
        units = list(
            db.session.scalars(
                sa.select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.name)
            )
        )
    else:
        units = list(reach.units or ())
    counts = {
        row.key[0]: row.counts
        for row in status_counts(
            db.session,
            on=dates.today(),
            group_by=("top",),
            tops=units,
            scope=Scope(unit_paths=[u.path for u in units]),
        )
    }
    rows = services.subtree_headcounts(db.session, units)
    return render_template("units/index.html", rows=rows, counts=counts)


@bp.route("/<int:unit_id>")
@manager_or_hr
def show(unit_id: int):
    unit = _unit_or_abort(unit_id)
    today = dates.today()
    filters = services.Filters.parse(request.args, LEVELS)
    overview = services.unit_overview(db.session, unit, on=today, filters=filters)
    page = db.paginate(
        services.filtered_people_stmt(unit, on=today, filters=filters),
        page=args.page_number(request.args),
        per_page=PER_PAGE,
        error_out=False,
    )
    course_ids = [filters.course_id] if filters.course_id else sorted(overview.course_counts)
    rows = services.person_rows(db.session, page.items, on=today, course_ids=course_ids)
    services.record_people_list(
        db.session, viewer=current_user, unit=unit, shown=page.items, page=page.page
    )
    all_courses = list(db.session.scalars(sa.select(Course).order_by(Course.title)))
    valid_letters = letters.valid_letters(db.session, [unit.path])
    printable = access.letter_printable_ids(current_user, page.items)
    html = render_template(
        "units/show.html",
        printable=printable,
        valid_letters=valid_letters,
        revocable=access.letter_printable_ids(current_user, [x.employee for x in valid_letters]),
        unit=unit,
        trail=org.ancestors(db.session, unit),
        overview=overview,
        courses=[overview.courses[c] for c in course_ids if c in overview.courses],
        all_courses=all_courses,
        page=page,
        rows=rows,
        filters=filters,
        statuses=STATUSES,
        levels=LEVELS,
        can_see=lambda u: access.can_view_unit(current_user, u),
        can_delegate=access.can_delegate_unit(current_user, unit),
        recent_sessions=services.sessions_for_unit(db.session, unit, limit=5),
    )
    db.session.commit()  # after rendering: a commit would expire the people shown
    return html


@bp.route("/<int:unit_id>/paminn", methods=["GET", "POST"])
@manager_or_hr
def remind(unit_id: int):
    """GET: how many will get a message, and a button to confirm. POST: send."""
    unit = _unit_or_abort(unit_id)
    if not access.can_manage_unit(current_user, unit):
        abort(403)
    if request.method == "GET":
        people = reminders.overdue_in_unit(db.session, unit=unit, on=dates.today())
        return render_template("units/remind_confirm.html", unit=unit, people=people)
    # CSRFProtect has already checked the token of every POST.
    raw = request.form.get("employee_id", "")
    if raw:
        if not args.is_id(raw):
            abort(400)
        # The person must be in this unit's subtree, whatever the form says.
        if not reminders.employees_within(db.session, [int(raw)], [unit.path]):
            abort(403)
        ids: list[int] | None = [int(raw)]
    else:
        ids = None
    queued = reminders.remind_from_unit(
        db.session,
        unit=unit,
        employee_ids=ids,
        actor=current_user,
        on=dates.today(),
        base_url=current_app.config["BASE_URL"].rstrip("/"),
        municipality=current_app.config["MUNICIPALITY_NAME"],
    )
    db.session.commit()
    delivery = mail.deliver_queued(db.session, commit=db.session.commit, ids=queued.mail_ids)
    _flash_delivery(queued, delivery)
    return redirect(
        request.form.get("next_url")
        if _safe(request.form.get("next_url"))
        else url_for("units.show", unit_id=unit.id)
    )


def _flash_delivery(queued: reminders.Queued, delivery: mail.Delivery) -> None:
    if not queued.people:
        flash(
            _(
                "Ingen påminnelse skickades: alla har redan fått en den här veckan, eller har inget att göra."
            ),
            "warning",
        )
        return
    if delivery.sent:
        flash(
            ngettext(
                "Påminnelse skickad till %(num)d person.",
                "Påminnelse skickad till %(num)d personer.",
                delivery.sent,
            ),
            "success",
        )
    if delivery.refused:
        flash(
            ngettext(
                "%(num)d adress avvisades av e-postservern; HR ser den på personens sida.",
                "%(num)d adresser avvisades av e-postservern; HR ser dem på personernas sidor.",
                delivery.refused,
            ),
            "warning",
        )
    if delivery.left:
        flash(
            ngettext(
                "%(num)d påminnelse kunde inte skickas nu; den skickas vid nästa utskick.",
                "%(num)d påminnelser kunde inte skickas nu; de skickas vid nästa utskick.",
                delivery.left,
            ),
            "warning",
        )


def _safe(target: str | None) -> bool:
    return bool(target) and target.startswith("/enheter/") and "//" not in target


@bp.route("/personer/<int:employee_id>")
@manager_or_hr
def person(employee_id: int):
    employee = access.require_employee(current_user, db.session.get(Employee, employee_id))
    history = services.view_person(
        db.session, viewer=current_user, employee=employee, on=dates.today()
    )
    db.session.commit()
    home = next(
        (u for u in access.managed_units(current_user) if employee.unit.path.startswith(u.path)),
        None,
    )
    return render_template(
        "units/person.html",
        history=history,
        employee=employee,
        is_hr=access.is_hr(current_user),
        can_remind=access.can_manage_unit(current_user, employee.unit),
        home_unit=home or employee.unit,
    )


# --- in-person sessions -----------------------------------------------------------------------


@bp.route("/<int:unit_id>/tillfallen/nytt", methods=["GET", "POST"])
@manager_or_hr
def session_new(unit_id: int):
    unit = _unit_or_abort(unit_id)
    if not access.can_manage_unit(current_user, unit):
        abort(403)
    form = forms.SessionForm()
    form.course_id.choices = with_placeholder(
        _("Välj kurs …"),
        [SelectChoice(0, _("Ingen kurs (fri rubrik)"))]
        + [
            SelectChoice(c.id, c.title)
            for c in db.session.scalars(
                sa.select(Course).where(Course.active.is_(True)).order_by(Course.title)
            )
        ],
    )
    stmt = services.people_stmt(unit)
    headcount = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    people = (
        list(db.session.scalars(stmt.limit(MAX_TICK_LIST))) if headcount <= MAX_TICK_LIST else []
    )
    problems: list[str | tuple[str, str]] = []
    ticked: set[int] = set()
    if form.validate_on_submit():
        reach = access.reach_paths(current_user)
        raw_ids = request.form.getlist("attendee")
        if not all(args.is_id(r) for r in raw_ids):
            abort(400)
        ticked = {int(r) for r in raw_ids}
        upload = form.attendees_csv.data
        try:
            if upload and getattr(upload, "filename", ""):
                ids = sessions.attendees_from_csv(db.session, upload.read(), reach=reach)
            else:
                ids = sorted(ticked)
            ts = sessions.register_session(
                db.session,
                draft=sessions.SessionDraft(
                    course_id=form.course_id.data or None,
                    title=form.title.data or "",
                    held_on=form.held_on.data,
                    place=form.place.data or "",
                    trainer=form.trainer.data or "",
                    unit_id=unit.id,
                ),
                attendee_ids=ids,
                actor=current_user,
                reach=reach,
                today=dates.today(),
            )
            db.session.commit()
            flash(
                ngettext(
                    "Tillfället är registrerat med %(num)s deltagare.",
                    "Tillfället är registrerat med %(num)s deltagare.",
                    len(ids),
                ),
                "success",
            )
            return redirect(url_for("units.session_show", session_id=ts.id))
        except sessions.OutsideReach:
            db.session.rollback()
            abort(403)
        except sessions.SessionRejected as exc:
            db.session.rollback()
            problems = _linked(exc, people, too_many=headcount > MAX_TICK_LIST)
    return render_template(
        "units/session_new.html",
        unit=unit,
        form=form,
        people=people,
        headcount=headcount,
        too_many=headcount > MAX_TICK_LIST,
        problems=problems,
        ticked=ticked,
    ), (400 if problems else 200)


def _linked(
    rejected: sessions.SessionRejected, people: Sequence[Employee], *, too_many: bool
) -> list[str | tuple[str, str]]:
    """The problems for the page's error summary: (the field's id, text) where one field is
    at fault; the attendee list is linked at its first box, or at the file when it has none."""
    first_box = f"attendee-{people[0].id}" if people and not too_many else "attendees_csv"
    return [
        text if field is None else (first_box if field == "attendee" else field, text)
        for field, text in zip(rejected.fields, rejected.problems, strict=True)
    ]


@bp.route("/tillfallen/<int:session_id>")
@manager_or_hr
def session_show(session_id: int):
    found = sessions.session_detail(db.session, session_id)
    if found is None:
        abort(404)
    ts, people = found
    if ts.unit is None or not access.can_view_unit(current_user, ts.unit):
        abort(403)
    # A manager sees only the attendees in their own subtrees.
    people = [p for p in people if access.can_view_employee(current_user, p)]
    sessions.record_attendee_view(
        db.session, viewer=current_user, training_session=ts, shown=people
    )
    html = render_template("units/session.html", ts=ts, people=people)
    db.session.commit()  # after rendering: a commit would expire the people shown
    return html


# --- delegation by a manager for their own units -------------------------------------------------


@bp.route("/delegering", methods=["GET", "POST"])
@manager_or_hr
def delegate():
    if access.is_hr(current_user):
        return redirect(url_for("admin.delegations"))
    own = access.led_units(current_user)
    if not own:
        abort(403)
    today = dates.today()
    form = forms.DelegationForm.for_units(own)
    if form.validate_on_submit():
        unit = db.session.get(OrgUnit, form.unit_id.data)
        if unit is None or not access.can_delegate_unit(current_user, unit):
            abort(403)
        try:
            granted = delegation.grant(
                db.session,
                unit=unit,
                deputy_key=form.deputy.data,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                actor=current_user,
                today=today,
            )
        except delegation.DelegationRejected as exc:
            db.session.rollback()
            form.refused(exc)
        else:
            db.session.commit()
            flash(
                _(
                    "%(name)s ser %(unit)s under perioden.",
                    name=granted.employee.full_name,
                    unit=unit.name,
                ),
                "success",
            )
            return redirect(url_for("units.delegate"))
    rows = delegation.delegations(db.session, within=[u.path for u in own], today=today)
    return render_template(
        "units/delegate.html", form=form, rows=rows, end_endpoint="units.delegation_end"
    )


@bp.route("/delegering/<int:delegation_id>/avsluta", methods=["POST"])
@manager_or_hr
def delegation_end(delegation_id: int):
    row = delegation.find(db.session, delegation_id) or abort(404)
    if not access.can_delegate_unit(current_user, row.unit):
        abort(403)
    # CSRFProtect has already checked the token of every POST.
    delegation.end(db.session, delegation=row, actor=current_user, today=dates.today())
    db.session.commit()
    flash(_("Delegeringen är avslutad."), "success")
    return redirect(url_for("units.delegate"))
