"""Exports: Swedish-Excel CSV, XLSX, neutralised formulas, filters, audit, web and CLI."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import pytest

from app.extensions import db
from app.models import AuditEvent
from app.reports import exports

EVIL = '=HYPERLINK("http://x.example","klicka")'


def test_neutralise_cells():
    for bad in ("=1+1", "+46", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert exports.neutralise(bad) == "'" + bad
    assert exports.neutralise("Åsa") == "Åsa"
    assert exports.neutralise(-1) == -1  # numbers stay numbers


def test_csv_is_what_swedish_excel_opens():
    data = b"".join(
        exports.csv_chunks(
            ["Namn", "Antal", "Andel", "Dag"],
            [(EVIL, 3, 0.5, date(2026, 1, 2)), ("Örjan Åström", None, None, None)],
        )
    )
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == ["Namn", "Antal", "Andel", "Dag"]
    assert rows[1] == ["'" + EVIL, "3", "0,5000", "2026-01-02"]
    assert rows[2][0] == "Örjan Åström"


def test_xlsx_has_no_formulas(tmp_path):
    path = tmp_path / "x.xlsx"
    n = exports.write_xlsx(["Namn", "Dag"], [(EVIL, date(2026, 1, 2)), ("Åsa", None)], str(path))
    assert n == 2
    sheet = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    assert "&apos;=HYPERLINK" in sheet or "'=HYPERLINK" in sheet
    assert "Åsa" in sheet


def _records(client, query=""):
    response = client.get(f"/rapporter/export/ladda-ned?typ=records&format=csv{query}")
    text = response.get_data().decode("utf-8-sig")
    return response, list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def test_web_export_records_with_filters_and_audit(client, auth, town, make, app_ctx):
    town["staff"].first_name = EVIL
    db.session.commit()
    make.completion(town["staff"], town["basic"], on=date(2025, 6, 1))
    auth.login("hr@test.example")
    response, rows = _records(client)
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert rows[0][0] == "Anställningsnummer"
    assert len(rows) == 1 + 10  # every completion
    assert any(r[1] == "'" + EVIL for r in rows[1:])
    _, soc = _records(client, "&enhet=SOC")
    assert len(soc) == 1 + 8
    assert all("Socialförvaltningen" in r[4] for r in soc[1:])
    _, june = _records(client, "&fran=2025-05-01&till=2025-06-30")
    assert len(june) == 1 + 3
    _, course = _records(client, f"&kurs={town['chefs'].id}")
    assert len(course) == 1 + 1
    events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "export.records"))
    assert len(list(events)) == 4


def test_web_export_refuses_bad_filters(client, auth, town):
    auth.login("hr@test.example")
    response = client.get("/rapporter/export/ladda-ned?typ=records&format=csv&enhet=NOPE")
    assert response.status_code == 400
    assert "NOPE" in response.get_data(as_text=True)
    response = client.get("/rapporter/export/ladda-ned?typ=records&format=csv&status=overdue")
    assert response.status_code == 400


def test_export_is_hr_only(client, auth, town):
    for email in ("rapport@test.example", "chef@test.example"):
        auth.login(email)
        assert client.get("/rapporter/export/ladda-ned?typ=records&format=csv").status_code == 403
        auth.logout()


def test_xlsx_download(client, auth, town):
    auth.login("hr@test.example")
    response = client.get("/rapporter/export/ladda-ned?typ=coverage&format=xlsx")
    assert response.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(response.data)).namelist()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_cli_export(runner, town, tmp_path, fmt, app_ctx):
    out = tmp_path / f"records.{fmt}"
    result = runner.invoke(
        args=["reports", "export", "records", "--format", fmt, "--out", str(out), "--unit", "SOC"]
    )
    assert result.exit_code == 0, result.output
    assert "7 rader" in result.output  # six in Individ och familj and the head's own
    assert out.stat().st_size > 0
    assert db.session.scalar(
        db.select(db.func.count()).where(AuditEvent.action == "export.records")
    )


def test_cli_export_refuses_unknown_unit(runner, town, tmp_path):
    result = runner.invoke(
        args=["reports", "export", "coverage", "--out", str(tmp_path / "x.csv"), "--unit", "NOPE"]
    )
    assert result.exit_code == 1
    assert "NOPE" in result.output


def test_snapshot_is_idempotent(runner, town, app_ctx):
    from app.models import CoverageSnapshot
    from app.reports import services

    for _ in range(2):
        result = runner.invoke(args=["reports", "snapshot"])
        assert result.exit_code == 0, result.output
    days = set(db.session.scalars(db.select(CoverageSnapshot.taken_on)))
    assert days == {date.today()}
    points = services.trend(db.session)
    assert len(points) == 1
    result = runner.invoke(args=["reports", "snapshot", "--rebuild-from", "2025-01-01"])
    assert result.exit_code == 0, result.output
    points = services.trend(db.session)
    assert points[0].rebuilt
    assert not points[-1].rebuilt
    assert points[0].counts.covered <= points[-1].counts.covered


def test_control_characters_in_unit_code_are_a_400(client, auth, town):
    auth.login("hr@test.example")
    response = client.get("/rapporter/export/ladda-ned?typ=records&format=csv&enhet=A%00")
    assert response.status_code == 400
