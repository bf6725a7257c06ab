from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from collections.abc import Callable

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
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter import RequestLimit
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from app import mail, sessions
from app.auth import bp, federation, invitations, services
from app.auth.forms import (
    LoginForm,
    LogoutForm,
    PasswordChangeForm,
    PasswordResetRequestForm,
    SetPasswordForm,
)
from app.extensions import db, limiter
from app.maintenance import privacy
from app.models import Employee

log = logging.getLogger(__name__)


_safe_next = sessions.safe_next


def _failed_login(response) -> bool:
    """Only failed attempts count: a successful login redirects."""
    return response.status_code != 302


def _reset_key() -> str:
    """ "Glömt lösenordet?" counts per account from any address, so nobody can flood a
    person's inbox with links. The key is a digest, so the rate-limit store holds no
    e-mail address; it needs no database look-up, so the request's time tells nothing."""
    email = services.normalise_email(request.form.get("email", ""))[:254]
    return "reset:" + hashlib.sha256(email.encode("utf-8", "replace")).hexdigest()[:32]


def _account_at_address_key() -> str:
    """Failed logins count per account *and* client address: someone guessing from one
    address cannot lock the person out from theirs (issue 15, L3)."""
    account = services.throttle_account(db.session, request.form.get("email", ""))
    return f"login:{account}:{get_remote_address()}"


def _login_refused(limit: RequestLimit) -> Response:
    """The login page again, with when to try and the way back in: a reset link."""
    minutes = max(1, math.ceil((limit.reset_at - time.time()) / 60))
    log.warning("login refused by the rate limit (%s) from %s", limit.limit, get_remote_address())
    flash(
        ngettext(
            "För många misslyckade inloggningar till kontot härifrån. Försök igen om "
            "%(num)s minut, eller välj ett nytt lösenord med ”Glömt lösenordet?”: länken "
            "fungerar även nu, och med det nya lösenordet kan du logga in direkt.",
            "För många misslyckade inloggningar till kontot härifrån. Försök igen om "
            "%(num)s minuter, eller välj ett nytt lösenord med ”Glömt lösenordet?”: länken "
            "fungerar även nu, och med det nya lösenordet kan du logga in direkt.",
            minutes,
        ),
        "error",
    )
    return make_response(render_template("auth/login.html", form=LoginForm()), 429)


@bp.route("/logga-in", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN_ACCOUNT"],
    key_func=_account_at_address_key,
    methods=["POST"],
    deduct_when=_failed_login,
    scope="login-account",
    on_breach=_login_refused,
)
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN_ADDRESS"],
    methods=["POST"],
    deduct_when=_failed_login,
    scope="login-address",
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("learning.index"))
    sessions.explain_end()  # when the session ended right here, or on a page open to all
    form = LoginForm()
    if request.method == "POST" and services.password_login_mode() == "off":
        services.refuse_password_login(db.session)
        db.session.commit()
        flash(_password_login_off_message(), "error")
        return render_template("auth/login.html", form=form), 403
    if form.validate_on_submit():
        try:
            employee = services.authenticate(
                db.session, email=form.email.data, password=form.password.data
            )
        except services.PasswordLoginOff:
            db.session.commit()
            flash(_password_login_off_message(), "error")
            return render_template("auth/login.html", form=form), 403
        if employee is None:
            db.session.commit()  # the failed attempt's audit event
            flash(_("Fel e-postadress eller lösenord."), "error")
            return render_template("auth/login.html", form=form), 200
        db.session.commit()
        sessions.begin_login(employee)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


def _password_login_off_message() -> str:
    if federation.configured_providers():
        return _(
            "Inloggning med lösenord är avstängd för ditt konto. Logga in med kommunens konto "
            "i stället."
        )
    return _("Inloggning med lösenord är avstängd för ditt konto. Kontakta HR.")


@bp.context_processor
def sign_in_options() -> dict:
    """What the login page offers: the identity providers first, then the password form."""
    return {
        "providers": federation.configured_providers(),
        "password_login": services.password_login_mode(),
    }


@bp.route("/konto/fortsatt", methods=["POST"])
@login_required
def keep_alive():
    """ "Fortsätt" in the warning before the idle limit: the request itself keeps the session."""
    return "", 204


@bp.route("/logga-ut", methods=["POST"])
def logout():
    form = LogoutForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        services.log_out(db.session, current_user._get_current_object())
        db.session.commit()
        logout_user()
    federated = session.get("federated")
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("Du är utloggad."), "info")
    # Värna's session has ended (everywhere); then the provider's, where it offers that.
    provider_logout = federation.provider_logout_url(federated)
    return redirect(provider_logout or url_for("auth.login"))


def _password_change_key() -> str:
    return f"password-change:{getattr(current_user, 'id', '-')}"


