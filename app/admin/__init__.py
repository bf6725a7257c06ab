"""HR's side: imports, requirements, people, audit log.

The blueprint only; its views (routes.py, imports/routes.py, requirements/routes.py)
are attached by the application factory, so importing a service loads no view.
"""

from flask import Blueprint

bp = Blueprint("admin", __name__, template_folder="templates")
