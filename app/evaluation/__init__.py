"""Issue 18, the learner's side: pre-test, anonymous evaluation, follow-up (routes.py, cli.py)."""

from flask import Blueprint

bp = Blueprint("evaluation", __name__, template_folder="templates")
