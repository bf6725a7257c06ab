"""The employee's side: my training, the course player, quiz, certificate."""

from flask import Blueprint

bp = Blueprint("learning", __name__, template_folder="templates")

from app.learning import routes  # noqa: E402,F401
