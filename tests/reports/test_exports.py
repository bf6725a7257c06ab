"""Exports: Swedish-Excel CSV, XLSX, neutralised formulas, filters, audit, web and CLI."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from app import dates
from app.dates import add_months
from app.extensions import db
from app.models import AuditEvent, Completion, Course, Employee, OrgUnit
from app.reports import exports
from tests.conftest import csrf_from
from tests.reports.downloads import export
from tests.reports.expected import expected_statuses

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


def test_xlsx_text_is_text_without_an_apostrophe_and_never_a_formula(tmp_path):
    """In XLSX a text cell is never run, so "=1+1" stays "=1+1" (outputs review, point 1)."""
    path = tmp_path / "x.xlsx"
    hostile = [EVIL, "=1+1", "@SUM(1;2)", "-2+3", "+46 8 123", "\tflik"]
    n = exports.write_xlsx(
        ["Namn", "Dag"], [*((v, date(2026, 1, 2)) for v in hostile), ("Åsa", None)], str(path)
    )
    assert n == len(hostile) + 1
    sheet = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    cells = [row[0] for row in openpyxl.load_workbook(path).active.iter_rows(min_row=2)]
    assert [c.value for c in cells] == [*hostile, "Åsa"]  # exactly as stored, no apostrophe
    assert {c.data_type for c in cells} == {"s"}


def _records(client, **choices):
    response = export(client, typ="records", format="csv", **choices)
    text = response.get_data().decode("utf-8-sig")
    return response, list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def test_web_export_records_with_filters_and_audit(client, auth, town, make, app_ctx):
    town["staff"].first_name = EVIL
    db.session.commit()
    year = town["year"]  # the fixture's completions are from March–May of that year
    make.completion(town["staff"], town["basic"], on=date(year, 6, 1))
    auth.login("hr@test.example")
    response, rows = _records(client)
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert rows[0][0] == "Anställningsnummer"
    assert len(rows) == 1 + 10  # every completion
    assert any(r[1] == "'" + EVIL for r in rows[1:])
    _, soc = _records(client, enhet="SOC")
    assert len(soc) == 1 + 8
    assert all("Socialförvaltningen" in r[4] for r in soc[1:])
    _, june = _records(client, fran=f"{year}-05-01", till=f"{year}-06-30")
    assert len(june) == 1 + 3  # the chef's and the politician's in May, the staff's in June
    _, course = _records(client, kurs=str(town["chefs"].id))
    assert len(course) == 1 + 1
    events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "export.records"))
    assert len(list(events)) == 4


def test_web_export_refuses_bad_filters(client, auth, town):
    auth.login("hr@test.example")
    response = export(client, typ="records", format="csv", enhet="NOPE")
    assert response.status_code == 400
    assert "NOPE" in response.get_data(as_text=True)
    response = export(client, typ="records", format="csv", status="overdue")
    assert response.status_code == 400


def test_export_is_hr_only(client, auth, town):
    for email in ("rapport@test.example", "chef@test.example"):
        auth.login(email)
        assert client.get("/rapporter/export").status_code == 403
        page = client.get("/").get_data(as_text=True)
        response = client.post(
            "/rapporter/export/ladda-ned",
            data={"csrf_token": csrf_from(page), "typ": "records", "format": "csv"},
        )
        assert response.status_code == 403
        auth.logout()


def _sheet(response):
    """The workbook's one sheet, read as a spreadsheet program reads it."""
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Värna"]
    return book["Värna"]


def _unit_names() -> dict[int, tuple[str, str]]:
    """Unit id -> (code, "Kommun / Förvaltning / Enhet")."""
    units = {u.id: u for u in db.session.scalars(db.select(OrgUnit))}
    return {
        u.id: (
            u.code,
            " / ".join(units[int(i)].name for i in u.path.strip("/").split("/")),
        )
        for u in units.values()
    }


