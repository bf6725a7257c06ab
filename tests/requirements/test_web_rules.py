"""HR edits and ends an existing rule through the web: what the rules page, the people's
records and the audit log show afterwards. Records are never removed."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

import sqlalchemy as sa

from app import dates
from app.extensions import db
from app.models import AuditEvent, Completion, Requirement
from app.reports.coverage import employee_statuses
from tests.conftest import csrf_from


class _Forms(HTMLParser):
    """The values a browser would send for each <form method="post"> of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str | list[str]]] = []
        self._fields: dict[str, str | list[str]] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._fields = {}
            self.forms.append(self._fields)
        fields = self._fields
        name = a.get("name")
        if fields is None or not name and tag != "option":
            return
        if tag == "input" and a.get("type") not in ("submit", "button"):
            if a.get("type") == "checkbox":
                values = fields.setdefault(name, [])
                if "checked" in a:
                    values.append(a.get("value", "on"))
            else:
                fields[name] = a.get("value") or ""
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            fields[self._select] = a.get("value") or ""
        elif tag == "textarea":
            self._textarea = name
            fields[name] = ""

    def handle_data(self, data):
        if self._fields is not None and self._textarea:
            self._fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._fields = None


def form_of(html: str, field: str = "course_id") -> dict:
    """The post form of the page that has `field`, as a browser would send it."""
    parser = _Forms()
    parser.feed(html)
    (form,) = [f for f in parser.forms if field in f]
    return form


def _rule_row(client, requirement_id: int) -> str:
    """The rule's row on the rules page, tags stripped, whitespace squeezed."""
    html = client.get("/admin/krav").get_data(as_text=True)
    rows = [r for r in html.split("<tr>") if f'/admin/krav/{requirement_id}"' in r]
    assert len(rows) == 1
    text = re.sub(r"<[^>]+>", " ", rows[0].split("</tr>")[0])
    return " ".join(text.split())


def _required_on_page(client, employee) -> str:
    html = client.get(f"/enheter/personer/{employee.id}").get_data(as_text=True)
    return html.split("<h2>Krävda kurser</h2>")[1].split("</table>")[0]


def _events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def _rule(requirement_id: int) -> Requirement:
    db.session.expire_all()
    return db.session.get(Requirement, requirement_id)


def test_the_edit_page_shows_the_rule_as_it_is(client, auth, town):
    rule = town["rule"]
    auth.login("hr@k.se")
    html = client.get(f"/admin/krav/{rule.id}").get_data(as_text=True)
    assert "<h1>Ändra regel</h1>" in html
    fields = form_of(html)
    assert fields["course_id"] == str(town["course"].id)
    assert fields["due_days"] == "30"
    assert fields["starts_on"] == "2024-01-01"
    assert fields["ends_on"] == ""
    assert fields["levels"] == []
    assert fields["unit_code"] == ""
    assert "Avsluta regeln" in html
    # two forms on one page: each label points at its own field
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    assert '<label for="end-ends_on">Sista dag regeln gäller</label>' in html
    assert client.get("/admin/krav/999999").status_code == 404


def test_hr_narrows_a_rule_and_the_pages_follow(client, auth, town):
    rule = town["rule"]
    completions = db.session.scalar(sa.select(sa.func.count()).select_from(Completion))
    auth.login("hr@k.se")
    # everyone active: Cesar, Hedda, Hanna, Anna, Bo, Vera, Olle
    assert _rule_row(client, rule.id).endswith("Alla 30 2024-01-01 – 7")
    url = f"/admin/krav/{rule.id}"
    fields = form_of(client.get(url).get_data(as_text=True))
    fields.update(
        name="Grundkurs för socialtjänsten",
        levels=["medarbetare"],
        unit_code="SOC",
        due_days="60",
        valid_months="24",
        legal_basis="Socialtjänstlagen 5 kap. 11 §",
        save="1",
    )
    saved = client.post(url, data=fields)
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(url)
    page = client.get(url).get_data(as_text=True)
    assert "Regeln är sparad." in page
    shown = form_of(page)
    assert (shown["name"], shown["unit_code"], shown["due_days"], shown["valid_months"]) == (
        "Grundkurs för socialtjänsten",
        "SOC",
        "60",
        "24",
    )
    assert shown["levels"] == ["medarbetare"]
    assert shown["legal_basis"].strip() == "Socialtjänstlagen 5 kap. 11 §"

    # the rules page: the new name, audience and days; it now reaches Anna, Bo and Vera
    row = _rule_row(client, rule.id)
    assert "Grundkurs för socialtjänsten" in row
    assert "Medarbetare · Socialförvaltningen med underenheter" in row
    assert row.endswith("60 2024-01-01 – 3")

    # the people's records
    assert "Inga kurser krävs just nu." in _required_on_page(client, town["olle"])
    assert "Inga kurser krävs just nu." in _required_on_page(client, town["chef"])
    anna = _required_on_page(client, town["anna"])
    assert "Grundkurs" in anna
    assert "Socialtjänstlagen 5 kap. 11 §" in anna

    stored = _rule(rule.id)
    assert (stored.due_days, stored.valid_months) == (60, 24)
    assert stored.unit_id == town["soc"].id
    assert [lv.level for lv in stored.levels] == ["medarbetare"]
    (event,) = _events("requirement.update")
    assert event.actor_id == town["hr"].id
    assert event.target_id == str(rule.id)
    old, new = event.details["old"], event.details["new"]
    assert (old["due_days"], new["due_days"]) == (30, 60)
    assert (old["levels"], new["levels"]) == ([], ["medarbetare"])
    assert (old["unit_id"], new["unit_id"]) == (None, town["soc"].id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Completion)) == completions


