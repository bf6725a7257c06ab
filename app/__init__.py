"""Värna: the application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, session
from flask_babel import get_locale
from flask_login import current_user

from config import Config, config_from_env


def create_app(config: type[Config] | dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    if isinstance(config, dict):
        from config import TestingConfig

        app.config.from_object(TestingConfig)
        app.config.update(config)
    else:
        app.config.from_object(config or config_from_env())

    if not app.config.get("SECRET_KEY"):
        raise RuntimeError(
            "SECRET_KEY saknas: sätt miljövariabeln SECRET_KEY (krävs utanför utveckling och test)."
        )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

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

    from app import auth, errors, labels, logs, security

    logs.init_app(app)
    labels.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    _register_blueprints(app)
    _register_cli(app)

    @app.context_processor
    def inject_globals() -> dict[str, Any]:
        from app.auth import access

        return {
            "municipality_name": app.config["MUNICIPALITY_NAME"],
            "current_locale": str(get_locale()),
            "nav": access.navigation(current_user),
        }

    return app


def _select_locale() -> str:
    languages = ("sv", "en")
    from flask import has_request_context

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
    from sqlalchemy import event

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
    from app.auth import bp as auth_bp
    from app.learning import bp as learning_bp
    from app.reports import bp as reports_bp
    from app.units import bp as units_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(learning_bp)
    app.register_blueprint(units_bp, url_prefix="/enheter")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(reports_bp, url_prefix="/rapporter")

    from app.api import bp as api_bp
    from app.api import tokens_bp as api_tokens_bp

    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(api_tokens_bp, url_prefix="/admin/api-nycklar")


def _register_cli(app: Flask) -> None:
    from app.admin.imports.cli import hr_cli
    from app.courses.cli import courses_cli
    from app.demo.cli import demo_cli
    from app.maintenance.cli import privacy_cli  # also adds `db backup`

    app.cli.add_command(courses_cli)

    app.cli.add_command(demo_cli)
    app.cli.add_command(hr_cli)
    app.cli.add_command(privacy_cli)
    from app.reports.cli import reports_cli

    app.cli.add_command(reports_cli)
    from app.units.cli import reminders_cli

    app.cli.add_command(reminders_cli)
