from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from app.labels import STATUS
from app.models import Status


def unit_code_field() -> StringField:
    """A unit code that limits a choice to that unit and the units below it (the export
    form, an API token); empty means the whole municipality."""
    return StringField(
        _l("Enhetskod"),
        validators=[
            Optional(),
            Length(max=64),
            Regexp(r"^[^\x00-\x1f\x7f]*$", message=_l("Koden får inte innehålla styrtecken.")),
        ],
        description=_l("Tomt = hela kommunen. Annars enheten och alla enheter under den."),
    )


class TargetForm(FlaskForm):
    percent = IntegerField(
        _l("Mål för täckningen (procent)"),
        validators=[
            DataRequired(_l("Fyll i ett mål mellan 1 och 100.")),
            NumberRange(min=1, max=100, message=_l("Målet ska vara mellan 1 och 100 procent.")),
        ],
        description=_l("Andel av alla krav som ska vara genomförda, t.ex. 90."),
    )
    by = DateField(
        _l("Senast (datum)"),
        validators=[Optional()],
        description=_l("Det datum målet ska vara nått. Lämna tomt för ett mål utan datum."),
    )
    submit = SubmitField(_l("Spara målet"))


class ExportForm(FlaskForm):
    """The choices for a download. The file comes only from a POST with the CSRF token:
    an export is an audited copy of personal data, which no cross-site link may start."""

    typ = SelectField(
        _l("Vad"),
        choices=[
            SelectChoice("records", _l("Utbildningsregister (en rad per genomförande)")),
            SelectChoice("coverage", _l("Täckning (enhet × nivå × kurs, antal per status)")),
        ],
    )
    format = SelectField(
        _l("Format"),
        choices=[
            SelectChoice("csv", _l("CSV för Excel (semikolon)")),
            SelectChoice("xlsx", _l("Excel-arbetsbok (XLSX)")),
        ],
    )
    enhet = unit_code_field()
    kurs = SelectField(_l("Kurs"), coerce=str, validators=[Optional()])
    fran = DateField(_l("Genomförd från och med"), validators=[Optional()])
    till = DateField(_l("Genomförd till och med"), validators=[Optional()])
    status = SelectField(
        _l("Status"),
        validators=[Optional()],
        choices=[
            SelectChoice("", _l("Alla")),
            *[
                SelectChoice(s.value, STATUS[s])
                for s in (Status.COMPLETED, Status.EXPIRING, Status.EXPIRED)
            ],
            *[
                SelectChoice(s.value, _l("%(status)s (bara täckning)", status=STATUS[s]))
                for s in (Status.OVERDUE, Status.PENDING)
            ],
        ],
    )
    submit = SubmitField(_l("Ladda ned"))


class EvaluationExportForm(FlaskForm):
    """The evaluation and knowledge figures (aggregated, masked) as a file: POST + CSRF."""

    format = SelectField(
        _l("Format"),
        choices=[
            SelectChoice("csv", _l("CSV för Excel (semikolon)")),
            SelectChoice("xlsx", _l("Excel-arbetsbok (XLSX)")),
        ],
    )
    submit = SubmitField(_l("Ladda ned siffrorna"))
