"""Värna's vocabulary: the one name for each code a person sees, and the one way to write
a share and a day.

Pages, CSV/XLSX exports, the status-report PDF, e-mails, the certificate and the API's
description all take their words from here, so a level, a status or a source is called
the same everywhere. The names are lazy_gettext strings: a page follows the reader's
language. A file that leaves Värna (an export, a PDF, an e-mail, the certificate) is
written in Swedish whatever the reader chose: take the names through `swedish()`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from flask import Flask
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from app.dates import local_day
from app.models import CompletionSource, Level, ManagerRole, PreventionLevel, Status

# --- names -----------------------------------------------------------------------------

# A staff level names one person ("Chef") or a group of people: a column, a rule's audience.
LEVEL = {
    Level.LEDNING: _l("Ledning"),
    Level.CHEF: _l("Chef"),
    Level.MEDARBETARE: _l("Medarbetare"),
    Level.FORTROENDEVALD: _l("Förtroendevald"),
}
LEVEL_GROUP = {
    Level.LEDNING: _l("Ledning"),
    Level.CHEF: _l("Chefer"),
    Level.MEDARBETARE: _l("Medarbetare"),
    Level.FORTROENDEVALD: _l("Förtroendevalda"),
}
STATUS = {
    Status.COMPLETED: _l("Genomförd"),
    Status.EXPIRING: _l("Går snart ut"),
    Status.EXPIRED: _l("Har gått ut"),
    Status.OVERDUE: _l("Försenad"),
    Status.PENDING: _l("Ej påbörjad"),
}
# How a completion came about.
SOURCE = {
    CompletionSource.ONLINE: _l("Webbkurs"),
    CompletionSource.SESSION: _l("Utbildningstillfälle"),
    CompletionSource.IMPORT: _l("Tidigare registrering"),
    CompletionSource.EXTERNAL: _l("Extern utbildning"),
}
# A manager's link to a unit, and the account roles a person can hold.
MANAGER_ROLE = {ManagerRole.CHEF: _l("Chef"), ManagerRole.DELEGATE: _l("Ställföreträdare")}
ACCOUNT_ROLE = {"hr": _l("HR"), "reporter": _l("Rapportläsare")}
# The council's words first (främjande, förebyggande, riktad), the field's term in brackets.
PREVENTION = {
    PreventionLevel.UNIVERSAL: _l("Främjande (universell)"),
    PreventionLevel.SELECTIVE: _l("Förebyggande (selektiv)"),
    PreventionLevel.INDICATED: _l("Riktad (indikerad)"),
}
# A course's language variants name themselves (a language picker shows "English", not
# "Engelska"), so these are not translated; LANGUAGE is the lang attribute of each name.
VARIANT = {"": "Svenska", "en": "English", "lattlast": "Lättläst svenska"}
VARIANT_LANGUAGE = {"": "sv", "en": "en", "lattlast": "sv"}
# What an HR import would change, by kind (app/admin/imports/services.py `Change.kind`).
CHANGE_KIND = {
    "unit_new": _l("Ny enhet"),
    "unit_renamed": _l("Enhet med nytt namn"),
    "unit_moved": _l("Enhet flyttad"),
    "unit_kind": _l("Enhet med ny typ"),
    "unit_reactivated": _l("Enhet återinförd"),
    "unit_deactivated": _l("Enhet avvecklad (saknas i filen)"),
    "manager_added": _l("Ny chef"),
    "manager_removed": _l("Chef tas bort"),
    "emp_new": _l("Ny person"),
    "emp_unit": _l("Bytt enhet"),
    "emp_level": _l("Ny personalkategori"),
    "emp_title": _l("Ny befattning"),
    "emp_email": _l("Ny e-postadress"),
    "emp_name": _l("Nytt namn"),
    "emp_dates": _l("Ändrade datum"),
    "emp_claimed": _l("Lokalt konto kopplas till HR"),
    "emp_reactivated": _l("Anställd igen"),
    "emp_left": _l("Slutat (slutdatum passerat)"),
    "emp_missing": _l("Slutat (saknas i personalfilen)"),
    "emp_email_freed": _l("E-postadress frigörs från avslutat konto"),
}

# What an audit event about a person was, as "Mina uppgifter" tells that person; and what
# HR did to a bought-in course (SCORM package), for the log.
EVENT = {
    "person.view": _l("Tittade på dina uppgifter"),
    "evidence.view": _l("Öppnade ett intyg som hör till dig"),
    "exemption.create": _l("Undantog dig från ett utbildningskrav"),
    "exemption.revoke": _l("Tog bort ett undantag för dig"),
    "completion.external": _l("Registrerade en utbildning du gått någon annanstans"),
    "account.create_admin": _l("Gav dig administratörsbehörighet"),
    "account.invitation_resent": _l("Skickade en ny inbjudan till dig"),
    "account.password_reset_requested": _l("Länk för nytt lösenord begärdes"),
    "account.password_set": _l("Lösenordet sattes"),
    "privacy.export_self": _l("Laddade ned dina uppgifter"),
    "privacy.evidence_self": _l("Laddade ned ett intyg"),
    "auth.login": _l("Loggade in"),
    "auth.login_failed": _l("Misslyckad inloggning"),
    "auth.logout": _l("Loggade ut"),
    "course.scorm_import": _l("Läste in ett SCORM-paket som ny kursversion"),
    "course.scorm_settings": _l("Ändrade uppgifterna för en köpt kurs (SCORM)"),
}


def name(names: Mapping[str, Any], code: str | None) -> str:
    """The name of a code in the reader's language; an unknown code is shown as it is."""
    if code is None:
        return ""
    return str(names.get(code, code))


