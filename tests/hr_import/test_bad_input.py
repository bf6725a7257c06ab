"""Bad input gets a clear message naming file, line and column, and nothing changes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.admin.imports import services
from app.admin.imports.mapping import MappingError, parse_mapping
from app.admin.imports.reading import ImportFile
from app.extensions import db
from app.models import Employee, OrgUnit
from tests.hr_import.helpers import STAFF, STAFF_HEADER, UNITS, csv_bytes, employee, files, run


def refused(pair) -> list[tuple[str, int | None, str | None, str]]:
    with pytest.raises(services.ImportRejected) as exc:
        run(pair)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OrgUnit)) == 0
    return [(p.file, p.line, p.field, p.message) for p in exc.value.problems]


def test_an_empty_file_and_a_header_without_rows(app_ctx):
    problems = refused(
        (ImportFile("enheter.csv", b""), ImportFile("personal.csv", csv_bytes([STAFF_HEADER])))
    )
    assert problems == [
        ("enheter.csv", None, None, "Filen är tom."),
    ]
    units, _ = files()
    problems = refused((units, ImportFile("personal.csv", csv_bytes([STAFF_HEADER]))))
    assert problems == [("personal.csv", None, None, "Filen har inga rader under rubrikraden.")]


def test_a_huge_line_is_named_not_a_crash(app_ctx):
    staff = [row[:] for row in STAFF]
    staff[2][1] = "A" * 300_000
    problems = refused(files(staff=staff))
    assert problems[0][:2] == ("personal.csv", 4)
    assert "orimligt lång" in problems[0][3]

    staff[2][1] = "A" * 5_000  # long, but readable: the column is named
    problems = refused(files(staff=staff))
    assert problems == [
        ("personal.csv", 4, "fornamn", "Värdet är för långt: 5000 tecken, högst 255 får plats.")
    ]


def test_html_and_formulas_in_names_are_stored_as_text_with_a_warning(app_ctx):
    staff = [row[:] for row in STAFF]
    staff[3][1] = "<script>alert(1)</script>"
    staff[3][2] = '=HYPERLINK("http://x.example","klicka")'
    staff[3] = [
        staff[3][0],
        staff[3][1],
        f'"{staff[3][2].replace(chr(34), chr(34) * 2)}"',
        *staff[3][3:],
    ]
    result = run(files(staff=staff))
    assert [(w.line, w.field) for w in result.warnings] == [(5, "fornamn"), (5, "efternamn")]
    dan = employee("4")
    assert dan.first_name == "<script>alert(1)</script>"
    assert dan.last_name == '=HYPERLINK("http://x.example","klicka")'


def test_control_characters_are_refused(app_ctx):
    staff = [row[:] for row in STAFF]
    staff[0][2] = "Öb\x00erg"
    problems = refused(files(staff=staff))
    assert problems == [
        (
            "personal.csv",
            2,
            "efternamn",
            "Värdet innehåller otillåtna kontrolltecken (t.ex. radbrytning).",
        )
    ]


def test_unit_tree_problems(app_ctx):
    units = [
        ["K", "Kommunen", "kommun", "", "1"],
        ["A", "A", "enhet", "B", ""],
        ["B", "B", "enhet", "A", ""],
        ["C", "C", "enhet", "SAKNAS", ""],
        ["A", "A igen", "enhet", "K", ""],
        ["D", "D", "enhet", "K", "999"],
        ["E", "E", "enhet", "E", ""],
    ]
    staff = [["1", "Åsa", "Öberg", "a@k.se", "K", "", "ledning", "2010-01-01", ""]]
    problems = refused(files(units=units, staff=staff))
    assert [(line, field) for _, line, field, _ in problems] == [
        (3, "overordnad_enhetskod"),
        (4, "overordnad_enhetskod"),
        (5, "overordnad_enhetskod"),
        (6, "enhetskod"),
        (7, "chef_anstallningsnummer"),
        (8, "overordnad_enhetskod"),
    ]
    messages = [m for *_, m in problems]
    assert "cirkel" in messages[0]
    assert "A → B → A" in messages[0]
    assert "SAKNAS finns inte i enhetsfilen" in messages[2]
    assert "finns redan på rad 3" in messages[3]
    assert "Chefen 999 finns inte i personalfilen" in messages[4]
    assert "sin egen" in messages[5]


def test_a_mapping_with_mistakes_names_them_all():
    with pytest.raises(MappingError) as exc:
        parse_mapping(
            """
            [units]
            code = "kod"
            colour = "färg"
            [staff]
            employee_number = "nr"
            [levels]
            boss = "chefen"
            """
        )
    message = str(exc.value)
    for part in ("'colour'", "name", "first_name", "'chefen'"):
        assert part in message


def test_wrong_column_count_and_duplicate_header(app_ctx):
    units = [*UNITS[:2], ["SOC-1", "Barn", "enhet"], UNITS[3]]
    problems = refused(files(units=units))
    assert problems[0][:3] == ("enheter.csv", 4, None)
    pair = (
        ImportFile("enheter.csv", csv_bytes([["enhetskod", "enhetskod", "enhetsnamn"]])),
        files()[1],
    )
    problems = refused(pair)
    assert problems[0] == (
        "enheter.csv",
        1,
        "enhetskod",
        "Kolumnen finns flera gånger i rubrikraden.",
    )


def test_refused_files_leave_existing_people_untouched(app_ctx):
    run(files())
    staff = [row[:] for row in STAFF]
    staff[1][7] = "2015-02-30"
    with pytest.raises(services.ImportRejected):
        run(files(staff=staff[:2]))
    db.session.rollback()
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Employee).where(Employee.active.is_(True))
        )
        == 5
    )
