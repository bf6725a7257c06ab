"""One vocabulary (app/labels.py): every output names a level, a status and a source the same way.

One small unit: a chef who has done nothing (overdue) and a member of staff who attended an
in-person session (completed). Each output is read the way its reader reads it: the unit
page and the person page, the report pages, the CSV and XLSX exports, the status-report
PDF, the reminder e-mail, the certificate and the API. A level names one person ("Chef")
or a group ("Chefer": a column, a rule's audience). Files and e-mails that leave Värna are
Swedish even when the reader's pages are in English.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from html.parser import HTMLParser

import openpyxl
import pypdf
import pytest
import sqlalchemy as sa

from app import dates, labels
from app.api import services as api_services
from app.extensions import db
from app.models import Completion, Employee
from app.units.sessions import SessionDraft, register_session
from tests.conftest import csrf_from
from tests.reports.downloads import export

# The names chosen, once: what every Swedish output must say.
CHEF, CHEFS = "Chef", "Chefer"
STAFF = "Medarbetare"
OVERDUE, COMPLETED = "Försenad", "Genomförd"
IN_PERSON = "Utbildningstillfälle"
UNIVERSAL = "Främjande (universell)"


def test_the_names_chosen_are_the_labels():
    with_sv = {
        **labels.swedish(labels.LEVEL),
        **{f"{k}+": v for k, v in labels.swedish(labels.LEVEL_GROUP).items()},
    }
    assert (with_sv["chef"], with_sv["chef+"], with_sv["medarbetare"]) == (CHEF, CHEFS, STAFF)
    statuses = labels.swedish(labels.STATUS)
    assert (statuses["overdue"], statuses["completed"]) == (OVERDUE, COMPLETED)
    assert labels.swedish(labels.SOURCE)["session"] == IN_PERSON
    assert labels.swedish(labels.PREVENTION)["universal"] == UNIVERSAL


def test_one_rule_for_shares_and_days():
    assert labels.format_share(2 / 3) == "66,7\u00a0%"
    assert labels.format_share(2 / 3, labels.UNIT_DIGITS) == "67\u00a0%"
    assert labels.format_share(0.9996) == "99,9\u00a0%"  # 100 % only when everyone is done
    assert labels.format_share(1) == "100,0\u00a0%"
    assert labels.format_share(0.0001, 0) == "1\u00a0%"  # 0 % only when no one is
    assert labels.format_share(0) == "0,0\u00a0%"
    assert labels.format_share(None) == "–"
    assert labels.share_number(2 / 3) == "0,6667"
    assert labels.format_points(0.125) == "12,5"
    # 23:30 UTC on 31 March is 1 April in Stockholm
    assert labels.format_day(datetime(2026, 3, 31, 23, 30, tzinfo=UTC)) == "2026-04-01"
    assert labels.format_day("2026-03-31T23:30:00+00:00") == "2026-04-01"
    assert labels.format_day(date(2026, 3, 31)) == "2026-03-31"


# --- the fixture ----------------------------------------------------------------------------


@pytest.fixture
def unit(make):
    root = make.unit("Exempelby kommun", code="K")
    soc = make.unit("Socialförvaltningen", parent=root, kind="förvaltning", code="SOC")
    bof = make.unit("Barn och familj", parent=soc, code="SOC-1")
    course = make.course("grundkurs", title="Grundkurs", prevention_levels=("universal",))
    make.requirement(course, due_days=30)  # due long ago: nothing done is overdue
    chef = make.employee(
        unit=bof,
        level="chef",
        email="chef@k.se",
        first_name="Cesar",
        last_name="Berg",
        manages=(bof,),
    )
    make.employee(unit=root, email="hr@k.se", first_name="Hanna", is_hr=True)
    anna = make.employee(unit=bof, email="anna@k.se", first_name="Anna", last_name="Ek")
    # Cesar registers the session Anna attended
    register_session(
        db.session,
        draft=SessionDraft(course.id, "", dates.today() - timedelta(days=3), "", "", bof.id),
        attendee_ids=[anna.id],
        actor=chef,
        reach=None,
        today=dates.today(),
    )
    db.session.commit()
    return {"bof": bof, "soc": soc, "chef": chef, "anna": anna, "course": course}


# --- reading the outputs --------------------------------------------------------------------


class _Rows(HTMLParser):
    """Each table row of a page as the texts of its cells."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def rows(html: str) -> list[list[str]]:
    parser = _Rows()
    parser.feed(html)
    return parser.rows


