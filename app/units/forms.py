from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app import dates


class SessionForm(FlaskForm):
    course_id = SelectField(_l("Kurs"), coerce=int, validators=[InputRequired()])
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


class DelegateForm(FlaskForm):
    unit_id = SelectField(_l("Enhet"), coerce=int, validators=[InputRequired()])
    deputy = StringField(
        _l("Ställföreträdare (e-post eller anställningsnummer)"),
        validators=[DataRequired(_l("Ange vem som ska få behörigheten.")), Length(max=254)],
    )
    starts_on = DateField(
        _l("Från och med"), default=dates.today, validators=[DataRequired(_l("Ange ett datum."))]
    )
    ends_on = DateField(_l("Till och med"), validators=[DataRequired(_l("Ange ett datum."))])
    submit = SubmitField(_l("Ge behörighet"))
