"""The exports through a real HTTP server (werkzeug in a thread, tests/e2e/fixtures.py's
live_server), as a browser gets them: the file is streamed after the view has committed its
audit event and returned, with no app context of the test's around it (review L6)."""

from __future__ import annotations

import csv
import http.cookiejar
import io
import urllib.error
import urllib.parse
import urllib.request

import openpyxl
import pytest

from app.extensions import db
from app.models import AuditEvent, Employee, OrgUnit
from tests.conftest import PASSWORD, csrf_from


class Browser:
    """Cookies and forms over real HTTP (urllib)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def open(self, path: str, data: dict | None = None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            return self.opener.open(self.base + path, data=body, timeout=60)
        except urllib.error.HTTPError as error:
            return error

    def page(self, path: str) -> str:
        return self.open(path).read().decode()

    def login(self, email: str) -> None:
        token = csrf_from(self.page("/logga-in"))
        self.open("/logga-in", {"email": email, "password": PASSWORD, "csrf_token": token})


def export(browser: Browser, **choices: str):
    """Fill in the export form and press Ladda ned."""
    token = csrf_from(browser.page("/rapporter/export"))
    return browser.open("/rapporter/export/ladda-ned", {"csrf_token": token, **choices})


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_records_export_of_one_unit_through_a_real_server(live_server, town, app_ctx, fmt):
    soc_staff = {
        e.employee_number
        for e, path in db.session.execute(
            db.select(Employee, OrgUnit.path).join(OrgUnit, OrgUnit.id == Employee.unit_id)
        )
        if path.startswith(town["soc"].path)
    }
    db.session.remove()  # nothing of the test's session is shared with the server
    browser = Browser(live_server)
    browser.login("hr@test.example")
    response = export(browser, typ="records", format=fmt, enhet="SOC")
    assert response.status == 200
    data = response.read()  # the whole file arrives; the connection is not cut
    assert "attachment" in response.headers["Content-Disposition"]
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    else:
        book = openpyxl.load_workbook(io.BytesIO(data))
        rows = [[str(v) for v in r] for r in book.active.iter_rows(values_only=True)]
    header, body = rows[0], rows[1:]
    assert header[0] == "Anställningsnummer"
    assert len(body) == 7  # six in Individ och familj and the head's own
    assert {r[0] for r in body} <= soc_staff
    assert all(r[4].startswith("Exempelby kommun / Socialförvaltningen") for r in body)
    (event,) = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "export.records")
    ).all()
    assert (event.details["unit"], event.details["format"]) == ("SOC", fmt)
