from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from app import dates
from app.admin.requirements.services import REASON_OTHER, REASON_PERSONAL
from app.choices import optional_int
from app.labels import LEVEL_GROUP


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class RequirementForm(FlaskForm):
    course_id = SelectField(
        _l("Kurs"), coerce=optional_int, validators=[InputRequired(_l("Välj en kurs."))]
    )
    name = StringField(
        _l("Namn på regeln"),
        validators=[Optional(), Length(max=200)],
        description=_l("Frivilligt, t.ex. ”Grundkurs för alla”."),
    )
    levels = CheckboxesField(
        _l("Nivåer"),
        choices=[SelectChoice(k.value, v) for k, v in LEVEL_GROUP.items()],
        description=_l("Ingen vald: alla nivåer."),
    )
    unit_code = StringField(
        _l("Enhetskod"),
        validators=[Optional(), Length(max=64)],
        description=_l("Enheten och allt under den. Tomt: hela kommunen."),
    )
    tags = StringField(
        _l("Yrkestaggar"),
        validators=[Optional(), Length(max=1000)],
        description=_l("Kommaseparerade, t.ex. ”socialsekreterare, lärare”. Tomt: alla yrken."),
    )
    due_days = IntegerField(
        _l("Dagar att bli klar"),
        default=90,
        validators=[InputRequired(_l("Ange antal dagar.")), NumberRange(min=0, max=3650)],
        description=_l(
            "Räknas från när personen kommer in i målgruppen (anställs, byter enhet eller nivå), "
            "eller från regelns startdatum för dem som redan är där."
        ),
    )
    valid_months = IntegerField(
        _l("Giltighet i månader"),
        validators=[Optional(), NumberRange(min=1, max=240)],
        description=_l("Tomt: kursens egen giltighet."),
    )
    legal_basis = TextAreaField(
        _l("Rättslig grund"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Visas för medarbetaren, t.ex. ”Diskrimineringslagen 3 kap. 6 §”."),
    )
    starts_on = DateField(
        _l("Gäller från"), default=dates.today, validators=[DataRequired(_l("Ange ett datum."))]
    )
    ends_on = DateField(_l("Gäller till och med"), validators=[Optional()])
    preview = SubmitField(_l("Förhandsgranska"))
    save = SubmitField(_l("Spara regeln"))


class EndRequirementForm(FlaskForm):
    ends_on = DateField(
        _l("Sista dag regeln gäller"),
        default=dates.today,
        validators=[DataRequired(_l("Ange ett datum."))],
        id="end-ends_on",  # shown below the rule's own form, which has an "ends_on" too
    )
    submit = SubmitField(_l("Avsluta regeln"))


class ExemptionForm(FlaskForm):
    """The reason: a neutral choice ("Personliga skäl") needs no text; any other needs a few words.

    Review 2026-11 §3.5: a person living with violence may need to be excused without telling
    why, and what HR writes here is shown to the person and kept: never health or violence.
    """

    requirement_id = SelectField(
        _l("Regel"), coerce=optional_int, validators=[InputRequired(_l("Välj en regel."))]
    )
    reason_code = RadioField(
        _l("Skäl"),
        choices=[
            SelectChoice(REASON_PERSONAL, _l("Personliga skäl (inget mer behöver skrivas)")),
            SelectChoice(REASON_OTHER, _l("Annat skäl, skrivet nedan")),
        ],
        validators=[Optional()],
        description=_l(
            "Välj personliga skäl när personen inte vill eller behöver berätta varför. "
            "Fråga inte efter mer."
        ),
    )
    reason = TextAreaField(
        _l("Skälet i text"),
        validators=[Length(max=2000)],
        description=_l(
            "Frivilligt vid personliga skäl. T.ex. tjänstledig, eller har motsvarande "
            "utbildning. Skriv aldrig något om hälsa, sjukdom eller våld, inte heller om "
            "personen själv har berättat det: personen kan läsa skälet, och det sparas."
        ),
    )
    submit = SubmitField(_l("Undanta"))

    def validate_reason(self, field) -> None:
        if self.reason_code.data != REASON_PERSONAL and not (field.data or "").strip():
            raise ValidationError(_l("Ange ett skäl."))


class RevokeForm(FlaskForm):
    submit = SubmitField(_l("Återkalla undantaget"))


class ExternalRecordForm(FlaskForm):
    course_id = SelectField(
        _l("Kurs"), coerce=optional_int, validators=[InputRequired(_l("Välj en kurs."))]
    )
    title = StringField(
        _l("Utbildningens namn"),
        validators=[Optional(), Length(max=300)],
        description=_l(
            "T.ex. den nationella webbutbildningen om våld. Krävs om ingen kurs är vald."
        ),
    )
    completed_on = DateField(_l("Genomförd den"), validators=[DataRequired(_l("Ange ett datum."))])
    reason = TextAreaField(
        _l("Underlag och skäl"),
        validators=[DataRequired(_l("Ange vad registreringen grundar sig på.")), Length(max=2000)],
    )
    evidence = FileField(
        _l("Intyg (PDF, PNG eller JPEG, högst 10 MB)"),
        description=_l("Frivilligt men rekommenderat."),
    )
    submit = SubmitField(_l("Registrera"))
