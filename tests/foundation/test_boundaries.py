"""Package boundaries: a feature's services load without any view.

Each import runs in a fresh interpreter, so what is already loaded in the test
process (the whole app) cannot hide an import that drags views in.
"""

from __future__ import annotations

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
