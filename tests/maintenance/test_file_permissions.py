"""Files with personal data are readable by Värna's own user only, and pg_dump's password
stays off its command line (review L12)."""

from __future__ import annotations

import os
import stat
import subprocess

import pytest
import sqlalchemy as sa

from app.admin.imports import uploads
from app.admin.imports.reading import ImportFile
from app.admin.requirements import evidence
from app.maintenance import backup as backup_module


@pytest.fixture
def open_umask():
    """The common default umask: without care, files come out readable by everyone."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_evidence_file_is_readable_by_its_owner_only(open_umask, tmp_path):
    stored = evidence.store(str(tmp_path), "intyg.pdf", b"%PDF-1.4 intyg")
    assert _mode(tmp_path / stored) == 0o600
    assert _mode((tmp_path / stored).parent) == 0o700


def test_an_hr_import_upload_is_readable_by_its_owner_only(
    app, app_ctx, open_umask, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    upload_id = uploads.save(
        units=ImportFile("enheter.csv", b"kod;namn\n"),
        staff=ImportFile("personal.csv", b"nr;namn\n"),
        mapping_text=None,
        encoding=None,
        invite=False,
        uploaded_by=1,
    )
    folder = tmp_path / "hr-import" / upload_id
    assert [_mode(folder.parent), _mode(folder)] == [0o700, 0o700]
    assert {p.name: _mode(p) for p in folder.iterdir()} == {
        "units.csv": 0o600,
        "staff.csv": 0o600,
        "meta.json": 0o600,
    }


def test_a_backup_is_readable_by_its_owner_only(runner, make, open_umask, tmp_path):
    make.employee()
    target = tmp_path / "nytt" / "varna-backup.dump"
    result = runner.invoke(args=["db", "backup", str(target)])
    assert result.exit_code == 0, result.output
    assert _mode(target) == 0o600
    assert _mode(target.parent) == 0o700


def test_pg_dump_gets_the_password_in_its_environment_not_its_command_line(monkeypatch, tmp_path):
    seen = {}

    def fake_run(args, **kwargs):
        seen["args"], seen["env"] = args, kwargs.get("env") or {}
        return subprocess.CompletedProcess(args, 0, "", "")

    monkeypatch.setattr(backup_module.shutil, "which", lambda _name: "/usr/bin/pg_dump")
    monkeypatch.setattr(backup_module.subprocess, "run", fake_run)
    url = sa.make_url("postgresql+psycopg://varna:hemligt-Lösen-42@db.kommun.example:5432/varna")
    backup_module.backup(url, tmp_path / "x.dump")
    assert not any("hemligt" in arg for arg in seen["args"])
    assert "--dbname=postgresql://varna@db.kommun.example:5432/varna" in seen["args"]
    assert seen["env"]["PGPASSWORD"] == "hemligt-Lösen-42"
