"""HR's side: imports, requirements, people, audit log."""

from flask import Blueprint

bp = Blueprint("admin", __name__, template_folder="templates")

from app.admin import routes  # noqa: E402,F401
from app.admin.imports import routes as _import_routes  # noqa: E402,F401
from app.admin.requirements import routes as _requirements  # noqa: E402,F401
