"""Configuration classes. Every setting can be given in the environment.

`create_app()` picks the class from `VARNA_ENV` (development, testing,
production; default production when FLASK_DEBUG is off and a SECRET_KEY is set,
otherwise development).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ja"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


class Config:
    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'varna.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

    # Sessions are signed cookies: nothing lives in a worker.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=_int("SESSION_ABSOLUTE_HOURS", 12))
    SESSION_IDLE_MINUTES = _int("SESSION_IDLE_MINUTES", 30)
    # The pages warn this long before the idle limit, with a way to stay (WCAG 2.2.1: at
    # least 20 seconds to answer).
    SESSION_WARNING_SECONDS = _int("SESSION_WARNING_SECONDS", 120)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Mail: printed to the log when MAIL_SERVER is not set.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "varna@kommun.example")
    MAIL_SUPPRESS_SEND = False  # app.mail decides: SMTP when MAIL_SERVER is set, else the log
    # Shown on From (default "Värna – <municipality>"); the domain of Message-IDs
    # (default the host of BASE_URL); seconds before a silent mail server counts as down.
    MAIL_FROM_NAME = os.environ.get("MAIL_FROM_NAME")
    MAIL_MESSAGE_ID_DOMAIN = os.environ.get("MAIL_MESSAGE_ID_DOMAIN")
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 30)
    # A link to choose a new password works once, for this long.
    PASSWORD_RESET_MINUTES = _int("PASSWORD_RESET_MINUTES", 60)

    # Rate limits: in memory by default, Redis in production (production refuses to
    # start with memory:// unless RATELIMIT_ALLOW_MEMORY says there is one process only).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ALLOW_MEMORY = _bool("RATELIMIT_ALLOW_MEMORY")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    # Failed logins: per account, and per client address.
    RATELIMIT_LOGIN_ACCOUNT = os.environ.get("RATELIMIT_LOGIN_ACCOUNT", "10 per 15 minutes")
    RATELIMIT_LOGIN_ADDRESS = os.environ.get("RATELIMIT_LOGIN_ADDRESS", "100 per hour")
    # Every API request, per token (app/api/routes.py).
    RATELIMIT_API = os.environ.get("RATELIMIT_API", "120 per minute")
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "varna")
    RATELIMIT_HEADERS_ENABLED = True
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)  # number of proxies setting X-Forwarded-For

    # Gallring: personal data of people who left this many years ago is removed.
    RETENTION_YEARS = _int("RETENTION_YEARS", 2)

    # Issue 18: anonymous evaluations and follow-up answers are written to their tables
    # in shuffled batches of at least this many per course (or at the month's end).
    EVALUATION_BATCH = _int("EVALUATION_BATCH", 5)
    # The follow-up e-mail this many months after a completion (off unless enabled).
    FOLLOWUP_ENABLED = _bool("FOLLOWUP_ENABLED")
    FOLLOWUP_MONTHS = _int("FOLLOWUP_MONTHS", 4)

    # Logging: "json" for one JSON object per line
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")

    # Localisation
    BABEL_DEFAULT_LOCALE = "sv"
    BABEL_DEFAULT_TIMEZONE = "Europe/Stockholm"
    LANGUAGES = ("sv", "en")

    # The municipality
    MUNICIPALITY_NAME = os.environ.get("MUNICIPALITY_NAME", "Exempelby kommun")
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    SUPPORT_CONTACTS = os.environ.get(
        "SUPPORT_CONTACTS",
        "Kvinnofridslinjen|020-50 50 50|Dygnet runt, gratis och anonymt;Polisen vid akut fara|112|",
    )
    COURSES_DIR = os.environ.get("COURSES_DIR", str(BASE_DIR / "courses"))
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH_MB", 50) * 1024 * 1024


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    MAIL_SERVER = None


class ProductionConfig(Config):
    ENV_NAME = "production"
    # __Host-: the browser keeps it only if Secure, Path=/ and without Domain, so no other
    # host under the municipality's domain can set or overwrite Värna's session (ASVS 3.4.4).
    # Development and tests run over http and keep the plain name.
    SESSION_COOKIE_NAME = "__Host-session"


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def production_problems(settings: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """What production must not start with (refusals) and what it should not (warnings).

    Rate limits kept in memory are counted per process, so with several workers or hosts
    a login limit is multiplied and means little: refused, unless RATELIMIT_ALLOW_MEMORY
    says one process serves everything. Without MAIL_SERVER, invitation and reset links
    (secrets) go to the log instead of the person: a loud warning.
    """
    if settings.get("ENV_NAME") != "production":
        return [], []
    refusals: list[str] = []
    warnings: list[str] = []
    in_memory = str(settings.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory://")
    if not settings.get("RATELIMIT_ENABLED", True):
        warnings.append(
            "VARNING: RATELIMIT_ENABLED är av i produktion: inloggning och lösenordsåterställning "
            "har ingen gräns för antalet försök."
        )
    elif in_memory and not settings.get("RATELIMIT_ALLOW_MEMORY"):
        refusals.append(
            "RATELIMIT_STORAGE_URI saknas (memory://) i produktion: varje process räknar "
            "inloggningsförsök för sig, så gränserna mångdubblas. Sätt "
            "RATELIMIT_STORAGE_URI=redis://värd:6379/0, eller RATELIMIT_ALLOW_MEMORY=1 om "
            "en enda process tar emot alla anrop."
        )
    if not settings.get("MAIL_SERVER"):
        warnings.append(
            "VARNING: MAIL_SERVER saknas i produktion: ingen e-post skickas. Inbjudningar, "
            "länkar för nytt lösenord och påminnelser skrivs i stället till loggen, och den "
            "som kan läsa loggen kan använda länkarna. Sätt MAIL_SERVER."
        )
    return refusals, warnings


def config_from_env() -> type[Config]:
    name = os.environ.get("VARNA_ENV")
    if name is None:
        name = "production" if os.environ.get("SECRET_KEY") else "development"
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(
            f"VARNA_ENV={name!r} är okänd; välj development, testing eller production"
        ) from None
