"""HR's page for API tokens: create (shown once), list, revoke."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp

from app.api import services, tokens_bp
from app.auth import access
from app.extensions import db
from app.models import ApiToken


class TokenForm(FlaskForm):
    name = StringField(
        _l("Namn på nyckeln"),
        validators=[
            DataRequired(_l("Ge nyckeln ett namn.")),
            Length(max=200),
            Regexp(r"^[^\x00-\x1f\x7f]*$", message=_l("Namnet får inte innehålla styrtecken.")),
        ],
        description=_l("Vilket system som ska använda den, t.ex. ”Lönesystemet”."),
    )
    submit = SubmitField(_l("Skapa nyckel"))


class RevokeForm(FlaskForm):
    submit = SubmitField(_l("Återkalla"))


@tokens_bp.before_request
@access.require(access.can_export)
def _only_hr() -> None:
    """API tokens give access to training records: HR only."""


@tokens_bp.route("/", methods=["GET", "POST"])
def index():
    form = TokenForm()
    plain = None
    if form.validate_on_submit():
        token, plain = services.create_token(db.session, name=form.name.data, actor=current_user)
        db.session.commit()
        form = TokenForm(formdata=None)
    return render_template(
        "api/tokens.html",
        form=form,
        plain=plain,
        tokens=services.list_tokens(db.session),
        revoke_form=RevokeForm(),
    )


@tokens_bp.post("/<int:token_id>/aterkalla")
def revoke(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None:
        abort(404)
    if RevokeForm().validate_on_submit():
        services.revoke_token(db.session, token=token, actor=current_user)
        db.session.commit()
        flash(_("Nyckeln %(name)s är återkallad.", name=token.name), "success")
    return redirect(url_for("api_tokens.index"))
