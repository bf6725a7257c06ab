from __future__ import annotations

import sqlalchemy as sa
from flask import render_template
from flask_login import current_user, login_required

from app.extensions import db
from app.learning import bp
from app.models import Completion


@bp.route("/")
@login_required
def index():
    history = db.session.scalars(
        sa.select(Completion)
        .where(Completion.employee_id == current_user.id)
        .order_by(Completion.completed_at.desc())
    ).all()
    return render_template("learning/index.html", history=history)
