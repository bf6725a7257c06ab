"""How a login session ends, and what survives its end (issue 20, WCAG 2.2.1).

A session ends after SESSION_IDLE_MINUTES without a request, or SESSION_ABSOLUTE_HOURS
after the login. What the person was doing is not lost:

* the pages warn SESSION_WARNING_SECONDS before the idle limit (static/session-warning.js,
  the dialog in base.html) and "Fortsätt" keeps the session (auth.keep_alive);
* the login page says why the session ended;
* a form sent after the end is kept in the session for the same person, and the login
  returns to the page the form was on, never to a POST-only address (a 405). The page's
  view takes the form back with `take_pending_form`.

The POST-only addresses say which page is theirs with `return_pages` (learning.routes).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

# Kept over the end of a session: the chosen language, and the CSRF token, so that a
# form sent from a page that was open when the session ended still arrives (and is kept).
KEPT_OVER_THE_END = ("lang", "csrf_token")
# A kept form is a few hundred bytes in the session cookie; a bigger one is not kept.
LARGEST_KEPT_FORM = 2000


@dataclass(frozen=True)
class ReturnPage:
    """The GET page of a POST-only address: where the login returns to."""

    endpoint: str
    keeps_form: bool = False  # the form sent after the end is given back to this page
    anchor: Callable[[dict[str, Any]], str] | None = None


RETURN_PAGES: dict[str, ReturnPage] = {}


def return_pages(pages: dict[str, ReturnPage]) -> None:
    RETURN_PAGES.update(pages)


def init_app(app: Flask) -> None:
    @app.before_request
    def idle_timeout() -> None:
        if request.endpoint == "static" or not current_user.is_authenticated:
            return
        now = int(time.time())
        last = session.get("seen")
        started = session.get("login_at")
        idle_limit = current_app.config["SESSION_IDLE_MINUTES"] * 60
        absolute_limit = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
        if isinstance(last, int) and now - last > idle_limit:
            _end("idle", now)
        elif not isinstance(started, int) or now - started > absolute_limit:
            _end("absolute", now)
        else:
            session["seen"] = now
            session.permanent = True


def _end(reason: str, now: int) -> None:
    employee_id = current_user.id
    kept = {key: session[key] for key in KEPT_OVER_THE_END if key in session}
    logout_user()
    session.clear()
    session.update(kept)
    session["ended"] = {"employee": employee_id, "reason": reason, "at": now}


def explain_end() -> bool:
    """Say once why the session ended (on the way to the login page); False if it did not."""
    ended = session.get("ended")
    if not isinstance(ended, dict) or ended.get("told"):
        return False
    flash(_end_message(ended.get("reason")), "info")
    session["ended"] = {**ended, "told": True}
    return True


def _end_message(reason: str | None) -> str:
    if reason == "idle":
        minutes = current_app.config["SESSION_IDLE_MINUTES"]
        return ngettext(
            "Du loggades ut eftersom du inte varit aktiv på %(num)s minut.",
            "Du loggades ut eftersom du inte varit aktiv på %(num)s minuter.",
            minutes,
        )
    hours = int(current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() // 3600)
    return ngettext(
        "Du loggades ut eftersom du varit inloggad i %(num)s timme.",
        "Du loggades ut eftersom du varit inloggad i %(num)s timmar.",
        hours,
    )


def unauthorized() -> Response:
    """A page that needs a login: to the login page, with the way back to this page."""
    if request.endpoint == "auth.keep_alive" or request.is_json:
        return Response(status=401)  # no page: it would show, and use up, the messages
    explained = explain_end()
    if request.method == "POST" and _keep_pending_form():
        flash(
            _("Det du skickade är sparat: logga in igen, så kommer du tillbaka till det."), "info"
        )
    elif not explained:
        flash(_("Logga in för att se sidan."), "info")
    return redirect(url_for("auth.login", next=return_address(request.full_path)))


def _keep_pending_form() -> bool:
    """The form sent after the session ended, for the same person only (see take_pending_form)."""
    ended = session.get("ended")
    page = RETURN_PAGES.get(request.endpoint or "")
    if not isinstance(ended, dict) or page is None or not page.keeps_form:
        return False
    form = {key: request.form.getlist(key) for key in request.form if key != "csrf_token"}
    if len(repr(form)) > LARGEST_KEPT_FORM:
        return False
    session["pending"] = {
        "employee": ended.get("employee"),
        "endpoint": request.endpoint,
        "args": dict(request.view_args or {}),
        "form": form,
        "at": int(time.time()),
    }
    return True


def carry_over_login(employee_id: int) -> dict:
    """What the login keeps of the session before it: a pending form of the same person."""
    pending = session.get("pending")
    absolute_limit = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    if (
        isinstance(pending, dict)
        and pending.get("employee") == employee_id
        and time.time() - pending.get("at", 0) <= absolute_limit
    ):
        return {"pending": pending}
    return {}


def begin_login(employee) -> None:
    """A new session for the person who just proved who they are (password or the
    municipality's identity provider): what the login keeps of the session before it
    (a pending form, the language), nothing else."""
    lang = session.get("lang")
    kept = carry_over_login(employee.id)
    session.clear()  # a new session on login
    session.update(kept)
    if lang:
        session["lang"] = lang
    login_user(employee)
    session["login_at"] = session["seen"] = int(time.time())


def safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect a login to another host, nor to a POST-only
    address (a 405): to its page instead."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return return_address(target)
    return url_for("learning.index")


@dataclass(frozen=True)
class PendingForm:
    args: dict[str, Any]  # the address's arguments, e.g. the check question's number
    form: dict[str, list[str]]


def take_pending_form(endpoint: str, **args: Any) -> PendingForm | None:
    """The form the signed-in person sent to `endpoint` (at an address with these `args`)
    when their session had ended, once; None when there is none, or it was someone else's."""
    pending = session.get("pending")
    if not isinstance(pending, dict):
        return None
    if pending.get("employee") != current_user.id:
        session.pop("pending")
        return None
    sent_to = pending.get("args") or {}
    if pending.get("endpoint") != endpoint or any(sent_to.get(k) != v for k, v in args.items()):
        return None
    session.pop("pending")
    return PendingForm(args=sent_to, form=pending.get("form") or {})


def return_address(target: str) -> str:
    """`target` when a GET may open it; for a POST-only address, the page it belongs to."""
    target = target.removesuffix("?")
    path = target.split("#", 1)[0].split("?", 1)[0]
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        adapter.match(path, method="GET")
        return target
    except (NotFound, RequestRedirect):
        return target
    except MethodNotAllowed:
        pass
    try:
        endpoint, args = adapter.match(path, method="POST")
    except (NotFound, MethodNotAllowed, RequestRedirect):
        return url_for("learning.index")
    page = RETURN_PAGES.get(endpoint)
    if page is None:
        return url_for("learning.index")
    rule = next(iter(current_app.url_map.iter_rules(page.endpoint)))
    address = url_for(page.endpoint, **{k: v for k, v in args.items() if k in rule.arguments})
    return address + (page.anchor(args) if page.anchor else "")
