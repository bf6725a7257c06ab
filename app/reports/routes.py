from __future__ import annotations

from flask import render_template
from flask_login import current_user

from app.auth import access
from app.extensions import db
from app.reports import bp, services


@bp.route("/")
@access.require(access.can_view_reports)
def index():
    within = None if access.can_view_all_units(current_user) else access.managed_paths(current_user)
    tops = services.administrations(db.session, within)
    matrix = services.headcount_matrix(db.session, tops)
    return render_template(
        "reports/index.html",
        matrix=matrix,
        hide_small=access.is_reporter(current_user) and not access.is_hr(current_user),
        small=services.SMALL_GROUP,
    )
