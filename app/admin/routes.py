from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import args, mail
from app.admin import bp, services
from app.auth import access, invitations, letters
from app.auth.forms import ConfirmForm
from app.extensions import db
from app.models import Employee

REFUSED_SHOWN = 100  # addresses the mail server refused, on the administration page


@bp.before_request
@access.require(access.can_administer)
def _only_hr() -> None:
    """Every page of this blueprint is HR's."""


@bp.route("/")
def index():
    refused = db.session.execute(mail.refused_addresses().limit(REFUSED_SHOWN)).all()
    return render_template(
        "admin/index.html", overview=services.overview(db.session), refused=refused
    )


@bp.route("/personal")
def people():
    query = request.args.get("q", "")[:200]
    include_inactive = request.args.get("alla") == "1"
    page = db.paginate(
        services.people_stmt(query, include_inactive=include_inactive),
        page=args.page_number(request.args),
        per_page=50,
        error_out=False,
    )
    services.record_search(
        db.session,
        viewer=current_user,
        shown=page.items,
        page=page.page,
        include_inactive=include_inactive,
    )
    html = render_template(
        "admin/people.html", page=page, query=query, include_inactive=include_inactive
    )
    db.session.commit()  # after rendering: a commit would expire the people shown
    return html


@bp.route("/personal/<int:employee_id>")
def person(employee_id: int):
    employee = access.require_employee(current_user, db.session.get(Employee, employee_id))
    services.view_person(db.session, viewer=current_user, employee=employee)
    db.session.commit()
    refused = db.session.execute(mail.refused_addresses([employee.id])).first()
    return render_template(
        "admin/person.html",
        employee=employee,
        invite_form=ConfirmForm(prefix="invite"),
        refused=refused,
        letter=letters.valid_letter_of(db.session, employee),
        can_print_letter=access.can_print_letter(current_user, employee),
    )


@bp.route("/personal/<int:employee_id>/inbjudan", methods=["POST"])
def resend_invitation(employee_id: int):
    """Send the person a new link to choose a password (a lost invitation, a forgotten one)."""
    employee = access.require_employee(current_user, db.session.get(Employee, employee_id))
    if not ConfirmForm(prefix="invite").validate_on_submit():
        abort(400)
    if not employee.active or not employee.email:
        flash(_("Personen är avslutad eller saknar e-postadress; ingen länk skickades."), "error")
        return redirect(url_for("admin.person", employee_id=employee.id))
    sent = invitations.resend_invitation(db.session, employee=employee, actor=current_user)
    db.session.commit()
    if sent:
        flash(
            _(
                "En ny länk för att välja lösenord har skickats till %(email)s.",
                email=employee.email,
            ),
            "success",
        )
    else:
        flash(
            _(
                "E-postservern tog inte emot brevet till %(email)s; försök igen senare eller "
                "kontrollera adressen.",
                email=employee.email,
            ),
            "error",
        )
    return redirect(url_for("admin.person", employee_id=employee.id))


@bp.route("/logg")
def audit_log():
    action = request.args.get("typ", "")[:64]
    page = db.paginate(
        services.audit_stmt(action),
        page=args.page_number(request.args),
        per_page=50,
        error_out=False,
    )
    services.record_audit_log_view(db.session, viewer=current_user, action=action, page=page.page)
    html = render_template("admin/audit.html", page=page, action=action)
    db.session.commit()  # after rendering: a commit would expire the events shown
    return html
