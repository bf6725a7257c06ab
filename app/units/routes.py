from __future__ import annotations

import sqlalchemy as sa
from flask import render_template, request
from flask_login import current_user

from app.auth import access
from app.extensions import db
from app.models import OrgUnit
from app.units import bp, services


@bp.route("/")
@access.require(lambda u: access.is_manager(u) or access.is_hr(u))
def index():
    if access.is_hr(current_user):
        units = list(
            db.session.scalars(
                sa.select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.name)
            )
        )
    else:
        units = access.managed_units(current_user)
    rows = services.subtree_headcounts(db.session, units)
    return render_template("units/index.html", rows=rows)


@bp.route("/<int:unit_id>")
@access.require(lambda u: access.is_manager(u) or access.is_hr(u))
def show(unit_id: int):
    unit = access.require_unit(current_user, db.session.get(OrgUnit, unit_id))
    children = services.subtree_headcounts(db.session, services.child_units(db.session, unit))
    whole = request.args.get("hela", "1") != "0"
    page = db.paginate(
        services.people_stmt(unit, whole_subtree=whole), per_page=50, error_out=False
    )
    return render_template(
        "units/show.html",
        unit=unit,
        trail=services.ancestors(db.session, unit),
        children=children,
        page=page,
        whole=whole,
        can_see=lambda u: access.can_view_unit(current_user, u),
    )
