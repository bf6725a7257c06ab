"""The shipped list of common passwords that are refused whatever their length."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_LIST = Path(__file__).parent / "data" / "common-passwords.txt"


@cache
def _common() -> frozenset[str]:
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def is_common(password: str) -> bool:
    return password.strip().lower() in _common()
