from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from app.admin.imports.mapping import default_mapping_text


class ImportForm(FlaskForm):
    units_file = FileField(
        _l("Enhetsfil (CSV)"),
        validators=[FileRequired(_l("Välj enhetsfilen från HR-systemet."))],
        description=_l("Enheterna med kod, namn, överordnad enhet och chef."),
    )
    staff_file = FileField(
        _l("Personalfil (CSV)"),
        validators=[FileRequired(_l("Välj personalfilen från HR-systemet."))],
        description=_l("All personal med anställningsnummer, enhet och personalkategori."),
    )
    mapping_choice = RadioField(
        _l("Kolumnmappning"),
        choices=[
            SelectChoice("standard", _l("Standard (rubrikerna i Exempelbys HR-export)")),
            SelectChoice("egen", _l("Egen mappning, enligt rutan nedan")),
        ],
        default="standard",
    )
    mapping_text = TextAreaField(
        _l("Egen mappning (TOML)"),
        validators=[Length(max=20_000)],
        default=default_mapping_text,
        description=_l("Värnas fält = rubriken i er fil. Används bara när Egen mappning är vald."),
        render_kw={"rows": 18, "spellcheck": "false"},
    )
    encoding = SelectField(
        _l("Teckenkodning"),
        choices=[
            SelectChoice("", _l("Känn igen automatiskt")),
            SelectChoice("utf-8", "UTF-8"),
            SelectChoice("windows-1252", "Windows-1252"),
        ],
        default="",
    )
    invite = BooleanField(_l("Skicka inbjudan med e-post till nya konton"), default=True)
    submit = SubmitField(_l("Provkör importen"))


class ConfirmForm(FlaskForm):
    fingerprint = HiddenField()
    submit = SubmitField(_l("Genomför importen"))
