"""HR's pages for rules, exemptions, manual records and delegation (admin blueprint: HR only)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app import dates, org
from app.admin import bp
from app.admin.requirements import evidence, forms, services
from app.choices import with_placeholder
from app.extensions import db
from app.models import Completion, Course, Employee, Exemption, Requirement
from app.units import delegation
from app.units.forms import DelegationForm


def _requirement_form(req: Requirement | None = None) -> forms.RequirementForm:
    form = forms.RequirementForm()
    if req is not None and request.method == "GET":
        d = services.draft_of(req)
        form = forms.RequirementForm(
            course_id=d.course_id,
            name=d.name,
            levels=list(d.levels),
            unit_code=req.unit.code if req.unit else "",
            tags=", ".join(d.tags),
            due_days=d.due_days,
            valid_months=d.valid_months,
            legal_basis=d.legal_basis,
            starts_on=d.starts_on,
            ends_on=d.ends_on,
        )
    form.course_id.choices = with_placeholder(
        _("Välj kurs …"), (SelectChoice(c.id, c.title) for c in services.courses(db.session))
    )
    return form


def _draft(form: forms.RequirementForm) -> services.RequirementDraft | None:
    unit_id = None
    if form.unit_code.data and form.unit_code.data.strip():
        unit = org.unit_by_code(db.session, form.unit_code.data)
        if unit is None:
            form.unit_code.errors.append(_("Det finns ingen enhet med den koden."))
            return None
        unit_id = unit.id
    return services.RequirementDraft(
        course_id=form.course_id.data,
        name=(form.name.data or "").strip(),
        levels=tuple(sorted(form.levels.data or ())),
        tags=services.normalise_tags(form.tags.data or ""),
        unit_id=unit_id,
        due_days=form.due_days.data,
        valid_months=form.valid_months.data,
        legal_basis=(form.legal_basis.data or "").strip(),
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
    )


@bp.route("/krav")
def requirements():
    rows = services.rule_rows(db.session, on=dates.today())
    return render_template("admin/requirements/list.html", rows=rows)


@bp.route("/krav/ny", methods=["GET", "POST"])
@bp.route("/krav/<int:requirement_id>", methods=["GET", "POST"])
def requirement_edit(requirement_id: int | None = None):
    req = None
    if requirement_id is not None:
        req = db.session.get(Requirement, requirement_id) or abort(404)
    form = _requirement_form(req)
    preview = None
    if form.validate_on_submit() and (draft := _draft(form)) is not None:
        try:
            if form.save.data:
                if req is None:
                    req = services.create_requirement(db.session, draft=draft, actor=current_user)
                else:
                    services.update_requirement(
                        db.session, requirement=req, draft=draft, actor=current_user
                    )
                db.session.commit()
                flash(_("Regeln är sparad."), "success")
                return redirect(url_for("admin.requirement_edit", requirement_id=req.id))
            preview = services.preview(db.session, draft=draft, on=dates.today())
        except services.Rejected as exc:
            db.session.rollback()
            flash(str(exc), "error")
    return render_template(
        "admin/requirements/edit.html",
        form=form,
        requirement=req,
        preview=preview,
        end_form=forms.EndRequirementForm() if req else None,
    )


@bp.route("/krav/<int:requirement_id>/avsluta", methods=["POST"])
def requirement_end(requirement_id: int):
    req = db.session.get(Requirement, requirement_id) or abort(404)
    form = forms.EndRequirementForm()
    if not form.validate_on_submit():
        flash(_("Ange ett giltigt datum."), "error")
    else:
        try:
            services.end_requirement(
                db.session, requirement=req, ends_on=form.ends_on.data, actor=current_user
            )
            db.session.commit()
            flash(
                _(
                    "Regeln gäller till och med %(day)s. Inga registreringar har tagits bort.",
                    day=form.ends_on.data,
                ),
                "success",
            )
        except services.Rejected as exc:
            db.session.rollback()
            flash(str(exc), "error")
    return redirect(url_for("admin.requirement_edit", requirement_id=req.id))


# --- exemptions ------------------------------------------------------------------------------


@bp.route("/personal/<int:employee_id>/undantag", methods=["GET", "POST"])
def exemption_new(employee_id: int):
    employee = db.session.get(Employee, employee_id) or abort(404)
    form = forms.ExemptionForm()
    rules = [r.requirement for r in services.rule_rows(db.session, on=dates.today()) if r.active]
    form.requirement_id.choices = with_placeholder(
        _("Välj regel …"), (SelectChoice(r.id, _rule_label(r)) for r in rules)
    )
    if form.validate_on_submit():
        req = db.session.get(Requirement, form.requirement_id.data) or abort(400)
        try:
            services.exempt(
                db.session,
                employee=employee,
                requirement=req,
                reason=form.reason.data,
                reason_code=form.reason_code.data,
                actor=current_user,
            )
            db.session.commit()
            flash(_("%(name)s är undantagen.", name=employee.full_name), "success")
            return redirect(url_for("units.person", employee_id=employee.id))
        except services.Rejected as exc:
            db.session.rollback()
            form.reason.errors.append(str(exc))
    return render_template("admin/requirements/exemption.html", form=form, employee=employee)


def _rule_label(req: Requirement) -> str:
    return f"{req.course.title}{' – ' + req.name if req.name else ''} (#{req.id})"


@bp.route("/undantag/<int:exemption_id>/aterkalla", methods=["POST"])
def exemption_revoke(exemption_id: int):
    exemption = db.session.get(Exemption, exemption_id) or abort(404)
    if forms.RevokeForm().validate_on_submit():
        try:
            services.revoke_exemption(db.session, exemption=exemption, actor=current_user)
            db.session.commit()
            flash(_("Undantaget är återkallat."), "success")
        except services.Rejected as exc:
            db.session.rollback()
            flash(str(exc), "error")
    return redirect(url_for("units.person", employee_id=exemption.employee_id))


# --- manual records ----------------------------------------------------------------------------


@bp.route("/personal/<int:employee_id>/registrera", methods=["GET", "POST"])
def external_record(employee_id: int):
    employee = db.session.get(Employee, employee_id) or abort(404)
    form = forms.ExternalRecordForm()
    form.course_id.choices = with_placeholder(
        _("Välj kurs …"),
        [SelectChoice(0, _("Ingen kurs i Värna (annan utbildning)"))]
        + [SelectChoice(c.id, c.title) for c in services.courses(db.session)],
    )
    if form.validate_on_submit():
        path = None
        try:
            upload = form.evidence.data
            if upload and getattr(upload, "filename", ""):
                path = evidence.store(
                    current_app.config["UPLOAD_DIR"], upload.filename, upload.read()
                )
            course = db.session.get(Course, form.course_id.data) if form.course_id.data else None
            services.record_external(
                db.session,
                employee=employee,
                course=course,
                title=form.title.data or "",
                completed_on=form.completed_on.data,
                reason=form.reason.data,
                evidence_path=path,
                actor=current_user,
                today=dates.today(),
            )
            db.session.commit()
            flash(
                _("Utbildningen är registrerad för %(name)s.", name=employee.full_name), "success"
            )
            return redirect(url_for("units.person", employee_id=employee.id))
        except evidence.EvidenceRejected as exc:
            form.evidence.errors = [*form.evidence.errors, str(exc)]
        except services.Rejected as exc:
            db.session.rollback()
            if path:
                _discard(path)
            form.reason.errors = [*form.reason.errors, str(exc)]
    return render_template("admin/requirements/external.html", form=form, employee=employee)


def _discard(relative: str) -> None:
    found = evidence.resolve(current_app.config["UPLOAD_DIR"], relative)
    if found is not None:
        found.unlink(missing_ok=True)


@bp.route("/underlag/<int:completion_id>")
def evidence_file(completion_id: int):
    completion = db.session.get(Completion, completion_id) or abort(404)
    path = services.view_evidence(
        db.session,
        completion=completion,
        viewer=current_user,
        upload_dir=current_app.config["UPLOAD_DIR"],
    )
    if path is None:
        abort(404)
    db.session.commit()
    kind = evidence.kind_of(path.read_bytes()[:16])
    return send_file(
        path,
        mimetype=kind[1] if kind else "application/octet-stream",
        as_attachment=True,
        download_name=f"intyg-{completion.id}.{path.suffix.lstrip('.')}",
    )


# --- delegation -------------------------------------------------------------------------------


@bp.route("/delegeringar", methods=["GET", "POST"])
def delegations():
    form = DelegationForm.for_hr()
    today = dates.today()
    if form.validate_on_submit():
        unit = org.unit_by_code(db.session, form.unit_code.data)
        if unit is None:
            form.unit_code.errors = [_("Det finns ingen enhet med den koden.")]
        else:
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
                return redirect(url_for("admin.delegations"))
    rows = delegation.delegations(db.session, within=None, today=today)
    return render_template(
        "admin/requirements/delegations.html",
        form=form,
        rows=rows,
        end_endpoint="admin.delegation_end",
    )


@bp.route("/delegeringar/<int:delegation_id>/avsluta", methods=["POST"])
def delegation_end(delegation_id: int):
    row = delegation.find(db.session, delegation_id) or abort(404)
    # CSRFProtect has already checked the token of every POST.
    delegation.end(db.session, delegation=row, actor=current_user, today=dates.today())
    db.session.commit()
    flash(_("Delegeringen är avslutad."), "success")
    return redirect(url_for("admin.delegations"))