def swedish(names: Mapping[str, Any]) -> dict[str, str]:
    """The names as plain Swedish strings, for files and e-mails that leave Värna."""
    with force_locale("sv"):
        return {code: str(text) for code, text in names.items()}


def swedish_texts(texts: Iterable[Any]) -> list[str]:
    """Translatable texts (a table's headers) as plain Swedish strings."""
    with force_locale("sv"):
        return [str(text) for text in texts]


# --- numbers and days ------------------------------------------------------------------


def counted(count: int, one: str, many: str) -> str:
    """A count with its noun in the right number, for the command line, which is Swedish
    only ("1 enhet", "2 enheter"). Pages and e-mails use ngettext in both languages."""
    return f"{count} {one if count == 1 else many}"


# A share (0–1) is written as percent with a decimal comma and a no-break space before
# "%". Reports, charts, the PDF and the spreadsheets' percent format give one decimal;
# the manager's unit pages (tree, cards, per-course) give whole percent.
REPORT_DIGITS = 1
UNIT_DIGITS = 0
# The CSV keeps the share as a number (0,6667) for Swedish Excel; four decimals are
# enough for any percent with two.
CSV_SHARE_DIGITS = 4
XLSX_SHARE_FORMAT = "0." + "0" * REPORT_DIGITS + "%"


def format_share(share: float | None, digits: int = REPORT_DIGITS) -> str:
    """0.6667 -> "66,7 %". Rounded to the nearest, except that "0 %" and "100 %" are kept
    for none and all: 0.9996 is "99,9 %", never "100,0 %"."""
    if share is None:
        return "–"
    text = f"{share * 100:.{digits}f}"
    if share < 1 and float(text) >= 100:
        text = f"{100 - 10**-digits:.{digits}f}"
    elif share > 0 and float(text) <= 0:
        text = f"{10**-digits:.{digits}f}"
    return text.replace(".", ",") + "\u00a0%"


def format_points(difference: float) -> str:
    """A difference of two shares in percentage points, as the reports write shares: "12,5"."""
    return f"{difference * 100:.{REPORT_DIGITS}f}".replace(".", ",")


def share_number(share: float) -> str:
    """A share as a CSV number for Swedish Excel: 0.66666 -> "0,6667"."""
    return f"{share:.{CSV_SHARE_DIGITS}f}".replace(".", ",")


def format_count(value: int) -> str:
    """1500 -> "1 500" (no-break space between thousands)."""
    return f"{value:,}".replace(",", "\u00a0")


def format_day(value: date | datetime | str | None) -> str:
    """The day as a person sees it: yyyy-mm-dd, a stored (UTC) time as its Stockholm day.

    ISO text is read first (the "Mina uppgifter" page shows the JSON it hands out)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = local_day(value)
    return value.isoformat()


def init_app(app: Flask) -> None:
    filters = app.jinja_env.filters
    filters["level_label"] = lambda code: name(LEVEL, code)
    filters["level_group_label"] = lambda code: name(LEVEL_GROUP, code)
    filters["status_label"] = lambda code: name(STATUS, code)
    filters["source_label"] = lambda code: name(SOURCE, code)
    filters["prevention_label"] = lambda code: name(PREVENTION, code)
    filters["change_label"] = lambda code: name(CHANGE_KIND, code)
    filters["manager_role_label"] = lambda code: name(MANAGER_ROLE, code)
    filters["account_role_label"] = lambda code: name(ACCOUNT_ROLE, code)
    filters["event_label"] = lambda code: name(EVENT, code)
    filters["share"] = format_share
    filters["unit_share"] = lambda share: format_share(share, UNIT_DIGITS)
    filters["points"] = format_points
    filters["sv_int"] = format_count
    filters["day"] = format_day