def row_of(html: str, first_cell: str) -> list[str]:
    (row,) = [r for r in rows(html) if r and r[0] == first_cell]
    return row


def matrix_head(html: str) -> list[str]:
    """The column headings of a page's (first) matrix table."""
    table = html.split('<table class="data matrix">')[1].split("</thead>")[0]
    return rows(table)[0]


def headings(html: str) -> list[str]:
    return [
        " ".join(re.sub(r"<[^>]+>", " ", h).split())
        for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html, re.S)
    ]


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _csv(client, kind: str) -> list[list[str]]:
    response = export(client, typ=kind, format="csv")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))


def _xlsx(client, kind: str) -> list[tuple]:
    response = export(client, typ=kind, format="xlsx")
    assert response.status_code == 200
    return list(
        openpyxl.load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True)
    )


def _by_header(table) -> list[dict]:
    header, *body = table
    return [dict(zip(header, row, strict=True)) for row in body]


def _reminder_to(client, smtp_server, unit, person) -> str:
    """HR presses "Påminn" for one person on the unit page; the e-mail's text."""
    html = page(client, f"/enheter/{unit.id}")
    client.post(
        f"/enheter/{unit.id}/paminn",
        data={"employee_id": person.id, "csrf_token": csrf_from(html)},
    )
    (envelope,) = [m for m in smtp_server.messages if person.email in m.rcpt_tos]
    message = message_from_bytes(envelope.content, policy=policy.default)
    return message.get_body(("plain",)).get_content()


def _files(client, unit) -> dict:
    """What leaves Värna: exports, the status report, the certificate, the API document."""
    completion_id = db.session.scalar(sa.select(Completion.id))
    return {
        "records_csv": _by_header(_csv(client, "records")),
        "coverage_csv": _by_header(_csv(client, "coverage")),
        "records_xlsx": _by_header(_xlsx(client, "records")),
        "coverage_xlsx": _by_header(_xlsx(client, "coverage")),
        "status_pdf": pdf_text(client.get("/rapporter/lagesrapport.pdf").data),
        "certificate": pdf_text(client.get(f"/intyg/{completion_id}.pdf").data),
        "openapi": client.get("/api/v1/openapi.json").json,
    }


def assert_files_in_swedish(files: dict) -> None:
    # the records export: Anna, one row, her level and how she did it
    for table in ("records_csv", "records_xlsx"):
        (record,) = files[table]
        assert (record["Nivå"], record["Källa"]) == (STAFF, IN_PERSON), table
    # the coverage export: one row per level, a column per status
    for table in ("coverage_csv", "coverage_xlsx"):
        by_level = {r["Nivå"]: r for r in files[table]}
        assert set(by_level) == {CHEF, STAFF}, table
        counts = (int(by_level[CHEF][OVERDUE]), int(by_level[STAFF][COMPLETED]))
        assert counts == (1, 1), table
    # the status report: levels as groups, the course's prevention level
    text = files["status_pdf"]
    assert f"Grundkurs {UNIVERSAL} alla nivåer" in text
    assert f"Nivå Täckning Mot målet Ledning – – {CHEFS} 0,0 % (0 av 1)" in text
    assert f"Förvaltning Ledning {CHEFS} {STAFF} Förtroendev" in text
    assert f"{UNIVERSAL} " in text.split("5. Per förebyggande nivå och per kurs")[1]
    # the certificate names how the course was done
    assert f"Källa {IN_PERSON}" in files["certificate"]
    # the API answers in codes; its document names them as the pages do
    schemas = files["openapi"]["components"]["schemas"]
    assert (
        f"`session` = {IN_PERSON}" in schemas["Completion"]["properties"]["source"]["description"]
    )
    assert f"“{OVERDUE}”" in schemas["StatusCounts"]["properties"]["overdue"]["description"]
    assert f"“{COMPLETED}”" in schemas["StatusCounts"]["properties"]["completed"]["description"]
    assert f"`universal` = {UNIVERSAL}" in str(schemas["Course"]["properties"]["prevention_levels"])
    coverage = files["openapi"]["paths"]["/units/{code}/coverage"]["get"]["responses"]["200"]
    by_level = coverage["content"]["application/json"]["schema"]["properties"]["by_level"]
    assert f"`chef` = {CHEF}" in by_level["description"]