def test_xlsx_coverage_download(client, auth, town, app_ctx):
    today = dates.today()
    auth.login("hr@test.example")
    response = export(client, typ="coverage", format="xlsx")
    assert response.status_code == 200
    assert response.mimetype == exports.MIMETYPES["xlsx"]
    assert (
        f'filename="varna-tackning-{today.isoformat()}.xlsx"'
        in response.headers["Content-Disposition"]
    )
    sheet = _sheet(response)
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [
        "Enhetskod",
        "Enhet",
        "Nivå",
        "Kurs",
        "Genomförd",
        "Går snart ut",
        "Har gått ut",
        "Försenad",
        "Ej påbörjad",
        "Totalt",
        "Täckning",
    ]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"

    # the counts, grouped as the sheet groups them, from the reference reading of the fixture
    names = _unit_names()
    people = {e.id: e for e in db.session.scalars(db.select(Employee))}
    titles = {c.id: c.title for c in db.session.scalars(db.select(Course))}
    order = ["completed", "expiring", "expired", "overdue", "pending"]
    level_names = {"ledning": "Ledning", "chef": "Chef", "medarbetare": "Medarbetare"}
    level_names["fortroendevald"] = "Förtroendevald"
    expected: dict[tuple, list[int]] = {}
    for (emp, course), status in expected_statuses(today).items():
        e = people[emp]
        key = (*names[e.unit_id], level_names[e.level], titles[course])
        expected.setdefault(key, [0] * 5)[order.index(status)] += 1
    shown = {}
    for row in rows[1:]:
        *counts, total, share = row[4:]
        assert total == sum(counts)
        assert share == pytest.approx((counts[0] + counts[1]) / total)
        shown[tuple(row[:4])] = counts
    assert shown == expected
    assert [tuple(r[:4]) for r in rows[1:]] == sorted(
        (tuple(r[:4]) for r in rows[1:]), key=lambda k: (k[1], k[0], k[2], k[3])
    )
    # the share is a number shown as a percentage, not text
    share_cell = sheet.cell(row=2, column=11)
    assert share_cell.data_type == "n"
    assert share_cell.number_format == "0.0%"


def test_xlsx_records_download_has_real_dates_and_no_formulas(client, auth, town, make):
    town["staff"].first_name = EVIL
    db.session.commit()
    make.completion(town["staff"], town["basic"], on=date(town["year"], 6, 1))
    auth.login("hr@test.example")
    response = export(client, typ="records", format="xlsx", enhet="IFO")
    assert response.status_code == 200
    sheet = _sheet(response)
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [
        "Anställningsnummer",
        "Förnamn",
        "Efternamn",
        "Enhetskod",
        "Enhet",
        "Nivå",
        "Kurs",
        "Kursversion",
        "Datum",
        "Poäng",
        "Källa",
        "Giltig till",
    ]
    names = _unit_names()
    expected = []
    for c in db.session.scalars(db.select(Completion).order_by(Completion.id)):
        e = db.session.get(Employee, c.employee_id)
        if e.unit_id != town["ifo"].id:
            continue
        expected.append(
            (
                e.employee_number,
                e.first_name,  # EVIL too: as text, without an apostrophe
                e.last_name,
                *names[e.unit_id],
                "Medarbetare",
                c.course.title,
                c.course_version.version if c.course_version_id else None,
                c.completed_at.date(),
                100,
                "Webbkurs",
                c.expires_at.date(),
            )
        )
    # dates come back as dates (a day serial with a date format), not as text
    shown = [(*r[:8], r[8].date(), r[9], r[10], r[11].date()) for r in rows[1:]]
    assert shown == expected
    assert len(shown) == 7  # six of Individ och familj's eight and the staff member
    assert sheet.cell(row=2, column=9).number_format == "yyyy-mm-dd"
    evil = [
        cell for row in sheet.iter_rows(min_row=2) for cell in row if "HYPERLINK" in str(cell.value)
    ]
    assert [cell.data_type for cell in evil] == ["s"]  # text, never a formula


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
    assert days == {dates.today()}
    points = services.trend(db.session)
    assert len(points) == 1
    result = runner.invoke(args=["reports", "snapshot", "--rebuild-from", "2025-01-01"])
    assert result.exit_code == 0, result.output
    points = services.trend(db.session)
    assert points[0].rebuilt
    assert not points[-1].rebuilt
    assert points[0].counts.covered <= points[-1].counts.covered


def test_snapshot_of_a_day_to_come_is_refused(runner, town, app_ctx):
    from app.models import CoverageSnapshot

    tomorrow = dates.today() + timedelta(days=1)
    result = runner.invoke(args=["reports", "snapshot", "--on", tomorrow.isoformat()])
    assert result.exit_code == 1
    assert "har inte varit än" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CoverageSnapshot)) == 0


def test_control_characters_in_unit_code_are_a_400(client, auth, town):
    auth.login("hr@test.example")
    response = export(client, typ="records", format="csv", enhet="A\x00")
    assert response.status_code == 400


# --- the CLI's filters and the snapshot, against the fixture's own rows ----------------------


