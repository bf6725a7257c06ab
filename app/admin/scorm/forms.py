from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import IntegerField, StringField, SubmitField, TextAreaField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.admin.requirements.forms import CheckboxesField
from app.courses.scorm import SupportContact
from app.labels import LEVEL_GROUP, PREVENTION

MAX_SUPPORT = 10


class UploadForm(FlaskForm):
    package = FileField(
        _l("SCORM-paket (zip)"),
        validators=[
            FileRequired(_l("Välj zip-filen med kursen.")),
            FileAllowed(["zip"], _l("Välj en zip-fil (filnamnet slutar på .zip).")),
        ],
        description=_l(
            "SCORM 1.2 eller SCORM 2004 (3rd eller 4th Edition), med imsmanifest.xml överst "
            "i zip-filen. Samma paket igen med ändrat innehåll blir en ny version av kursen."
        ),
    )
    submit = SubmitField(_l("Läs in paketet"))


def parse_support(text: str) -> tuple[SupportContact, ...]:
    """One contact a line: "Namn | telefon | när man kan ringa"; only the name is required."""
    contacts = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) > 3:
            raise ValidationError(
                _l("Rad %(n)d har fler än tre delar; skriv namn | telefon | tider.", n=number)
            )
        parts += [""] * (3 - len(parts))
        if not parts[0]:
            raise ValidationError(_l("Rad %(n)d saknar namn.", n=number))
        if any(len(p) > 200 for p in parts):
            raise ValidationError(_l("Rad %(n)d är för lång (högst 200 tecken per del).", n=number))
        contacts.append(SupportContact(*parts))
    if len(contacts) > MAX_SUPPORT:
        raise ValidationError(_l("Högst %(n)d stödkontakter.", n=MAX_SUPPORT))
    return tuple(contacts)


def support_text(contacts: tuple[SupportContact, ...]) -> str:
    return "\n".join(" | ".join([c.name, c.phone, c.hours]).rstrip(" |") for c in contacts)


class SettingsForm(FlaskForm):
    summary = TextAreaField(
        _l("Sammanfattning"),
        validators=[Length(max=2000)],
        description=_l("Visas i kurslistan: vad kursen handlar om, i en eller två meningar."),
        render_kw={"rows": 3},
    )
    minutes = IntegerField(
        _l("Ungefärlig tid i minuter"),
        default=0,
        validators=[InputRequired(_l("Ange antal minuter (0 om okänt).")), NumberRange(0, 1440)],
    )
    levels = CheckboxesField(
        _l("Målgrupp"),
        choices=[SelectChoice(k.value, v) for k, v in LEVEL_GROUP.items()],
        description=_l(
            "Vilka nivåer kursen är skriven för. Kraven (vem som ska gå den) sätts under Krav."
        ),
    )
    prevention_levels = CheckboxesField(
        _l("Preventionsnivå"),
        choices=[SelectChoice(k.value, v) for k, v in PREVENTION.items()],
    )
    valid_months = IntegerField(
        _l("Giltighet i månader"),
        validators=[Optional(), NumberRange(1, 240)],
        description=_l("Hur länge en genomförd kurs gäller. Tomt: gäller tills vidare."),
    )
    content_warning = TextAreaField(
        _l("Innehållsvarning"),
        validators=[Length(max=2000)],
        description=_l("Visas innan kursen startar, t.ex. att den beskriver våld."),
        render_kw={"rows": 3},
    )
    support = TextAreaField(
        _l("Stödkontakter"),
        validators=[Length(max=5000)],
        description=_l(
            "En kontakt per rad: namn | telefon | när man kan ringa, "
            "t.ex. ”Kvinnofridslinjen | 020-50 50 50 | Dygnet runt”."
        ),
        render_kw={"rows": 4, "spellcheck": "false"},
    )
    submit = SubmitField(_l("Spara uppgifterna"))

    def validate_support(self, field: StringField) -> None:
        self.support_contacts = parse_support(field.data or "")
