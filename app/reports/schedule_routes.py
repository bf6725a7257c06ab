"""HR's page for the monthly status report by e-mail: recipients and day (reports.schedule)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField

from app.auth import access
from app.extensions import db
from app.reports import bp, schedule


class ScheduleForm(FlaskForm):
    recipients = TextAreaField(
        _l("Mottagare"),
        description=_l(
            "E-postadresser, en per rad. Varje mottagare får lägesrapporten som PDF en gång i "
            "månaden, med små grupper dolda som för rapportläsare."
        ),
        render_kw={"rows": 6, "autocomplete": "off", "spellcheck": "false"},
    )
    day = StringField(
        _l("Dag i månaden"),
        description=_l(
            "1–28. Rapporten skickas den dagen, eller nästa körning samma månad om den dagen "
            "missades. Töm fälten för att sluta skicka."
        ),
        render_kw={"inputmode": "numeric", "size": 4},
    )
    submit = SubmitField(_l("Spara utskicket"))


@bp.route("/lagesrapport/utskick", methods=["GET", "POST"])
@access.require(access.can_administer)
def status_schedule():
    current = schedule.get_schedule(db.session)
    form = ScheduleForm()
    if not form.is_submitted():
        form.recipients.data = "\n".join(current.recipients)
        form.day.data = str(current.day or "")
    if form.validate_on_submit():
        try:
            schedule.set_schedule(
                db.session, recipients=form.recipients.data, day=form.day.data, actor=current_user
            )
        except schedule.InvalidSchedule as error:
            db.session.rollback()
            for name, messages in error.problems.items():
                form[name].errors = list(messages)
        else:
            db.session.commit()
            flash(_("Utskicket av lägesrapporten är sparat."), "success")
            return redirect(url_for("reports.status_schedule"))
    return render_template(
        "reports/schedule.html",
        form=form,
        current=current,
        can_see_people=access.can_view_people_reports(current_user),
        can_export=access.can_export(current_user),
    )
