"""Forms of the manager's side: in-person sessions and delegation."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app import dates
from app.choices import optional_int, with_placeholder
from app.models import OrgUnit
from app.units.delegation import DelegationRejected


class SessionForm(FlaskForm):
    course_id = SelectField(
        _l("Kurs"), coerce=optional_int, validators=[InputRequired(_l("Välj en kurs."))]
    )
    title = StringField(
        _l("Rubrik"),
        validators=[Optional(), Length(max=300)],
        description=_l(
            "T.ex. ”APT: samtal om våld i nära relationer”. Krävs om ingen kurs är vald."
        ),
    )
    held_on = DateField(
        _l("Datum"), default=dates.today, validators=[DataRequired(_l("Ange ett datum."))]
    )
    place = StringField(_l("Plats"), validators=[Optional(), Length(max=300)])
    trainer = StringField(_l("Ledare"), validators=[Optional(), Length(max=200)])
    attendees_csv = FileField(
        _l("Eller: CSV-fil med anställningsnummer"),
        description=_l(
            "Ett anställningsnummer per rad (första kolumnen); en rubrikrad får finnas. "
            "Ersätter kryssen. Ett enda fel stoppar hela registreringen."
        ),
    )
    submit = SubmitField(_l("Registrera tillfället"))


class DelegationForm(FlaskForm):
    """Give a deputy a manager's view of a unit for a period: HR's page and the manager's.

    HR names any unit by its code (for_hr); a manager picks one of the units they
    lead (for_units). The field the page does not use is removed from the form, so
    it is neither shown nor validated.
    """

    unit_id = SelectField(
        _l("Enhet"), coerce=optional_int, validators=[InputRequired(_l("Välj en enhet."))]
    )
    deputy = StringField(
        _l("Ställföreträdare (e-post eller anställningsnummer)"),
        validators=[DataRequired(_l("Ange vem som ska få behörigheten.")), Length(max=254)],
    )
    unit_code = StringField(
        _l("Enhetskod"), validators=[DataRequired(_l("Ange en enhetskod.")), Length(max=64)]
    )
    starts_on = DateField(
        _l("Från och med"), default=dates.today, validators=[DataRequired(_l("Ange ett datum."))]
    )
    ends_on = DateField(_l("Till och med"), validators=[DataRequired(_l("Ange ett datum."))])
    submit = SubmitField(_l("Ge behörighet"))

    @classmethod
    def for_hr(cls) -> DelegationForm:
        form = cls()
        del form.unit_id
        return form

    @classmethod
    def for_units(cls, units: Iterable[OrgUnit]) -> DelegationForm:
        form = cls()
        del form.unit_code
        form.unit_id.choices = with_placeholder(
            _("Välj enhet …"), (SelectChoice(u.id, u.name) for u in units)
        )
        return form

    def refused(self, exc: DelegationRejected) -> None:
        """Show the service's refusal on the field it concerns."""
        self[exc.field].errors = [str(exc)]
