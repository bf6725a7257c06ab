"""The one way a delegation form is granted, for HR's page and the manager's page alike."""

from __future__ import annotations

from datetime import date

from flask import flash
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.models import OrgUnit
from app.units import delegation


def grant_from_form(form, unit: OrgUnit, *, today: date) -> bool:
    """Grant what the form asks for and commit; False, with the form's errors set, if refused."""
    deputy = delegation.find_person(db.session, form.deputy.data)
    if deputy is None:
        form.deputy.errors = [_("Ingen person med den e-postadressen eller det numret.")]
        return False
    try:
        delegation.grant(
            db.session,
            unit=unit,
            deputy=deputy,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            actor=current_user,
            today=today,
        )
    except delegation.DelegationRejected as exc:
        db.session.rollback()
        form.ends_on.errors = [str(exc)]
        return False
    db.session.commit()
    flash(
        _("%(name)s ser %(unit)s under perioden.", name=deputy.full_name, unit=unit.name),
        "success",
    )
    return True
