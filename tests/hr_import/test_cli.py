"""`flask hr import` through the CLI runner: exit codes, stderr lines, --json."""

from __future__ import annotations

import json
import logging

import sqlalchemy as sa

from app.admin.imports import lock
from app.admin.imports.mapping import default_mapping_text
from app.extensions import db
from app.models import Employee, OrgUnit
from tests.hr_import.helpers import SAMPLE, SAMPLE_WITH_ERRORS, csv_bytes, files


def _paths(folder):
    return [str(folder / "enheter.csv"), str(folder / "personal.csv")]


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_import_then_import_again_reports_nothing_to_do(runner, app_ctx, caplog):
    caplog.set_level(logging.INFO, logger="app.mail")
    result = runner.invoke(args=["hr", "import", *_paths(SAMPLE), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["units"] == 96
    assert summary["employees"] == 1500
    assert summary["created"] == 96 + summary["details"]["employees_created"]
    assert summary["errors"] == []
    # Every new account with an address was invited (to the log: no MAIL_SERVER in tests).
    invited = [r for r in caplog.records if r.name == "app.mail"]
    assert len(invited) == summary["invitations_sent"] > 1400
    assert "/konto/inbjudan/" in invited[0].getMessage()

    again = runner.invoke(args=["hr", "import", *_paths(SAMPLE), "--json"])
    assert again.exit_code == 0
    summary = json.loads(again.stdout)
    assert (summary["created"], summary["updated"], summary["deactivated"]) == (0, 0, 0)


def test_the_error_file_exits_non_zero_with_one_line_per_problem(runner, app_ctx):
    result = runner.invoke(args=["hr", "import", *_paths(SAMPLE_WITH_ERRORS), "--json"])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("personal.csv, rad")]
    assert [int(line.split("rad ")[1].split(",")[0].split(":")[0]) for line in lines] == [
        152,
        157,
        162,
        167,
        172,
        177,
        182,
    ]
    summary = json.loads(result.stdout)
    assert [e["line"] for e in summary["errors"]] == [152, 157, 162, 167, 172, 177, 182]
    assert set(summary["errors"][0]) == {"file", "line", "field", "message"}
    assert _count(Employee) == _count(OrgUnit) == 0


def test_dry_run_prints_the_changes_and_changes_nothing(runner, app_ctx):
    result = runner.invoke(args=["hr", "import", *_paths(SAMPLE), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Provkörning" in result.stdout
    assert "Ny enhet (96):" in result.stdout
    assert "K0001 Exempelby kommun" in result.stdout
    assert _count(Employee) == 0


def test_mapping_and_encoding_options(runner, app_ctx, tmp_path):
    units, staff = files(sep=",", encoding="cp1252")
    (tmp_path / "u.csv").write_bytes(units.data)
    (tmp_path / "s.csv").write_bytes(staff.data)
    mapping = tmp_path / "mappning.toml"
    mapping.write_text(default_mapping_text(), encoding="utf-8")
    args = ["hr", "import", str(tmp_path / "u.csv"), str(tmp_path / "s.csv")]
    result = runner.invoke(args=[*args, "--mapping", str(mapping), "--encoding", "windows-1252"])
    assert result.exit_code == 0, result.output
    assert (
        db.session.scalar(sa.select(Employee.last_name).where(Employee.employee_number == "4"))
        == "Ås"
    )


def test_bad_files_and_options_are_named(runner, app_ctx, tmp_path):
    empty = tmp_path / "tom.csv"
    empty.write_bytes(b"")
    picture = tmp_path / "bild.csv"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    result = runner.invoke(args=["hr", "import", str(empty), str(picture)])
    assert result.exit_code == 1
    assert "tom.csv: Filen är tom." in result.stderr
    assert "bild.csv: Filen är ingen textfil (CSV)" in result.stderr

    result = runner.invoke(args=["hr", "import", str(empty), str(tmp_path / "finns-inte.csv")])
    assert result.exit_code == 1
    assert "finns-inte.csv: Filen kunde inte läsas" in result.stderr

    bad_mapping = tmp_path / "m.toml"
    bad_mapping.write_text("[units\n", encoding="utf-8")
    result = runner.invoke(
        args=[
            "hr",
            "import",
            *_paths(SAMPLE),
            "--mapping",
            str(bad_mapping),
            "--encoding",
            "klingon",
        ]
    )
    assert result.exit_code == 1
    assert "inte giltig TOML" in result.stderr
    assert "Okänd teckenkodning 'klingon'" in result.stderr


def test_a_file_that_is_not_the_expected_csv_names_the_missing_columns(runner, app_ctx, tmp_path):
    prose = tmp_path / "brev.csv"
    prose.write_bytes(csv_bytes([["Hej! Här kommer filen du bad om."], ["Mvh Kalle"]]))
    result = runner.invoke(args=["hr", "import", str(prose), str(SAMPLE / "personal.csv")])
    assert result.exit_code == 1
    assert "brev.csv, rad 1, enhetskod: Rubrikraden saknar kolumnen 'enhetskod'" in result.stderr


def test_a_running_import_blocks_the_command(runner, app_ctx):
    with lock.import_lock("Hanna på HR"):
        result = runner.invoke(args=["hr", "import", *_paths(SAMPLE)])
    assert result.exit_code == 1
    assert "En annan import pågår redan" in result.stderr
    assert _count(Employee) == 0


def test_no_invitations_imports_everyone_and_invites_no_one(runner, app_ctx, caplog):
    caplog.set_level(logging.INFO, logger="app.mail")
    result = runner.invoke(args=["hr", "import", *_paths(SAMPLE), "--json", "--no-invitations"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["details"]["employees_created"] > 1400
    assert summary["invitations_sent"] == 0
    assert [r for r in caplog.records if r.name == "app.mail"] == []
    assert _count(Employee) == summary["details"]["employees_created"]
