"""Keep the interface translations current: extract, merge, fill from a dict, compile.

python scripts/i18n.py update              extract strings and merge into every catalogue
python scripts/i18n.py fill en FILE.py     take msgstr values from FILE.py's EN dict
python scripts/i18n.py missing en          list untranslated strings
python scripts/i18n.py compile             build the .mo files (make run/test do this)
"""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
POT = TRANSLATIONS / "messages.pot"


def _po(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def update() -> None:
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(  # noqa: S603
        [str(pybabel), "extract", "-F", "babel.cfg", "-k", "_l", "-o", str(POT), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    subprocess.run(  # noqa: S603
        [str(pybabel), "update", "-i", str(POT), "-d", str(TRANSLATIONS), "--no-fuzzy-matching"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def fill(lang: str, source: str) -> None:
    table = runpy.run_path(source)["EN"]
    with _po(lang).open("rb") as fh:
        catalog = read_po(fh)
    for message in catalog:
        if not message.id or not _untranslated(message):
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if key in table:
            value = table[key]
            # A plural entry takes a (singular, plural) pair, or one text for both forms.
            if isinstance(message.id, tuple):
                message.string = tuple(value) if isinstance(value, tuple) else (value, value)
            else:
                message.string = value
    with _po(lang).open("wb") as fh:
        write_po(fh, catalog, width=100)


def missing(lang: str) -> list[str]:
    with _po(lang).open("rb") as fh:
        catalog = read_po(fh)
    return [m.id for m in catalog if m.id and _untranslated(m)]


def _untranslated(message) -> bool:
    """Empty, or (for a plural entry) any form empty."""
    if isinstance(message.string, tuple):
        return not all(message.string)
    return not message.string


def compile_all() -> None:
    """Write each .mo through a temporary file and a rename: a test run going on beside
    this one (CI runs the suites side by side) never reads a half-written catalogue."""
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        with po.open("rb") as fh:
            catalog = read_po(fh)
        mo = po.with_suffix(".mo")
        fd, tmp = tempfile.mkstemp(dir=mo.parent, prefix=".messages-", suffix=".mo")
        with os.fdopen(fd, "wb") as fh:
            write_mo(fh, catalog)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a .mo is read by the app's user
        os.replace(tmp, mo)


if __name__ == "__main__":
    command, *args = sys.argv[1:] or ["compile"]
    if command == "update":
        update()
    elif command == "fill":
        fill(*args)
    elif command == "missing":
        for text in missing(*args):
            print(repr(text))
    else:
        compile_all()
