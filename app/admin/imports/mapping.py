"""Which header in the HR system's files holds which of Värna's fields (a small TOML file)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from app.models import Level

DEFAULT_MAPPING_PATH = Path(__file__).parent / "mappings" / "exempelby.toml"

# Field → (Swedish description, required)
UNIT_FIELDS: dict[str, tuple[str, bool]] = {
    "code": ("enhetskod", True),
    "name": ("enhetsnamn", True),
    "kind": ("enhetstyp", False),
    "parent_code": ("överordnad enhet", True),
    "manager_number": ("chefens anställningsnummer", False),
}
STAFF_FIELDS: dict[str, tuple[str, bool]] = {
    "employee_number": ("anställningsnummer", True),
    "first_name": ("förnamn", True),
    "last_name": ("efternamn", True),
    "email": ("e-postadress", True),
    "unit_code": ("enhetskod", True),
    "title": ("befattning", False),
    "level": ("personalkategori", True),
    "start_date": ("anställningsdatum", True),
    "end_date": ("slutdatum", False),
}
DELIMITERS = {";", ",", "\t", "|"}


class MappingError(ValueError):
    """The mapping file cannot be used; the message says why, in Swedish."""


@dataclass(frozen=True)
class Mapping:
    units: dict[str, str]  # Värna field → header
    staff: dict[str, str]
    levels: dict[str, str] = field(default_factory=dict)  # HR value (lower case) → Level
    date_format: str = "%Y-%m-%d"
    full_export: bool = True
    delimiter: str | None = None  # None: sniff it


def default_mapping_text() -> str:
    return DEFAULT_MAPPING_PATH.read_text(encoding="utf-8")


def default_mapping() -> Mapping:
    return parse_mapping(default_mapping_text())


def load_mapping(path: str | Path) -> Mapping:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"Mappningsfilen {path} kunde inte läsas: {exc}") from exc
    return parse_mapping(text)


def parse_mapping(text: str) -> Mapping:
    """Read a mapping from TOML text; every problem is named in the error."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"Mappningen är inte giltig TOML: {exc}") from exc
    problems: list[str] = []
    units = _section(raw, "units", UNIT_FIELDS, problems)
    staff = _section(raw, "staff", STAFF_FIELDS, problems)

    levels_raw = raw.get("levels", {})
    levels: dict[str, str] = {}
    allowed = {lv.value for lv in Level}
    if not isinstance(levels_raw, dict):
        problems.append("[levels] ska vara en tabell: HR-systemets kategori = Värnas nivå.")
    else:
        for hr_value, level in levels_raw.items():
            if level not in allowed:
                problems.append(
                    f"[levels] {hr_value!r} pekar på {level!r}; Värnas nivåer är "
                    + ", ".join(sorted(allowed))
                    + "."
                )
            else:
                levels[str(hr_value).strip().lower()] = level
    if not levels:
        levels = {lv.value: lv.value for lv in Level}

    options = raw.get("options", {})
    if not isinstance(options, dict):
        problems.append("[options] ska vara en tabell.")
        options = {}
    unknown = set(options) - {"date_format", "full_export", "delimiter"}
    if unknown:
        problems.append("Okända inställningar i [options]: " + ", ".join(sorted(unknown)) + ".")
    date_format = options.get("date_format", "%Y-%m-%d")
    if not isinstance(date_format, str) or "%" not in date_format:
        problems.append('[options] date_format ska vara ett datumformat, t.ex. "%Y-%m-%d".')
    full_export = options.get("full_export", True)
    if not isinstance(full_export, bool):
        problems.append("[options] full_export ska vara true eller false.")
    delimiter = options.get("delimiter")
    if delimiter is not None and delimiter not in DELIMITERS:
        problems.append('[options] delimiter ska vara ";", ",", "|" eller "\\t".')
    if problems:
        raise MappingError(" ".join(problems))
    return Mapping(
        units=units,
        staff=staff,
        levels=levels,
        date_format=date_format,
        full_export=full_export,
        delimiter=delimiter,
    )


def _section(
    raw: dict, name: str, fields: dict[str, tuple[str, bool]], problems: list[str]
) -> dict[str, str]:
    section = raw.get(name)
    if not isinstance(section, dict):
        problems.append(f"Mappningen saknar tabellen [{name}].")
        return {}
    result: dict[str, str] = {}
    for key, value in section.items():
        if key not in fields:
            problems.append(
                f"[{name}] {key!r} är inget fält i Värna; fälten är " + ", ".join(fields) + "."
            )
        elif not isinstance(value, str) or not value.strip():
            problems.append(f"[{name}] {key} ska vara rubriken i filen, som text.")
        else:
            result[key] = value.strip()
    for key, (description, required) in fields.items():
        if required and key not in result and not any(key in p for p in problems):
            problems.append(f"[{name}] saknar fältet {key} ({description}).")
    headers = [h.lower() for h in result.values()]
    for header in sorted({h for h in headers if headers.count(h) > 1}):
        problems.append(f"[{name}] rubriken {header!r} används för flera fält.")
    return result
