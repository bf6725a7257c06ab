"""Värna: the application factory.

This module runs on every `import app.<anything>`, so it imports Värna's own
modules only inside create_app(): importing a service must not load the
features, their views or their CLI. The views are attached to their blueprints
here (VIEWS) and nowhere else.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config, TestingConfig, config_from_env, production_problems

# Importing one of these modules attaches its views to its feature's blueprint.
VIEWS = (
    "app.auth.routes",
    "app.auth.saml",
    "app.auth.oidc",
    "app.learning.routes",
    "app.evaluation.routes",
    "app.learning.scorm_routes",
    "app.units.routes",
    "app.auth.letter_routes",
    "app.admin.routes",
    "app.admin.imports.routes",
    "app.admin.requirements.routes",
    "app.admin.scorm.routes",
    "app.reports.routes",
    "app.reports.schedule_routes",
    "app.reports.effect_routes",
    "app.api.routes",
    "app.api.tokens",
)


def create_app(config: type[Config] | dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    if isinstance(config, dict):
        app.config.from_object(TestingConfig)
        app.config.update(config)
    else:
        app.config.from_object(config or config_from_env())

    if not app.config.get("SECRET_KEY"):
        raise RuntimeError(
            "SECRET_KEY saknas: sätt miljövariabeln SECRET_KEY (krävs utanför utveckling och test)."
        )
    refusals, warnings = production_problems(app.config)
    if refusals:
        raise RuntimeError(" ".join(refusals))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config.get("TRUSTED_PROXIES"):
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    _configure_database(app)

    from app.extensions import babel, csrf, db, limiter, login_manager, mail, migrate

    db.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            _tune_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    mail.init_app(app)

    from app import auth, errors, labels, logs, security, sessions
    from app.auth import access

    logs.init_app(app)
    for warning in warnings:
        app.logger.warning(warning)
    labels.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    sessions.init_app(app)
    _register_blueprints(app)
    _register_cli(app)

    @app.context_processor
    def inject_globals() -> dict[str, Any]:
        return {
            "municipality_name": app.config["MUNICIPALITY_NAME"],
            "current_locale": str(get_locale()),
            "nav": access.navigation(current_user),
        }

    return app


def _select_locale() -> str:
    languages = ("sv", "en")
    if not has_request_context():  # CLI commands and services called from tests: Swedish
        return "sv"
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return "sv"


def _configure_database(app: Flask) -> None:
    uri: str = app.config["SQLALCHEMY_DATABASE_URI"]
    # Heroku-style URLs name the old driver; Värna uses psycopg 3.
    if uri.startswith("postgres://"):
        uri = "postgresql+psycopg://" + uri.removeprefix("postgres://")
    elif uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri.removeprefix("postgresql://")
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    if uri.startswith("postgresql"):
        # JIT compilation costs more than it saves on Värna's report queries
        # (1.6 s of 3.5 s for the whole-org coverage at 100,000 staff).
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("options", "-c jit=off")
        options["connect_args"] = connect_args
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if uri.startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.pop("pool_pre_ping", None)
        options.setdefault("connect_args", {"timeout": 30})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _tune_sqlite(engine: Any) -> None:
    """WAL and a busy timeout, so a reader never blocks and a writer waits its turn."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def _register_blueprints(app: Flask) -> None:
    from app.admin import bp as admin_bp
    from app.api import bp as api_bp
    from app.api import tokens_bp as api_tokens_bp
    from app.auth import bp as auth_bp
    from app.evaluation import bp as evaluation_bp
    from app.learning import bp as learning_bp
    from app.reports import bp as reports_bp
    from app.units import bp as units_bp

    for name in VIEWS:
        importlib.import_module(name)
    app.register_blueprint(auth_bp)
    app.register_blueprint(learning_bp)
    app.register_blueprint(evaluation_bp)
    app.register_blueprint(units_bp, url_prefix="/enheter")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(reports_bp, url_prefix="/rapporter")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(api_tokens_bp, url_prefix="/admin/api-nycklar")


def _register_cli(app: Flask) -> None:
    from app.admin.imports.cli import hr_cli
    from app.auth.cli import users_cli
    from app.courses.cli import courses_cli
    from app.demo.cli import demo_cli
    from app.evaluation.cli import evaluation_cli
    from app.maintenance.cli import privacy_cli  # also adds `db backup`
    from app.reports.cli import reports_cli
    from app.units.cli import reminders_cli

    for group in (
        courses_cli,
        demo_cli,
        evaluation_cli,
        hr_cli,
        privacy_cli,
        reports_cli,
        reminders_cli,
        users_cli,
    ):
        app.cli.add_command(group)
