"""The employee's side: my training, the course player, quiz, certificate.

The blueprint only; routes.py is attached by the application factory.
"""

from flask import Blueprint

bp = Blueprint("learning", __name__, template_folder="templates")
