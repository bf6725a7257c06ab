"""Login, logout, password change; roles and access checks (access.py).

The blueprint and the login manager's setup; routes.py is attached by the
application factory.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from app import sessions
from app.extensions import db, login_manager
from app.models import Employee

bp = Blueprint("auth", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    # The login page with the way back, and a form sent after the session ended kept.
    login_manager.unauthorized_handler(sessions.unauthorized)
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        emp_id, _, token = user_id.partition(":")
        if not emp_id.isdigit() or not token:
            return None
        employee = db.session.get(Employee, int(emp_id))
        # A rotated session token (logout everywhere, new password, left) ends the session.
        if employee is None or not employee.active or employee.session_token != token:
            return None
        return employee