@bp.route("/konto/losenord", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN_ACCOUNT"],
    key_func=_password_change_key,
    methods=["POST"],
    deduct_when=lambda response: g.get("wrong_current_password", False),
    scope="password-change",
)
@login_required
def change_password():
    """A stolen session must not be a way to guess the password (issue 15, L10): wrong
    current passwords count per account like failed logins."""
    form = PasswordChangeForm()
    employee = current_user._get_current_object()
    if form.validate_on_submit():
        try:
            services.change_password(
                db.session,
                employee=employee,
                current_password=form.current_password.data,
                new_password=form.new_password.data,
            )
        except services.WrongPassword as exc:
            db.session.rollback()
            g.wrong_current_password = True
            form.current_password.errors.append(str(exc))
        except services.PasswordRejected as exc:
            db.session.rollback()
            form.new_password.errors.append(str(exc))
        else:
            db.session.commit()
            login_user(employee)  # the session token changed: keep this session
            flash(_("Ditt lösenord är bytt. Andra inloggningar har avslutats."), "success")
            return redirect(url_for("learning.index"))
    return render_template("auth/password.html", form=form)


@bp.route("/sprak", methods=["POST"])
def set_language():
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/konto/mina-uppgifter")
@login_required
def my_data():
    data = privacy.personal_data(db.session, current_user)
    return render_template("auth/my_data.html", data=data)


@bp.route("/konto/mina-uppgifter.json", methods=["GET", "POST"])
@login_required
def my_data_json():
    """The file comes from the page's form (POST, with its CSRF token): a link from another
    site cannot start an export. A GET (an old bookmark) opens the page instead."""
    if request.method == "GET":
        return redirect(url_for("auth.my_data"))
    data = privacy.export_self(db.session, current_user)
    db.session.commit()
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="mina-uppgifter-varna.json"'},
    )


@bp.route("/konto/mina-uppgifter/underlag/<int:completion_id>")
@login_required
def my_evidence(completion_id: int):
    """An evidence file behind one of the person's own records (only their own)."""
    completion = privacy.own_evidence(db.session, current_user, completion_id) or abort(404)
    path = privacy.download_own_evidence(
        db.session, current_user, completion, current_app.config["UPLOAD_DIR"]
    )
    if path is None:
        abort(404)
    db.session.commit()
    return send_file(path, as_attachment=True, download_name=privacy.evidence_name(completion))


@bp.route("/konto/inbjudan/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """A new account (from the HR import) sets its password through a single-use link."""
    employee = invitations.employee_for_token(db.session, token)
    if employee is None:
        return render_template("auth/invitation.html", form=None), 400
    return _choose_password(
        employee,
        "auth/invitation.html",
        saved=_("Ditt lösenord är sparat. Logga in med din e-postadress."),
    )


def _choose_password(
    employee: Employee, template: str, *, saved: str, on_saved: Callable[[], None] | None = None
):
    """The form behind an invitation or a reset link: a new password, then the login page."""
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
            if on_saved is not None:
                on_saved()
            db.session.commit()
            flash(saved, "success")
            return redirect(url_for("auth.login"))
    return render_template(template, form=form, employee=employee)


@bp.route("/konto/glomt-losenord", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN_ACCOUNT"],
    key_func=_reset_key,
    methods=["POST"],
    scope="password-reset-account",
)
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN_ADDRESS"],
    methods=["POST"],
    scope="password-reset-address",
)
def forgot_password():
    """Ask for a link to choose a new password. The answer never says whether the account exists.

    The request only queues the address (mail.background): looking it up, recording
    the link and sending the mail happen after the response, so the answer and its
    time are the same for every address, and a mail server that refuses or is down
    cannot show through (ASVS 2.5.x, review L1).
    """
    form = PasswordResetRequestForm()
    if form.validate_on_submit():
        mail.background.submit(
            current_app._get_current_object(),
            _send_reset_link,
            form.email.data,
            request.remote_addr,
        )
        flash(
            _(
                "Om adressen hör till ett konto i Värna har vi skickat en länk för att välja "
                "nytt lösenord. Kolla din e-post."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


def _send_reset_link(email: str, remote_addr: str | None) -> None:
    """After the response: record the link and its mail, then deliver it (or leave it queued)."""
    mail_id = services.request_password_reset(db.session, email=email, remote_addr=remote_addr)
    db.session.commit()
    if mail_id is not None:
        mail.deliver_queued(db.session, commit=db.session.commit, ids=[mail_id])


@bp.route("/konto/nytt-losenord/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password through a reset link: an hour, once, the latest link only."""
    reset = invitations.reset_for_token(db.session, token)
    if reset is None:
        return render_template("auth/reset_password.html", form=None), 400
    return _choose_password(
        db.session.get(Employee, reset.employee_id),
        "auth/reset_password.html",
        saved=_("Ditt nya lösenord är sparat. Logga in med din e-postadress."),
        on_saved=lambda: invitations.use_reset(db.session, reset),
    )
