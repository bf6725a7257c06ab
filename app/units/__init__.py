"""The manager's side: my unit and the units below it."""

from flask import Blueprint

bp = Blueprint("units", __name__, template_folder="templates")

from app.units import routes  # noqa: E402,F401
