"""The import service without HTTP: the sample municipality, the error file, changes over time."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app.admin.imports import lock, services
from app.admin.imports.mapping import default_mapping_text, parse_mapping
from app.admin.imports.reading import ImportFile
from app.extensions import db
from app.models import AuditEvent, Completion, Employee, OrgUnit, UnitManager
from tests.conftest import PASSWORD
from tests.hr_import.helpers import (
    SAMPLE_WITH_ERRORS,
    STAFF,
    TODAY,
    UNITS,
    chefs,
    employee,
    files,
    run,
    sample_files,
    snapshot,
    unit,
)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_sample_municipality_is_imported(make):
    hr = make.employee(is_hr=True)
    result = run(sample_files(), actor=hr)

    assert (result.units, result.employees) == (96, 1500)
    c = result.counts
    assert (c.units_created, c.employees_created, c.skipped_already_left) == (96, 1484, 16)
    assert c.updated == 0
    assert c.deactivated == 0
    # HR's own account is not in the file: it is kept (with a warning), and so is its unit.
    assert any("HR-behörighet" in w.message for w in result.warnings)
    db.session.refresh(hr)
    assert hr.active
    assert hr.unit.active
    assert c.managers_added == 94  # 96 units, one without a manager, one whose manager left
    # The tree: every path is the parent's path plus the unit's own id.
    leaf = unit("KLK-003")
    assert leaf.depth == 3
    assert leaf.path == f"{unit('KLK-002').path}{leaf.id}/"
    assert unit("K0001").path == f"/{unit('K0001').id}/"
    # People: placed on their start date, the manager linked to their unit.
    person = employee("100009")
    assert (person.first_name, person.unit.code, person.level) == ("Maria", "KLK-002", "chef")
    assert person.placed_on == person.start_date == date(2022, 9, 27)
    assert person.password_hash is None
    assert person.active
    assert chefs("KLK-002") == {"100009"}
    # One audit event with the files, the counts and who ran it.
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "hr.import"))
    assert event.actor_id == hr.id
    assert event.details["files"] == ["enheter.csv", "personal.csv"]
    assert event.details["counts"]["employees_created"] == 1484


def test_importing_the_same_files_again_changes_nothing(app_ctx):
    run(sample_files())
    before = snapshot()
    again = run(sample_files())
    assert (again.counts.created, again.counts.updated, again.counts.deactivated) == (0, 0, 0)
    assert again.changes == []
    after = snapshot()
    assert after[:-1] == before  # only the second audit event is new
    assert len(after) == len(before) + 1


def test_the_error_file_is_refused_with_every_problem_and_nothing_changes(app_ctx):
    run(sample_files())
    before = snapshot()
    with pytest.raises(services.ImportRejected) as refused:
        run(sample_files(SAMPLE_WITH_ERRORS))
    problems = refused.value.problems
    assert [(p.file, p.line, p.field) for p in problems] == [
        ("personal.csv", 152, "anstallningsnummer"),
        ("personal.csv", 157, "enhetskod"),
        ("personal.csv", 162, "anstallningsdatum"),
        ("personal.csv", 167, "personalkategori"),
        ("personal.csv", 172, "epost"),
        ("personal.csv", 177, "slutdatum"),
        ("personal.csv", 182, None),
    ]
    messages = [p.message for p in problems]
    assert "rad 151" in messages[0]
    assert "FINNS-EJ" in messages[1]
    assert "2021-13-45" in messages[2]
    assert "chefen" in messages[3]
    assert "inte-en-epost" in messages[4]
    assert "före anställningsdatum" in messages[5]
    assert "5 fält men rubrikraden har 9" in messages[6]
    db.session.rollback()
    assert snapshot() == before


def test_a_dry_run_reports_but_changes_nothing(app_ctx):
    result = run(sample_files(), dry_run=True)
    assert result.dry_run
    assert result.counts.employees_created == 1484
    kinds = result.by_kind()
    assert len(kinds["unit_new"]) == 96
    assert kinds["emp_new"][0].name.startswith("100003 ")
    assert count(OrgUnit) == count(Employee) == count(AuditEvent) == 0


def test_a_person_who_moves_keeps_their_history_and_is_placed_anew(make):
    run(files())
    dan = employee("4")
    course = make.course()
    make.completion(dan, course)
    staff = [row[:] for row in STAFF]
    staff[3][4] = "UTB"  # Dan moves
    staff[4][6] = "chef"  # Eva is promoted
    result = run(files(staff=staff), today=TODAY)

    assert result.counts.employees_updated == 2
    assert {(c.kind, c.key) for c in result.changes} == {("emp_unit", "4"), ("emp_level", "5")}
    db.session.expire_all()
    moved = employee("4")
    assert moved.id == dan.id
    assert moved.unit.code == "UTB"
    assert moved.placed_on == TODAY
    assert employee("5").placed_on == TODAY
    assert employee("1").placed_on == date(2010, 1, 1)  # unchanged
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Completion)
            .where(Completion.employee_id == dan.id)
        )
        == 1
    )


def test_leavers_are_deactivated_keep_their_records_and_cannot_log_in(make, client, auth):
    run(files())
    course = make.course()
    for number in ("4", "5"):
        person = employee(number)
        person.password_hash = generate_password_hash(PASSWORD)
        make.completion(person, course)
    db.session.commit()
    assert auth.login("dan.as@lilleby.se").status_code == 302
    token_before = employee("4").session_token

    staff = [row[:] for row in STAFF[:4]]  # Eva is missing from the full export
    staff[3][8] = (TODAY - timedelta(days=1)).isoformat()  # Dan's end date has passed
    result = run(files(staff=staff))

    assert result.counts.employees_deactivated == 2
    assert {(c.kind, c.key) for c in result.changes} == {("emp_left", "4"), ("emp_missing", "5")}
    db.session.expire_all()
    dan, eva = employee("4"), employee("5")
    assert not dan.active
    assert not eva.active
    assert dan.session_token != token_before
    assert count(Completion) == 2  # nothing deleted
    # The session Dan had is over, and he cannot log in again.
    assert client.get("/").status_code == 302
    response = auth.login("dan.as@lilleby.se")
    assert response.status_code == 200
    assert "Fel e-postadress, anställningsnummer eller lösenord" in response.get_data(as_text=True)
    assert auth.login("eva.berg@lilleby.se").status_code == 200
    # Importing the same again changes nothing more.
    again = run(files(staff=staff))
    assert (again.counts.created, again.counts.updated, again.counts.deactivated) == (0, 0, 0)


def test_managers_follow_the_units_file_and_deputies_are_left_alone(make):
    run(files())
    soc = unit("SOC")
    deputy = employee("4")
    db.session.add(UnitManager(unit_id=soc.id, employee_id=deputy.id, role="delegate"))
    db.session.commit()
    units = [row[:] for row in UNITS]
    units[1][4] = "3"  # Cia heads Socialförvaltningen instead of Bo
    units[2][4] = ""  # and Barn och familj has no manager
    result = run(files(units=units))

    assert result.counts.managers_added == 1
    assert result.counts.managers_removed == 2
    assert result.counts.units_updated == 2
    assert chefs("SOC") == {"3"}
    assert chefs("SOC-1") == set()
    roles = db.session.execute(
        sa.select(UnitManager.role, UnitManager.employee_id).where(UnitManager.unit_id == soc.id)
    ).all()
    assert ("delegate", deputy.id) in roles


def test_units_are_renamed_moved_and_retired(app_ctx):
    run(files())
    units = [row[:] for row in UNITS]
    units[2][1] = "Barn, unga och familj"
    units[2][3] = "UTB"  # SOC-1 moves under UTB
    staff = [row[:] for row in STAFF]
    units.append(["UTB-1", "Grundskola", "enhet", "UTB", ""])
    result = run(files(units=units, staff=staff))
    kinds = {(c.kind, c.key) for c in result.changes}
    assert {("unit_renamed", "SOC-1"), ("unit_moved", "SOC-1"), ("unit_new", "UTB-1")} <= kinds
    moved = unit("SOC-1")
    assert moved.path == f"{unit('UTB').path}{moved.id}/"
    assert moved.depth == 2

    # Without SOC-1 and its people, the unit is retired (not deleted).
    units = [r for r in units if r[0] != "SOC-1"]
    staff = [r for r in staff if r[4] != "SOC-1"]
    result = run(files(units=units, staff=staff))
    assert result.counts.units_deactivated == 1
    db.session.expire_all()
    assert not unit("SOC-1").active
    assert chefs("SOC-1") == set()


def test_a_mapping_reads_another_hr_systems_headers(app_ctx):
    mapping = parse_mapping(
        """
        [units]
        code = "OrgId"
        name = "Namn"
        parent_code = "Förälder"
        manager_number = "ChefNr"
        [staff]
        employee_number = "PersNr"
        first_name = "Förnamn"
        last_name = "Efternamn"
        email = "Mail"
        unit_code = "OrgId"
        level = "Kategori"
        start_date = "Start"
        [levels]
        "Chef" = "chef"
        "Medarbetare" = "medarbetare"
        [options]
        date_format = "%d/%m/%Y"
        """
    )
    units = ImportFile("org.csv", b"Namn,OrgId,F\xc3\xb6r\xc3\xa4lder,ChefNr\nKommunen,K,,7\n")
    staff = ImportFile(
        "pers.csv",
        "Kategori,Start,Mail,OrgId,PersNr,Förnamn,Efternamn\n"
        "Chef,01/02/2020,a@k.se,K,7,Ann,Ek\n"
        "MEDARBETARE,15/03/2021,b@k.se,K,8,Ben,Al\n".encode(),
    )
    result = run((units, staff), mapping=mapping)
    assert result.counts.employees_created == 2
    ann = employee("7")
    assert (ann.level, ann.start_date, ann.title) == ("chef", date(2020, 2, 1), "")
    assert employee("8").level == "medarbetare"
    assert chefs("K") == {"7"}


def test_windows_1252_with_commas_is_recognised(app_ctx):
    pair = files(sep=",", encoding="cp1252")
    assert "Åsa".encode("cp1252") in pair[1].data
    result = run(pair)
    assert result.encodings == ["cp1252", "cp1252"]
    assert (employee("1").first_name, employee("1").last_name) == ("Åsa", "Öberg")


def test_tabs_and_utf8_without_bom_are_recognised(app_ctx):
    run(files(sep="\t", encoding="utf-8"))
    assert unit("SOC").name == "Socialförvaltningen"


def test_the_wrong_encoding_named_is_refused(app_ctx):
    pair = files(encoding="cp1252")
    with pytest.raises(services.ImportRejected) as refused:
        run(pair, encoding="utf-8")
    assert "går inte att läsa som utf-8" in refused.value.problems[0].message
    # Told the right one, it reads.
    db.session.rollback()
    run(pair, encoding="windows-1252")
    assert employee("4").last_name == "Ås"


def test_a_local_admin_account_is_taken_over_by_its_hr_row(app_ctx):
    from app.auth.services import create_admin

    admin = create_admin(
        db.session, email="Cia.Al@lilleby.se", password="ett-langt-testlosenord"
    ).employee
    db.session.commit()
    result = run(files())
    assert ("emp_claimed", "3") in {(c.kind, c.key) for c in result.changes}
    db.session.expire_all()
    cia = db.session.get(Employee, admin.id)
    assert (cia.employee_number, cia.unit.code, cia.is_hr, cia.active) == ("3", "SOC-1", True, True)
    assert cia.password_hash is not None
    assert count(Employee) == 5


def test_one_address_on_two_rows_goes_to_one_account_with_a_warning(app_ctx):
    staff = [
        *STAFF,
        ["6", "Dan", "Ås", "dan.as@lilleby.se", "UTB", "lärare", "medarbetare", "2022-01-01", ""],
    ]
    result = run(files(staff=staff))
    assert [w.line for w in result.warnings] == [7]
    assert "utan e-postadress" in result.warnings[0].message
    assert employee("4").email == "dan.as@lilleby.se"
    assert employee("6").email is None
    again = run(files(staff=staff))
    assert again.changes == []


def test_an_address_of_someone_who_left_is_freed_for_a_newcomer(app_ctx):
    run(files())
    staff = [r for r in STAFF if r[0] != "5"]
    staff.append(
        [
            "9",
            "Eva",
            "Berg",
            "eva.berg@lilleby.se",
            "UTB",
            "lärare",
            "medarbetare",
            "2026-01-01",
            "",
        ]
    )
    result = run(files(staff=staff))
    kinds = {(c.kind, c.key) for c in result.changes}
    assert {("emp_missing", "5"), ("emp_email_freed", "5"), ("emp_new", "9")} <= kinds
    assert employee("5").email is None
    assert not employee("5").active
    assert employee("9").email == "eva.berg@lilleby.se"


def test_a_second_import_while_one_runs_is_refused(app_ctx):
    with (
        lock.import_lock("Hanna på HR"),
        pytest.raises(lock.ImportBusy) as busy,
        lock.import_lock("kommandoraden"),
    ):
        pass
    assert "Hanna på HR" in busy.value.problems[0].message
    with lock.import_lock("nästa"):  # released again
        pass


def test_default_mapping_text_is_the_sample_mapping():
    mapping = parse_mapping(default_mapping_text())
    assert mapping.staff["employee_number"] == "anstallningsnummer"
    assert mapping.full_export is True
