"""HR's page for API tokens: create (scoped, expiring, shown once), list, revoke."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectMultipleField, StringField, SubmitField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Regexp,
    ValidationError,
)

from app import args, dates, org
from app.api import services, tokens_bp
from app.auth import access
from app.extensions import db
from app.models import ApiToken
from app.reports.forms import unit_code_field

SCOPE_NAMES = {
    "completions": _l("Utbildningsposter (personuppgifter: anställningsnummer, kurs, datum)"),
    "units": _l("Enheter"),
    "courses": _l("Kurser"),
    "coverage": _l("Täckning per enhet (antal, inga namn)"),
}


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


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
    scopes = CheckboxesField(
        _l("Vad nyckeln får läsa"),
        choices=[SelectChoice(k, v) for k, v in SCOPE_NAMES.items()],
        validators=[InputRequired(_l("Välj minst en sak som nyckeln får läsa."))],
        description=_l("Välj bara det systemet behöver."),
    )
    unit_code = unit_code_field()
    expires_on = DateField(
        _l("Giltig till och med"),
        validators=[DataRequired(_l("Ange sista dagen nyckeln ska fungera (ÅÅÅÅ-MM-DD)."))],
    )
    submit = SubmitField(_l("Skapa nyckel"))

    def validate_expires_on(self, field: DateField) -> None:
        today, latest = dates.today(), services.latest_expiry(dates.today())
        if field.data < today or field.data > latest:
            raise ValidationError(
                _(
                    "Sista dagen ska vara mellan %(today)s och %(latest)s (högst %(months)s månader).",
                    today=today.isoformat(),
                    latest=latest.isoformat(),
                    months=services.MAX_MONTHS,
                )
            )


class RevokeForm(FlaskForm):
    submit = SubmitField(_l("Återkalla"))


@tokens_bp.before_request
@access.require(access.can_export)
def _only_hr() -> None:
    """API tokens give access to training records: HR only."""


def _new_form(**kwargs) -> TokenForm:
    form = TokenForm(**kwargs)
    form.expires_on.description = _(
        "Högst %(months)s månader: senast %(latest)s. Nyckeln slutar också fungera om du "
        "inte längre är HR-administratör.",
        months=services.MAX_MONTHS,
        latest=services.latest_expiry(dates.today()).isoformat(),
    )
    return form


@tokens_bp.route("/", methods=["GET", "POST"])
def index():
    form = _new_form()
    plain = None
    if form.validate_on_submit():
        unit = None
        if form.unit_code.data:
            unit = org.unit_by_code(db.session, form.unit_code.data)
            if unit is None:
                form.unit_code.errors.append(
                    _("Ingen enhet har koden %(code)s.", code=form.unit_code.data)
                )
        if not form.unit_code.errors:
            _token, plain = services.create_token(
                db.session,
                name=form.name.data,
                actor=current_user,
                expires_on=form.expires_on.data,
                scopes=form.scopes.data,
                unit=unit,
            )
            db.session.commit()
            form = _new_form(formdata=None)
    tokens = services.list_tokens(db.session)
    return render_template(
        "api/tokens.html",
        form=form,
        plain=plain,
        tokens=tokens,
        scope_names=SCOPE_NAMES,
        units=services.token_units(db.session, tokens),
        refusals={t.id: services.refusal(db.session, t) for t in tokens},
        revoke_form=RevokeForm(),
    )


@tokens_bp.post("/<int:token_id>/aterkalla")
def revoke(token_id: int):
    token = db.session.get(ApiToken, token_id) if args.is_id(str(token_id)) else None
    if token is None:
        abort(404)
    if RevokeForm().validate_on_submit():
        services.revoke_token(db.session, token=token, actor=current_user)
        db.session.commit()
        flash(_("Nyckeln %(name)s är återkallad.", name=token.name), "success")
    return redirect(url_for("api_tokens.index"))
