"""The manager's side: my unit and the units below it; sessions, reminders, delegation.

The blueprint only; routes.py is attached by the application factory.
"""

from flask import Blueprint

bp = Blueprint("units", __name__, template_folder="templates")
