from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    # An employee number too: staff without an e-mail address sign in with it (sign-in
    # letters, app/auth/letters.py). The field keeps its name, "email".
    email = StringField(
        _l("E-postadress eller anställningsnummer"),
        validators=[
            DataRequired(_l("Fyll i din e-postadress eller ditt anställningsnummer.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Lösenord"),
        validators=[DataRequired(_l("Fyll i ditt lösenord.")), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Logga in"))


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        _l("Nuvarande lösenord"),
        validators=[DataRequired(_l("Fyll i ditt nuvarande lösenord.")), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("Nytt lösenord"),
        validators=[DataRequired(_l("Fyll i ett nytt lösenord.")), Length(max=1000)],
        description=_l(
            "Minst 12 tecken. En fras av flera ord är lätt att minnas och svår att gissa."
        ),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Upprepa det nya lösenordet"),
        validators=[
            DataRequired(_l("Upprepa det nya lösenordet.")),
            EqualTo("new_password", _l("Lösenorden är inte lika.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Byt lösenord"))


class LogoutForm(FlaskForm):
    submit = SubmitField(_l("Logga ut"))


class SetPasswordForm(FlaskForm):
    """A new account chooses its password from an invitation link."""

    new_password = PasswordField(
        _l("Välj lösenord"),
        validators=[DataRequired(_l("Fyll i ett lösenord.")), Length(max=1000)],
        description=_l(
            "Minst 12 tecken. En fras av flera ord är lätt att minnas och svår att gissa."
        ),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Upprepa lösenordet"),
        validators=[
            DataRequired(_l("Upprepa lösenordet.")),
            EqualTo("new_password", _l("Lösenorden är inte lika.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Spara lösenord"))


class PasswordResetRequestForm(FlaskForm):
    email = EmailField(
        _l("E-postadress"),
        validators=[DataRequired(_l("Fyll i din e-postadress.")), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    submit = SubmitField(_l("Skicka länk"))


class ConfirmForm(FlaskForm):
    """Only a CSRF token: for a one-button action."""


class LetterCodeForm(FlaskForm):
    """The code from a sign-in letter (app/auth/letters.py)."""

    code = StringField(
        _l("Kod från inloggningsbrevet"),
        validators=[DataRequired(_l("Fyll i koden från brevet.")), Length(max=100)],
        description=_l("16 tecken, till exempel K7QM-3XTA-9PRW-2HDN. Stora eller små bokstäver."),
        render_kw={
            "autocomplete": "one-time-code",
            "autocapitalize": "characters",
            "spellcheck": "false",
        },
    )
    submit = SubmitField(_l("Fortsätt"))
