"""Coverage computation, reports, exports, charts.

The blueprint only; routes.py is attached by the application factory.
"""

from flask import Blueprint

bp = Blueprint("reports", __name__, template_folder="templates")
