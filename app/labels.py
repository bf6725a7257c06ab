"""Names shown to people for the codes stored in the database."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

LEVEL_LABELS = {
    "ledning": _l("Ledning"),
    "chef": _l("Chef"),
    "medarbetare": _l("Medarbetare"),
    "fortroendevald": _l("Förtroendevald"),
}
PREVENTION_LABELS = {
    "universal": _l("Universell (främjande)"),
    "selective": _l("Selektiv (förebyggande)"),
    "indicated": _l("Indikerad (riktad)"),
}
SOURCE_LABELS = {
    "online": _l("Webbkurs"),
    "session": _l("Utbildningstillfälle"),
    "import": _l("Tidigare registrering"),
    "external": _l("Extern utbildning"),
}


def init_app(app: Flask) -> None:
    app.jinja_env.filters["level_label"] = lambda code: LEVEL_LABELS.get(code, code)
    app.jinja_env.filters["prevention_label"] = lambda code: PREVENTION_LABELS.get(code, code)
    app.jinja_env.filters["source_label"] = lambda code: SOURCE_LABELS.get(code, code)