def _cli_rows(runner, tmp_path, *args: str) -> list[list[str]]:
    out = tmp_path / "out.csv"
    result = runner.invoke(args=["reports", "export", *args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"), newline=""), delimiter=";"))
    n = len(rows) - 1
    assert f"{n} {'rad' if n == 1 else 'rader'} till {out}." in result.output
    return rows[1:]


def _completions(where=lambda c: True) -> list[tuple[str, str, str]]:
    """(employee number, course title, day) of the fixture's completions that pass `where`."""
    return sorted(
        (c.employee.employee_number, c.course.title, c.completed_at.date().isoformat())
        for c in db.session.scalars(db.select(Completion))
        if where(c)
    )


def _keys(rows: list[list[str]]) -> list[tuple[str, str, str]]:
    return sorted((r[0], r[6], r[8]) for r in rows)


def test_cli_export_records_by_course_and_dates(runner, town, tmp_path, app_ctx):
    chefs = _cli_rows(runner, tmp_path, "records", "--course", "chefens-ansvar")
    assert _keys(chefs) == _completions(lambda c: c.course.slug == "chefens-ansvar")
    assert len(chefs) == 1  # the chef's own course
    basic = _cli_rows(runner, tmp_path, "records", "--course", "grundkurs")
    assert _keys(basic) == _completions(lambda c: c.course.slug == "grundkurs")

    year = town["year"]
    first, last = date(year, 3, 3), date(year, 4, 1)  # both days included
    window = _cli_rows(
        runner, tmp_path, "records", "--from", first.isoformat(), "--to", last.isoformat()
    )
    expected = _completions(lambda c: first <= c.completed_at.date() <= last)
    assert _keys(window) == expected
    assert len(expected) == 5  # Ifo2–Ifo5 in March, Lärare0 on 1 April
    both = _cli_rows(
        runner, tmp_path, "records", "--course", "grundkurs", "--unit", "UTB",
        "--from", first.isoformat(),
    )  # fmt: skip
    assert [r[1] for r in both] == ["Lärare0"]

    events = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "export.records").order_by(AuditEvent.id)
    ).all()
    assert len(events) == 4
    assert events[2].details["from"] == first.isoformat()
    assert events[2].details["to"] == last.isoformat()
    assert events[3].details["course_id"] == town["basic"].id
    assert events[3].details["unit"] == "UTB"
    assert {e.details["via"] for e in events} == {"cli"}


def test_cli_export_records_by_status_on_a_day(runner, town, tmp_path, app_ctx):
    """Three years on from the fixture's middle completion: some expired, some about to."""
    days = sorted(c.completed_at.date() for c in db.session.scalars(db.select(Completion)))
    on = add_months(days[len(days) // 2], 36)
    status = expected_statuses(on)
    seen = {}
    for wanted in ("completed", "expiring", "expired"):
        rows = _cli_rows(runner, tmp_path, "records", "--status", wanted, "--on", on.isoformat())
        expected = _completions(lambda c, w=wanted: status[(c.employee_id, c.course_id)] == w)
        assert _keys(rows) == expected
        assert expected, wanted  # the day was chosen so that every status has someone
        seen[wanted] = len(rows)
    assert sum(seen.values()) == len(_completions())
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "export.records").order_by(AuditEvent.id)
    ).all()[-1]
    assert (event.details["status"], event.details["on"]) == ("expired", on.isoformat())


def test_cli_export_coverage_by_status_and_course(runner, town, tmp_path, app_ctx):
    today = dates.today()
    rows = _cli_rows(runner, tmp_path, "coverage", "--status", "overdue", "--course", "grundkurs")
    assert rows
    assert {r[3] for r in rows} == {"Grundkurs"}
    assert all(int(r[7]) > 0 for r in rows)  # Försenad
    expected = sum(
        1
        for (_emp, course), s in expected_statuses(today).items()
        if course == town["basic"].id and s == "overdue"
    )
    assert sum(int(r[7]) for r in rows) == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["records", "--course", "finns-inte"], "--course: ingen kurs heter 'finns-inte'."),
        (["records", "--from", "2025-13-01"], "--from: '2025-13-01' är inget datum"),
        (["records", "--to", "igår"], "--to: 'igår' är inget datum"),
        (["records", "--on", "x"], "--on: 'x' är inget datum"),
        (["records", "--status", "overdue"], "Okänd status 'overdue'"),
        (["coverage", "--status", "klar"], "Okänd status 'klar'"),
    ],
)
def test_cli_export_refuses_bad_filters(runner, town, tmp_path, app_ctx, args, message):
    out = tmp_path / "x.csv"
    result = runner.invoke(args=["reports", "export", *args, "--out", str(out)])
    assert result.exit_code == 1
    assert message in result.output
    assert not out.exists()
    assert not db.session.scalar(
        db.select(db.func.count()).where(AuditEvent.action.startswith("export."))
    )


