"""Package boundaries: a feature's services load without any view, and audit has one writer.

Each import runs in a fresh interpreter, so what is already loaded in the test
process (the whole app) cannot hide an import that drags views in.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"
VIEW_SUFFIXES = ("routes", "tokens", "pdf", "charts")


@pytest.mark.parametrize(
    "module",
    [
        "app.reports.coverage",
        "app.units.services",
        "app.admin.imports.services",
        "app.learning.services",
        "app.units.delegation",
        "app.api.services",
        "app.admin.requirements.services",
    ],
)
def test_a_service_module_loads_no_view_module(module: str) -> None:
    code = (
        f"import json, sys; import {module}; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('app.'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=APP.parent,
    )
    loaded = json.loads(done.stdout)
    assert module in loaded
    views = [m for m in loaded if m.endswith(VIEW_SUFFIXES)]
    assert views == [], f"importing {module} loads {views}"


def _constructs(tree: ast.AST, name: str) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == name)
            or (isinstance(node.func, ast.Attribute) and node.func.attr == name)
        )
    ]


def test_only_records_constructs_an_audit_event() -> None:
    """Every audit event goes through app.records.audit (one place that fills every column)."""
    found = {
        str(path.relative_to(APP.parent)): lines
        for path in sorted(APP.rglob("*.py"))
        if path.name != "records.py" or path.parent != APP
        for lines in [_constructs(ast.parse(path.read_text(encoding="utf-8")), "AuditEvent")]
        if lines
    }
    assert found == {}


def _calls_audit(tree: ast.AST) -> list[int]:
    return _constructs(tree, "audit")


def test_no_view_writes_an_audit_event() -> None:
    """Views call services; a service logs what it does (reading a person's record included)."""
    found = {
        str(path.relative_to(APP.parent)): lines
        for path in sorted(APP.rglob("routes.py")) + [APP / "api" / "tokens.py"]
        for lines in [_calls_audit(ast.parse(path.read_text(encoding="utf-8")))]
        if lines
    }
    assert found == {}
