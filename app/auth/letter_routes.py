"""Sign-in letters (app/auth/letters.py): printing and revoking them (a manager or HR, under
/enheter/), and the person's way in with the code (/logga-in/kod)."""

from __future__ import annotations

import logging
import math
import time
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter import RequestLimit
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app import args, dates, mail, sessions
from app.auth import access, bp, letters, services
from app.auth.forms import LetterCodeForm, SetPasswordForm
from app.extensions import db, limiter
from app.models import Employee
from app.units import bp as units_bp

log = logging.getLogger(__name__)

MAX_LETTERS = 300  # in one print: a unit's people page at a time
SESSION_KEY = "sign_in_letter"

manager_or_hr = access.require(lambda u: access.is_manager(u) or access.is_hr(u))


def _refused_text() -> str:
    return _(
        "Koden gäller inte. Den kan vara felskriven, redan använd, återkallad eller för "
        "gammal. Kontrollera koden, eller be din chef om ett nytt brev."
    )


# --- the person's side ---------------------------------------------------------------------


def _code_refused(limit: RequestLimit) -> Response:
    minutes = max(1, math.ceil((limit.reset_at - time.time()) / 60))
    log.warning(
        "sign-in code refused by the rate limit (%s) from %s", limit.limit, get_remote_address()
    )
    form = LetterCodeForm()
    form.code.errors = [
        ngettext(
            "För många felaktiga koder härifrån. Försök igen om %(num)s minut, eller be din "
            "chef om hjälp.",
            "För många felaktiga koder härifrån. Försök igen om %(num)s minuter, eller be din "
            "chef om hjälp.",
            minutes,
        )
    ]
    return make_response(render_template("auth/letter_code.html", form=form), 429)


@bp.route("/logga-in/kod", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["RATELIMIT_SIGN_IN_CODE"],
    methods=["POST"],
    deduct_when=lambda response: g.get("letter_refused", False),
    scope="sign-in-code",
    on_breach=_code_refused,
)
def letter_code():
    """The code from a sign-in letter (typed, or filled in from the QR code's ?kod=)."""
    form = LetterCodeForm()
    if request.method == "GET" and request.args.get("kod"):
        form.code.data = request.args.get("kod", "")[:100]
    if form.validate_on_submit():
        try:
            letter = letters.check(db.session, form.code.data)
        except letters.LetterRefused:
            db.session.commit()  # the refusal's audit event
            g.letter_refused = True
            form.code.errors.append(_refused_text())
            return render_template("auth/letter_code.html", form=form), 400
        session[SESSION_KEY] = letter.id
        return redirect(url_for("auth.letter_password"))
    return render_template("auth/letter_code.html", form=form)


@bp.route("/logga-in/kod/losenord", methods=["GET", "POST"])
def letter_password():
    """After a good code: choose a password, then logged in. The letter is used up only when
    the password is saved, so a person interrupted here can start again with the code."""
    letter = letters.usable(db.session, session.get(SESSION_KEY))
    if letter is None:
        session.pop(SESSION_KEY, None)
        form = LetterCodeForm()
        form.code.errors = [_refused_text()]
        return render_template("auth/letter_code.html", form=form), 400
    employee = db.session.get(Employee, letter.employee_id)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(
                db.session, employee=employee, password=form.new_password.data, actor=employee
            )
        except services.PasswordRejected as exc:
            db.session.rollback()
            form.new_password.errors.append(str(exc))
        else:
            mail_id = letters.use(db.session, letter)
            employee.last_login_at = dates.now()
            db.session.commit()
            if mail_id is not None:  # a refusal or a server that is down is kept, not shown
                mail.deliver_queued(db.session, commit=db.session.commit, ids=[mail_id])
            sessions.begin_login(employee)  # the letter's id goes with the old session
            flash(
                _(
                    "Ditt lösenord är sparat och du är inloggad. Nästa gång loggar du in med "
                    "ditt anställningsnummer %(number)s och lösenordet.",
                    number=employee.employee_number,
                ),
                "success",
            )
            return redirect(url_for("learning.index"))
    return render_template("auth/letter_password.html", form=form, employee=employee)


# --- printing and revoking (a manager or HR) ----------------------------------------------------


def _back(target: str | None, fallback: str) -> str:
    """Back to the unit page or HR's person page the form came from; nowhere else."""
    if target and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and parts.path.startswith(("/enheter/", "/admin/personal/"))
        ):
            return target
    return fallback


@units_bp.route("/inloggningsbrev", methods=["POST"])
@manager_or_hr
def print_letters():
    """The chosen people's letters as one PDF, a page each. A person the printer may not
    print for (a tampered form) refuses the whole print: 403, nothing made."""
    back = _back(request.form.get("next_url"), url_for("units.index"))
    raw = request.form.getlist("employee_id")
    if not all(args.is_id(r) for r in raw):
        abort(400)
    ids = sorted({int(r) for r in raw})
    if not ids:
        flash(_("Välj minst en person att skriva ut inloggningsbrev för."), "error")
        return redirect(back)
    if len(ids) > MAX_LETTERS:
        flash(_("Högst %(num)s brev åt gången. Välj färre personer.", num=MAX_LETTERS), "error")
        return redirect(back)
    people = list(
        db.session.scalars(
            sa.select(Employee)
            .where(Employee.id.in_(ids))
            .order_by(Employee.last_name, Employee.first_name, Employee.id)
        )
    )
    if len(people) != len(ids):
        abort(404)
    if access.letter_printable_ids(current_user, people) != set(ids):
        abort(403)
    printed = letters.issue(db.session, employees=people, actor=current_user)
    body = letters.letters_pdf(printed, municipality=current_app.config["MUNICIPALITY_NAME"])
    db.session.commit()
    log.info("%s sign-in letters printed by employee %s", len(printed), current_user.id)
    return Response(
        body,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": (
                f'attachment; filename="inloggningsbrev-{dates.today().isoformat()}.pdf"'
            ),
            "Cache-Control": "no-store",
        },
    )


@units_bp.route("/inloggningsbrev/<int:letter_id>/aterkalla", methods=["POST"])
@manager_or_hr
def revoke_letter(letter_id: int):
    letter = letters.find(db.session, letter_id) or abort(404)
    employee = db.session.get(Employee, letter.employee_id)
    if employee is None or not access.can_print_letter(current_user, employee):
        abort(403)
    # CSRFProtect has already checked the token of every POST.
    if letters.revoke(db.session, letter=letter, actor=current_user):
        flash(
            _("Inloggningsbrevet till %(name)s är återkallat.", name=employee.full_name),
            "success",
        )
    else:
        flash(_("Brevet var redan använt eller återkallat."), "info")
    db.session.commit()
    return redirect(_back(request.form.get("next_url"), url_for("units.index")))
