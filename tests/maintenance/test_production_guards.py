"""Production does not start with rate limits counted per process, and says loudly when
it has no mail server (review L13)."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask

from app import create_app
from app.extensions import limiter
from config import DevelopmentConfig, ProductionConfig

REDIS = "redis://127.0.0.1:6379/15"


@contextmanager
def _started(suite_app: Flask, base: type = ProductionConfig, **settings) -> Iterator[Flask]:
    """create_app with the config class and these settings; the process-wide state it
    changes (the root logger, the one limiter) is put back as the suite has it."""
    config = type(
        "Config",
        (base,),
        {
            "SECRET_KEY": secrets.token_hex(32),
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "RATELIMIT_ALLOW_MEMORY": False,
            **settings,
        },
    )
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    saved_prefix = limiter._key_prefix
    try:
        yield create_app(config)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        limiter._key_prefix = saved_prefix
        limiter.init_app(suite_app)
        assert not limiter.enabled


def test_production_refuses_rate_limits_kept_in_memory(app):
    with (
        pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI"),
        _started(app, RATELIMIT_STORAGE_URI="memory://", MAIL_SERVER="smtp.kommun.se"),
    ):
        pass


def test_production_starts_with_shared_rate_limits_or_an_explicit_single_process(app):
    with _started(app, RATELIMIT_STORAGE_URI=REDIS, MAIL_SERVER="smtp.kommun.se") as shared:
        assert shared.config["ENV_NAME"] == "production"
    with _started(
        app,
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_ALLOW_MEMORY=True,
        MAIL_SERVER="smtp.kommun.se",
    ) as single:
        assert single.config["ENV_NAME"] == "production"


def test_production_without_a_mail_server_warns_loudly(app, caplog):
    with caplog.at_level(logging.WARNING), _started(app, RATELIMIT_STORAGE_URI=REDIS):
        pass
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("MAIL_SERVER saknas" in w and "loggen" in w for w in warnings), warnings


def test_production_with_a_mail_server_does_not_warn(app, caplog):
    with (
        caplog.at_level(logging.WARNING),
        _started(app, RATELIMIT_STORAGE_URI=REDIS, MAIL_SERVER="smtp.kommun.se"),
    ):
        pass
    assert not [r for r in caplog.records if "MAIL_SERVER" in r.getMessage()]


def test_development_starts_with_neither_and_without_a_warning(app, caplog):
    with (
        caplog.at_level(logging.WARNING),
        _started(app, DevelopmentConfig, RATELIMIT_STORAGE_URI="memory://", MAIL_SERVER=None),
    ):
        pass
    assert not [r for r in caplog.records if "MAIL_SERVER" in r.getMessage()]


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"PASSWORD_LOGIN": "admin"}, "PASSWORD_LOGIN='admin' är okänt"),
        (
            {"OIDC_DISCOVERY_URL": "https://login.example/.well-known/openid-configuration"},
            "OIDC_CLIENT_ID eller OIDC_CLIENT_SECRET saknas",
        ),
        (
            {
                "OIDC_DISCOVERY_URL": "http://login.example/.well-known/openid-configuration",
                "OIDC_CLIENT_ID": "varna",
                "OIDC_CLIENT_SECRET": "hemligt",
            },
            "https://",
        ),
    ],
)
def test_production_refuses_sign_in_settings_that_cannot_work(app, settings, named):
    with (
        pytest.raises(RuntimeError, match=re.escape(named)),
        _started(app, RATELIMIT_STORAGE_URI=REDIS, MAIL_SERVER="smtp.kommun.se", **settings),
    ):
        pass


def test_production_starts_with_a_complete_oidc_provider(app):
    with _started(
        app,
        RATELIMIT_STORAGE_URI=REDIS,
        MAIL_SERVER="smtp.kommun.se",
        PASSWORD_LOGIN="admins",
        OIDC_DISCOVERY_URL="https://login.example/.well-known/openid-configuration",
        OIDC_CLIENT_ID="varna",
        OIDC_CLIENT_SECRET="hemligt",
    ) as started:
        assert started.config["PASSWORD_LOGIN"] == "admins"
