"""The content origin: a SCORM package's files, served apart from Värna.

A package is foreign code. Its files are served by this small WSGI app on an origin of
its own (SCORM_CONTENT_ORIGIN: another host name, or another port in development and
tests), so the package's scripts run in a browsing context that cannot read Värna's
pages, its DOM or its cookies (Värna's are HttpOnly, and in production host-only
`__Host-` cookies of another host). This app has no session and no views of Värna's: a
path holds a signed, short-lived token naming the learner, the course version and the
package folder, issued by Värna's course page only to someone who may take the course
(app/auth/access.py: can_take_course); with SQLALCHEMY_DATABASE_URI set (as from the
environment) every file asks access.may_take_course again.

  /p/<token>/<path>   a package file (MIME type by name, range requests, never a listing)
  /shim/<token>       the page around the package: the SCORM API object (scorm-shim.js),
                      bridged to Värna's course page by postMessage
  /scorm-shim.js      that script

docs/architecture.md ("Bought-in courses: the content origin") says why.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask, Response, abort, current_app, render_template_string, send_file
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

TOKEN_SALT = "varna-scorm-content"  # noqa: S105 - a salt, not a secret
SHIM_JS = Path(__file__).resolve().parent / "static" / "scorm-shim.js"

# mimetypes reads the system's tables, which differ between machines: the types a
# package depends on most are fixed here.
EXPLICIT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".wav": "audio/wav",
    ".vtt": "text/vtt; charset=utf-8",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".pdf": "application/pdf",
    ".swf": "application/x-shockwave-flash",
}


def mime_type(name: str) -> str:
    suffix = os.path.splitext(name)[1].lower()
    if suffix in EXPLICIT_TYPES:
        return EXPLICIT_TYPES[suffix]
    guessed, _encoding = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=TOKEN_SALT)


def make_token(secret_key: str, *, employee_id: int, version_id: int, package_dir: str) -> str:
    """The path token of one learner's launch of one version (issued by the course page)."""
    return _serializer(secret_key).dumps([employee_id, version_id, package_dir])


def read_token(secret_key: str, token: str, max_age: int) -> tuple[int, int, str] | None:
    try:
        employee_id, version_id, package_dir = _serializer(secret_key).loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired, ValueError, TypeError):
        return None
    if not isinstance(package_dir, str) or not package_dir.isalnum():
        return None
    return int(employee_id), int(version_id), package_dir


def package_root(upload_dir: str, package_dir: str) -> Path:
    return Path(upload_dir) / "scorm" / package_dir


def resolve(root: Path, relative: str) -> Path | None:
    """The file `relative` names inside the package, or None (escapes, folders, links)."""
    if not relative or "\\" in relative or "\x00" in relative:
        return None
    parts = relative.split("/")
    if any(p in ("", ".", "..") for p in parts) or relative.startswith("/"):
        return None
    candidate = root.joinpath(*parts)
    try:
        real = candidate.resolve(strict=True)
        real_root = root.resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError, RuntimeError, OSError):
        return None
    if real_root not in real.parents or candidate.is_symlink() or not real.is_file():
        return None
    return real


SHIM_PAGE = """<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<title>SCORM</title>
<style>html,body{margin:0;height:100%}iframe{border:0;width:100%;height:100%;display:block}</style>
<script src="/scorm-shim.js" data-parent-origin="{{ parent_origin }}" data-base="/p/{{ token }}/"></script>
</head>
<body></body>
</html>
"""


def _engine(uri: str | None) -> sa.Engine | None:
    """Värna's database, read only for may_take_course (None: the token alone decides)."""
    if not uri:
        return None
    if uri.startswith("postgres://"):
        uri = "postgresql+psycopg://" + uri.removeprefix("postgres://")
    elif uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri.removeprefix("postgresql://")
    options: dict[str, Any] = {"pool_pre_ping": True}
    if uri.startswith("sqlite"):
        options = {"connect_args": {"timeout": 30}}
    return sa.create_engine(uri, **options)


def create_content_app(config: dict[str, Any] | None = None) -> Flask:
    """The content origin's app. Settings from the environment (config.py) unless given."""
    app = Flask(__name__, static_folder=None)
    if config is None:
        from config import config_from_env

        app.config.from_object(config_from_env())
    else:
        app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY saknas: samma värde som Värna använder.")
    app.config.setdefault("SCORM_CONTENT_TOKEN_MINUTES", 240)
    # No session here: a cookie of this app's would be one of Värna's (same key).
    app.config["SESSION_COOKIE_NAME"] = "scorm-content-has-no-session"
    parent_origin = app.config.get("SCORM_PLAYER_ORIGIN") or origin_of(
        app.config.get("BASE_URL", "http://127.0.0.1:5000")
    )

    engine = _engine(app.config.get("SQLALCHEMY_DATABASE_URI"))
    app.extensions["scorm_content_engine"] = engine

    def launch(token: str) -> tuple[int, int, str]:
        found = read_token(
            current_app.config["SECRET_KEY"],
            token,
            int(current_app.config["SCORM_CONTENT_TOKEN_MINUTES"]) * 60,
        )
        if found is None:
            abort(404)
        if engine is not None:
            # Asked again on every file: a person who left, or a course HR took away,
            # loses the files at once, not when the token expires.
            from app.auth.access import may_take_course

            with Session(engine) as session:
                if not may_take_course(session, found[0], found[1]):
                    abort(404)
        return found

    @app.get("/p/<token>/<path:relative>")
    def package_file(token: str, relative: str) -> Response:
        _employee_id, _version_id, package_dir = launch(token)
        root = package_root(current_app.config["UPLOAD_DIR"], package_dir)
        path = resolve(root, relative)
        if path is None:
            abort(404)
        response = send_file(path, mimetype=mime_type(path.name), conditional=True, max_age=0)
        response.headers["Cache-Control"] = "private, no-cache"
        return response

    @app.get("/shim/<token>")
    def shim(token: str) -> Response:
        launch(token)
        html = render_template_string(SHIM_PAGE, token=token, parent_origin=parent_origin)
        return Response(html, mimetype="text/html")

    @app.get("/scorm-shim.js")
    def shim_js() -> Response:
        return send_file(SHIM_JS, mimetype="text/javascript; charset=utf-8", max_age=0)

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        # The token is in the path: it is not sent on to what a package links to.
        response.headers["Referrer-Policy"] = "no-referrer"
        # Only Värna's course page may frame the shim; the shim frames the package.
        response.headers["Content-Security-Policy"] = f"frame-ancestors 'self' {parent_origin}"
        response.headers.pop("Set-Cookie", None)
        return response

    return app
