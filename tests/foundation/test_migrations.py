"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db


def test_upgrade_to_head_matches_models(app_ctx):
    # The session's database was built from empty by `flask db upgrade` (conftest).
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert context.get_current_revision() is not None
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"


def test_every_model_table_exists(app_ctx):
    inspector = db.inspect(db.engine)
    tables = set(inspector.get_table_names())
    assert set(db.metadata.tables) <= tables
    indexes = {ix["name"] for ix in inspector.get_indexes("org_units")}
    assert "ix_org_units_path_prefix" in indexes


def test_migration_scripts_follow_the_naming_convention():
    """NNNN_what.py with revision id 'NNNN_what' (≤ 32 characters, alembic_version's size),
    each revising the one before; '0001' is older than the rule and keeps its id, since
    installed databases have it in alembic_version."""
    versions = Path(__file__).resolve().parents[2] / "migrations" / "versions"
    scripts = {}
    for path in sorted(versions.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        revision = re.search(r"^revision = '([^']+)'$", text, re.M).group(1)
        down = re.search(r"^down_revision = (?:'([^']+)'|None)$", text, re.M).group(1)
        scripts[path.stem] = (revision, down)
    assert scripts["0001_initial_schema"] == ("0001", None)
    previous = "0001"
    for stem, (revision, down) in list(scripts.items())[1:]:
        assert re.fullmatch(r"\d{4}_[a-z0-9_]+", stem), stem
        assert revision == stem, f"{stem}.py: revision id {revision!r}"
        assert len(revision) <= 32
        assert down == previous, f"{stem}.py revises {down!r}, not {previous!r}"
        assert int(stem[:4]) > int(previous[:4])
        previous = revision