# --- the tests ------------------------------------------------------------------------------


def test_every_output_names_level_status_and_source_alike(client, auth, unit, smtp_server):
    chef, anna = unit["chef"], unit["anna"]
    auth.login("hr@k.se")

    # the unit page: one person's level, each course's status
    html = page(client, f"/enheter/{unit['bof'].id}")
    assert row_of(html, chef.full_name)[2:4] == [CHEF, f"{OVERDUE} sista dag 2024-01-31"]
    assert row_of(html, anna.full_name)[2] == STAFF
    assert row_of(html, anna.full_name)[3].startswith(f"{COMPLETED} ")
    # the person page: the status, and how the course was done
    html = page(client, f"/enheter/personer/{anna.id}")
    assert row_of(html, "Grundkurs")[1].startswith(COMPLETED)
    history = [r for r in rows(html) if len(r) == 6 and r[0].startswith("Grundkurs")]
    assert history[0][2].startswith(IN_PERSON)

    # the report pages: levels as groups in the matrix, one person's level in a list
    html = page(client, "/rapporter/")
    assert matrix_head(html) == ["Enhet", "Ledning", CHEFS, STAFF, "Förtroendevalda", "Alla nivåer"]
    html = page(client, "/rapporter/lagesrapport")
    assert [r[0] for r in rows(html) if r and r[0] in (CHEFS, STAFF)][:2] == [CHEFS, STAFF]
    catalogue = [r for r in rows(html) if r[:1] == ["Grundkurs"] and len(r) == 5]
    assert catalogue[0][1:3] == [UNIVERSAL, "alla nivåer"]
    assert UNIVERSAL in headings(page(client, "/rapporter/forebyggande-niva"))
    html = page(client, "/rapporter/utan-genomford")
    assert row_of(html, chef.full_name)[2] == CHEF

    # exports, the PDF, the certificate, the API document
    assert_files_in_swedish(_files(client, unit))
    # the API's own answers are codes, the ones the document names
    hr = db.session.scalar(sa.select(Employee).where(Employee.email == "hr@k.se"))
    _, token = api_services.create_token(db.session, name="t", actor=hr)  # only HR's work
    db.session.commit()
    bearer = {"Authorization": f"Bearer {token}"}
    (item,) = client.get("/api/v1/completions", headers=bearer).json["items"]
    assert item["source"] == "session"
    body = client.get("/api/v1/units/SOC/coverage", headers=bearer).json
    assert (body["by_level"]["chef"]["overdue"], body["by_level"]["medarbetare"]["completed"]) == (
        1,
        1,
    )

    # the reminder e-mail names the status as the unit page does
    text = _reminder_to(client, smtp_server, unit["bof"], chef)
    assert f"- Grundkurs: {OVERDUE} – sista dag var 2024-01-31." in text


def test_pages_follow_the_reader_but_files_stay_swedish(client, auth, unit, smtp_server):
    chef, anna = unit["chef"], unit["anna"]
    auth.login("hr@k.se")
    with client.session_transaction() as session:
        session["lang"] = "en"

    html = page(client, f"/enheter/{unit['bof'].id}")
    assert row_of(html, chef.full_name)[2] == "Manager"
    assert row_of(html, chef.full_name)[3].startswith("Overdue ")
    html = page(client, f"/enheter/personer/{anna.id}")
    history = [r for r in rows(html) if len(r) == 6 and r[0].startswith("Grundkurs")]
    assert history[0][2].startswith("In-person session")
    assert matrix_head(page(client, "/rapporter/"))[2:4] == ["Managers", "Staff"]
    assert row_of(page(client, "/rapporter/utan-genomford"), chef.full_name)[2] == "Manager"

    assert_files_in_swedish(_files(client, unit))
    text = _reminder_to(client, smtp_server, unit["bof"], chef)
    assert f"- Grundkurs: {OVERDUE} – sista dag var 2024-01-31." in text
