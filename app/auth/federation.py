"""Who gets in through the municipality's own identity provider (issue 11): one home for
every federated login, OpenID Connect (app/auth/oidc.py) and SAML 2.0 (app/auth/saml.py).

The protocol modules check the protocol (state, nonce, signatures, audience, expiry, ...)
and hand over a `FederatedIdentity`; this module decides who that is in Värna:

* The HR import stays the source of truth. A federated login is matched to an ACTIVE,
  HR-imported person (`Employee.is_staff`), by normalised e-mail or by employee number
  (FEDERATION_MATCH_BY). No match, a person who has left, or no identifying claim: a
  Swedish page ("Du finns inte i Värna än — kontakta HR"), an audit event, and no account
  is created.
* Optionally HR and reporter rights follow named groups in the token or assertion
  (FEDERATION_HR_GROUP / FEDERATION_REPORTER_GROUP; unset = off). Every change is audited.
* The session starts exactly as after a password login (sessions.begin_login).

A failed protocol check goes through `refuse`: an audit event and a Swedish page, never a 500.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import Response, current_app, make_response, redirect, render_template, request
from flask import session as flask_session
from sqlalchemy.orm import Session

from app import sessions
from app.models import Employee, utcnow
from app.records import audit

log = logging.getLogger(__name__)

PROVIDERS = ("oidc", "saml")
# Where the protocol modules keep the `next` of a login they started (in the Flask session).
NEXT_KEY = "federation_next"
# The rights that may follow a directory group, and the setting naming each group.
GROUP_RIGHTS = (("is_hr", "FEDERATION_HR_GROUP"), ("is_reporter", "FEDERATION_REPORTER_GROUP"))


@dataclass(frozen=True)
class FederatedIdentity:
    provider: str  # "oidc" or "saml"
    subject: str  # the provider's subject (OIDC sub / SAML NameID), for audit
    claims: Mapping[str, Any]  # every claim/attribute as received (SAML values are lists)
    # What that provider needs to log the person out later (OIDC: id_token_hint;
    # SAML: name_id, session_index, ...). Kept in the session cookie: keep it small.
    logout: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Provider:
    key: str  # "oidc" or "saml"
    label: str  # the button's text
    start_url: str  # where the button leads (starts the login)


def _path_of(path: str) -> str | None:
    """The address of a route by its path, if this build has it (the SAML routes may not)."""
    for rule in current_app.url_map.iter_rules():
        if rule.rule == path:
            return request.script_root + path
    return None


def configured_providers() -> list[Provider]:
    """The identity providers configured in the environment, in the order the login page
    shows them: OIDC when OIDC_DISCOVERY_URL is set, SAML when SAML_IDP_METADATA is set."""
    config = current_app.config
    providers: list[Provider] = []
    if config.get("OIDC_DISCOVERY_URL"):
        start = _path_of("/logga-in/oidc")
        if start:
            providers.append(Provider("oidc", config.get("OIDC_LABEL") or _default_label(), start))
    if config.get("SAML_IDP_METADATA"):
        start = _path_of("/logga-in/saml")
        if start:
            providers.append(Provider("saml", config.get("SAML_LABEL") or _default_label(), start))
    return providers


def _default_label() -> str:
    from flask_babel import gettext as _

    return _("Logga in med kommunens konto")


def _setting(provider: str, oidc_key: str, saml_key: str, default: str) -> str:
    key = oidc_key if provider == "oidc" else saml_key
    return current_app.config.get(key) or default


def _values(claims: Mapping[str, Any], name: str) -> list[str]:
    value = claims.get(name)
    if value is None:
        return []
    if isinstance(value, list | tuple | set):
        return [str(v) for v in value if v is not None]
    return [str(value)]


def identifier(identity: FederatedIdentity) -> str | None:
    """The value of the configured claim or attribute that names the person: OIDC_IDENTITY_CLAIM
    (default "email") / SAML_IDENTITY_ATTRIBUTE (default "email"; "nameid" = the NameID).
    A list gives its first value. E-mail is normalised (stripped, lower case); anything else
    is stripped. None when the claim is missing or empty."""
    name = _setting(identity.provider, "OIDC_IDENTITY_CLAIM", "SAML_IDENTITY_ATTRIBUTE", "email")
    if identity.provider == "saml" and name.lower() == "nameid":
        values = [identity.subject]
    else:
        values = _values(identity.claims, name)
    value = values[0].strip() if values else ""
    if not value:
        return None
    if _match_by() == "email":
        from app.auth.services import normalise_email

        return normalise_email(value)
    return value


def groups(identity: FederatedIdentity) -> set[str]:
    name = _setting(identity.provider, "OIDC_GROUPS_CLAIM", "SAML_GROUPS_ATTRIBUTE", "groups")
    return set(_values(identity.claims, name))


def _match_by() -> str:
    value = (current_app.config.get("FEDERATION_MATCH_BY") or "email").strip().lower()
    return value if value in {"email", "employee_number"} else "email"


def _digest(value: str) -> str:
    """A stable digest of the provider's subject, for the audit trail: who tried, without
    keeping their identifier in clear text."""
    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:16]


def find_person(session: Session, value: str) -> Employee | None:
    """The HR-imported person (active or not) the identifying value names, if any."""
    column = Employee.email if _match_by() == "email" else Employee.employee_number
    return session.scalar(sa.select(Employee).where(column == value, Employee.is_staff.is_(True)))


def admit(session: Session, identity: FederatedIdentity) -> Response:
    """Log the person in, or show why not (see the module's doc)."""
    value = identifier(identity)
    if value is None:
        return _not_in_varna(session, identity, "no_identifier", None)
    employee = find_person(session, value)
    if employee is None:
        return _not_in_varna(session, identity, "no_match", None)
    if not employee.active:
        return _not_in_varna(session, identity, "left", employee)
    _rights_from_directory(session, employee, identity)
    employee.last_login_at = utcnow()
    audit(
        session,
        employee,
        "auth.federated_login",
        "employee",
        employee.id,
        {"provider": identity.provider},
    )
    session.commit()
    next_target = flask_session.get(NEXT_KEY)
    sessions.begin_login(employee)
    flask_session["federated"] = {"provider": identity.provider, **identity.logout}
    log.info("federated login (%s) by employee %s", identity.provider, employee.id)
    return redirect(sessions.safe_next(next_target))


def _rights_from_directory(
    session: Session, employee: Employee, identity: FederatedIdentity
) -> None:
    """HR and reporter rights follow the named directory groups, where a group is configured."""
    member_of = groups(identity)
    for right, setting in GROUP_RIGHTS:
        group = current_app.config.get(setting)
        if not group:
            continue  # off: the right stays as HR set it in Värna
        wanted = group in member_of
        before = bool(getattr(employee, right))
        if wanted == before:
            continue
        setattr(employee, right, wanted)
        audit(
            session,
            None,
            "account.rights_from_directory",
            "employee",
            employee.id,
            {"right": right, "before": before, "after": wanted, "provider": identity.provider},
        )
        log.info("%s of employee %s set to %s from the directory", right, employee.id, wanted)


def _not_in_varna(
    session: Session, identity: FederatedIdentity, reason: str, employee: Employee | None
) -> Response:
    audit(
        session,
        None,
        "auth.federated_refused",
        "employee" if employee is not None else None,
        employee.id if employee is not None else None,
        {"provider": identity.provider, "reason": reason, "subject": _digest(identity.subject)},
    )
    session.commit()
    flask_session.pop(NEXT_KEY, None)
    log.info("federated login (%s) refused: %s", identity.provider, reason)
    return make_response(render_template("auth/not_in_varna.html", reason=reason), 403)


def refuse(session: Session, provider: str, reason: str) -> Response:
    """A failed protocol check: an audit event and a Swedish page (400), never a 500."""
    audit(
        session,
        None,
        "auth.federated_refused",
        None,
        None,
        {"provider": provider, "reason": reason},
    )
    session.commit()
    flask_session.pop(NEXT_KEY, None)
    log.warning("federated login (%s) failed its check: %s", provider, reason)
    return make_response(render_template("auth/federation_failed.html", reason=reason), 400)


def form_action_origins() -> list[str]:
    """Other origins a form's redirect may lead to (the CSP's form-action): the logout goes
    on to the provider's end-session or single-logout address."""
    origins: list[str] = []
    from app.auth import oidc

    origins += oidc.form_action_origins()
    try:
        from app.auth import saml  # type: ignore[attr-defined]
    except ImportError:
        saml = None
    if saml is not None and hasattr(saml, "form_action_origins"):
        origins += saml.form_action_origins()
    return list(dict.fromkeys(origins))


def provider_logout_url(data: dict | None) -> str | None:
    """Where to send the browser after Värna's own session ended, to end the provider's too
    (RP-initiated logout / SAML single logout); None when the login was not federated or the
    provider offers no logout."""
    if not isinstance(data, dict):
        return None
    provider = data.get("provider")
    try:
        if provider == "oidc":
            from app.auth import oidc

            return oidc.logout_url(data)
        if provider == "saml":
            from app.auth import saml  # type: ignore[attr-defined]

            return saml.logout_url(data)
    except Exception:  # the person is logged out of Värna either way
        log.exception("the provider's logout address could not be made (%s)", provider)
    return None