def test_saving_an_unchanged_rule_logs_nothing(client, auth, town):
    auth.login("hr@k.se")
    url = f"/admin/krav/{town['rule'].id}"
    fields = {**form_of(client.get(url).get_data(as_text=True)), "save": "1"}
    assert client.post(url, data=fields).status_code == 302
    assert _events("requirement.update") == []


def test_preview_of_a_change_saves_nothing(client, auth, town):
    rule = town["rule"]
    auth.login("hr@k.se")
    url = f"/admin/krav/{rule.id}"
    fields = form_of(client.get(url).get_data(as_text=True))
    fields.update(levels=["medarbetare"], unit_code="SOC", preview="1")
    response = client.post(url, data=fields)
    assert response.status_code == 200
    assert "Regeln når 3 personer" in response.get_data(as_text=True)
    stored = _rule(rule.id)
    assert (stored.unit_id, stored.levels) == (None, [])
    assert _events("requirement.update") == []


def test_a_bad_change_is_refused_and_the_rule_stays(client, auth, town):
    rule = town["rule"]
    auth.login("hr@k.se")
    url = f"/admin/krav/{rule.id}"
    fields = {**form_of(client.get(url).get_data(as_text=True)), "save": "1"}
    response = client.post(url, data={**fields, "due_days": "45", "ends_on": "2023-12-31"})
    assert response.status_code == 200
    assert "Slutdatum kan inte vara före startdatum." in response.get_data(as_text=True)
    response = client.post(url, data={**fields, "due_days": "45", "unit_code": "FINNS-EJ"})
    assert "Det finns ingen enhet med den koden." in response.get_data(as_text=True)
    stored = _rule(rule.id)
    assert (stored.due_days, stored.ends_on, stored.unit_id) == (30, None, None)
    assert _events("requirement.update") == []


def _end(client, requirement_id: int, ends_on: str):
    url = f"/admin/krav/{requirement_id}"
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(f"{url}/avsluta", data={"csrf_token": token, "ends_on": ends_on})


def test_hr_ends_a_rule_and_no_record_is_lost(client, auth, town):
    rule, bo, anna = town["rule"], town["bo"], town["anna"]
    completions = db.session.scalar(sa.select(sa.func.count()).select_from(Completion))
    auth.login("hr@k.se")
    assert "Försenad" in _required_on_page(client, bo)

    response = _end(client, rule.id, "2025-06-30")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/krav/{rule.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Regeln gäller till och med 2025-06-30. Inga registreringar har tagits bort." in page
    assert form_of(page)["ends_on"] == "2025-06-30"  # the rule's own form

    row = _rule_row(client, rule.id)
    assert "2024-01-01 – 2025-06-30" in row
    assert "Inte aktiv" in row
    assert row.endswith(" 0")  # reaches no one today

    assert "Inga kurser krävs just nu." in _required_on_page(client, bo)
    history = client.get(f"/enheter/personer/{anna.id}").get_data(as_text=True)
    assert "1 registrering<" in history  # Anna's completion is still there
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Completion)) == completions

    # the rule still counted on its last day, not the day after
    assert [s.status for s in employee_statuses(db.session, bo.id, date(2025, 6, 30))] == [
        "overdue"
    ]
    assert employee_statuses(db.session, bo.id, date(2025, 7, 1)) == []
    assert employee_statuses(db.session, bo.id, dates.today()) == []

    (event,) = _events("requirement.end")
    assert event.actor_id == town["hr"].id
    assert event.target_id == str(rule.id)
    assert event.details == {"old_ends_on": None, "ends_on": "2025-06-30"}


def test_ending_a_rule_before_it_starts_or_without_a_date_is_refused(client, auth, town):
    rule = town["rule"]
    auth.login("hr@k.se")
    refused = _end(client, rule.id, "2023-12-31")
    assert "Slutdatum kan inte vara före startdatum." in client.get(
        refused.headers["Location"]
    ).get_data(as_text=True)
    no_date = _end(client, rule.id, "inte-ett-datum")
    assert "Ange ett giltigt datum." in client.get(no_date.headers["Location"]).get_data(
        as_text=True
    )
    assert _rule(rule.id).ends_on is None
    assert "Inte aktiv" not in _rule_row(client, rule.id)
    assert _events("requirement.end") == []


def test_a_manager_cannot_edit_or_end_a_rule(client, auth, town):
    rule = town["rule"]
    auth.login("head@k.se")
    token = csrf_from(client.get("/enheter/").get_data(as_text=True))
    assert client.get(f"/admin/krav/{rule.id}").status_code == 403
    edit = client.post(
        f"/admin/krav/{rule.id}",
        data={"csrf_token": token, "course_id": str(town["course"].id), "due_days": "1"},
    )
    assert edit.status_code == 403
    end = client.post(
        f"/admin/krav/{rule.id}/avsluta", data={"csrf_token": token, "ends_on": "2025-01-01"}
    )
    assert end.status_code == 403
    stored = _rule(rule.id)
    assert (stored.due_days, stored.ends_on) == (30, None)
    assert _events("requirement.update") == _events("requirement.end") == []
