"""What a refused package must leave alone: every table's row count and the file store."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from app.courses import scorm
from app.extensions import db


def table_counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        return {
            name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for name, table in db.metadata.tables.items()
        }


def store_listing(app) -> list[str]:
    """Every path under UPLOAD_DIR/scorm (folders too, hidden ones included)."""
    root = Path(app.config["UPLOAD_DIR"]) / scorm.SUBDIR
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


class Unchanged:
    """Take a snapshot; check() asserts the database and the file store are the same."""

    def __init__(self, app) -> None:
        self.app = app
        self.take()

    def take(self) -> None:
        self.counts = table_counts()
        self.files = store_listing(self.app)

    def check(self) -> None:
        assert table_counts() == self.counts
        assert store_listing(self.app) == self.files


@pytest.fixture
def unchanged(app_ctx):
    return Unchanged(app_ctx)
