"""JSON API for integration (/api/v1/, bearer tokens) and HR's page for the tokens.

The blueprints only; routes.py and tokens.py are attached by the application factory.
"""

from flask import Blueprint

from app.extensions import csrf

bp = Blueprint("api", __name__)
# Bearer tokens, not cookies: a forged cross-site request carries no token.
csrf.exempt(bp)

tokens_bp = Blueprint("api_tokens", __name__, template_folder="templates")
