"""JSON API for integration (/api/v1/, bearer tokens) and HR's page for the tokens."""

from flask import Blueprint

from app.extensions import csrf

bp = Blueprint("api", __name__)
# Bearer tokens, not cookies: a forged cross-site request carries no token.
csrf.exempt(bp)

tokens_bp = Blueprint("api_tokens", __name__, template_folder="templates")

from app.api import routes, tokens  # noqa: E402,F401
