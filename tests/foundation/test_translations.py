from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
EN_PO = ROOT / "app" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _i18n_script():
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_english_catalogue_is_complete_and_keeps_placeholders():
    assert _i18n_script().missing("en") == []

    with EN_PO.open("rb") as fh:
        catalog = read_po(fh)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        # missing() only looks at the tuple as a whole: check each plural form too.
        if not all(strings):
            problems.append(f"untranslated form: {ids[0]!r}")
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        # Each form against its own source: the singular may leave out what only the
        # plural says ("1 mätdag, X" / "N mätdagar från X till Y").
        for n, text in enumerate(strings):
            source = ids[min(n, len(ids) - 1)]
            if text and set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(source)):
                problems.append(f"placeholders differ: {source!r} -> {text!r}")
    assert problems == []