def test_snapshot_on_a_past_day_writes_that_day_s_figures(client, auth, runner, town, app_ctx):
    from app.models import CoverageSnapshot

    days = sorted(c.completed_at.date() for c in db.session.scalars(db.select(Completion)))
    day = days[len(days) // 2]
    people = {e.id: e for e in db.session.scalars(db.select(Employee))}
    expected: dict[tuple, list[int]] = {}
    order = ["completed", "expiring", "expired", "overdue", "pending"]
    for (emp, course), s in expected_statuses(day).items():
        key = (people[emp].unit_id, people[emp].level, course)
        expected.setdefault(key, [0] * 5)[order.index(s)] += 1

    for _ in range(2):  # a second run replaces the day's rows
        result = runner.invoke(args=["reports", "snapshot", "--on", day.isoformat()])
        assert result.exit_code == 0, result.output
        assert f"Ögonblicksbild {day.isoformat()}: {len(expected)} rader." in result.output
    db.session.expire_all()
    rows = db.session.scalars(db.select(CoverageSnapshot)).all()
    assert {r.taken_on for r in rows} == {day}
    assert not any(r.rebuilt for r in rows)
    assert {
        (r.unit_id, r.level, r.course_id): [getattr(r, s) for s in order] for r in rows
    } == expected

    covered = sum(v[0] + v[1] for v in expected.values())
    total = sum(sum(v) for v in expected.values())
    auth.login("hr@test.example")
    trend = client.get("/rapporter/trend").get_data(as_text=True)
    row = trend.split(f'<th scope="row">{day.isoformat()}</th>')[1].split("</tr>")[0]
    assert f"{covered} av {total}" in row
    assert "ögonblicksbild" in row


def test_rebuilt_history_matches_each_day_s_figures(runner, town, app_ctx):
    """--rebuild-from: one point a month, each with the figures of its own day."""
    from app.reports import services

    year = town["year"]
    on = date(year, 6, 1)
    result = runner.invoke(
        args=["reports", "snapshot", "--on", on.isoformat(), "--rebuild-from", f"{year}-02-01"]
    )
    assert result.exit_code == 0, result.output
    assert f"Historik uppbyggd för 4 dagar ({year}-02-01 – {year}-05-01)." in result.output
    points = services.trend(db.session)
    assert [p.day for p in points] == [date(year, m, 1) for m in (2, 3, 4, 5, 6)]
    assert [p.rebuilt for p in points] == [True, True, True, True, False]
    for point in points:
        statuses = list(expected_statuses(point.day).values())
        covered = sum(s in ("completed", "expiring") for s in statuses)
        assert (point.counts.covered, point.counts.total) == (covered, len(statuses)), point.day
    assert points[0].counts.covered < points[-1].counts.covered


# --- starting an export: only the form's POST (review I4 / issue 15) ------------------------


def _export_events() -> int:
    return db.session.scalar(
        db.select(db.func.count()).where(AuditEvent.action.startswith("export."))
    )


def test_a_link_cannot_start_an_export_it_opens_the_form(client, auth, town, app_ctx):
    auth.login("hr@test.example")
    # a bookmark or a cross-site link to the old download address
    link = "/rapporter/export/ladda-ned?typ=coverage&format=xlsx&enhet=SOC"
    response = client.get(link)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        "/rapporter/export?typ=coverage&format=xlsx&enhet=SOC"
    )
    page = client.get(link, follow_redirects=True)
    assert page.status_code == 200
    assert "attachment" not in page.headers.get("Content-Disposition", "")
    html = page.get_data(as_text=True)
    assert '<form method="post" action="/rapporter/export/ladda-ned"' in html
    assert '<option selected value="coverage">' in html  # the link's choices, ready to press
    assert 'value="SOC"' in html
    # a forged form post without the page's CSRF token
    forged = client.post(
        "/rapporter/export/ladda-ned", data={"typ": "records", "format": "csv", "enhet": "SOC"}
    )
    assert forged.status_code == 400
    assert "säkerhetstoken" in forged.get_data(as_text=True)
    assert _export_events() == 0
    # pressing Ladda ned on the form makes the file, and the audit event
    response = export(client, typ="coverage", format="xlsx", enhet="SOC")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert _export_events() == 1


def test_the_csv_download_says_its_charset_once(client, auth, town):
    auth.login("hr@test.example")
    response = export(client, typ="records", format="csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


@pytest.mark.parametrize("kind", ["records", "coverage"])
def test_every_xlsx_column_is_wide_enough_for_its_header(client, auth, town, kind):
    auth.login("hr@test.example")
    sheet = _sheet(export(client, typ=kind, format="xlsx"))
    header = [cell.value for cell in sheet[1]]
    # every column has a width stored in the file (not the spreadsheet program's default);
    # a <col> element may cover several columns of the same width
    widths = {
        column: dim.width
        for dim in sheet.column_dimensions.values()
        for column in range(dim.min, dim.max + 1)
    }
    assert sorted(widths) == [cell.column for cell in sheet[1]]
    for cell in sheet[1]:
        assert widths[cell.column] >= len(cell.value), (cell.value, widths[cell.column])
    # the unit's full path is the widest text in the records: it is not cut to the header
    if kind == "records":
        column = header.index("Enhet") + 1
        longest = max(len(row[column - 1].value) for row in sheet.iter_rows(min_row=2))
        assert widths[column] > longest
