"""HR's people search (name, e-mail, employee number; inactive on request; pages of 50)
and the audit log filtered by event type."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.records import audit


def _rows(html: str) -> list[str]:
    """The table's body rows as text, tags stripped."""
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    rows = [re.sub(r"<[^>]+>", " ", r) for r in body.split("<tr>")[1:]]
    return [" ".join(r.split()) for r in rows]


def _names(html: str) -> list[str]:
    """The people listed, in order (the row headers)."""
    return re.findall(r'<th scope="row"><a href="/admin/personal/\d+">([^<]+)</a>', html)


def _caption(html: str) -> str:
    return html.split("<caption>")[1].split("</caption>")[0]


@pytest.fixture
def people(make):
    unit = make.unit("Kommunen", code="K")
    hr = make.employee(unit=unit, email="hr@k.se", first_name="Hanna", last_name="Holm", is_hr=True)
    anna = make.employee(unit=unit, email="anna.ek@k.se", first_name="Anna", last_name="Ek")
    annika = make.employee(unit=unit, email="a.berg@k.se", first_name="Annika", last_name="Berg")
    gone = make.employee(
        unit=unit, email="anders@k.se", first_name="Anders", last_name="Ankare", active=False
    )
    return {"unit": unit, "hr": hr, "anna": anna, "annika": annika, "gone": gone}


def test_search_by_name_email_and_number(client, auth, people):
    auth.login("hr@k.se")
    # part of a name, any case, by last name; not the inactive Anders Ankare
    html = client.get("/admin/personal?q=ANN").get_data(as_text=True)
    assert _names(html) == ["Annika Berg", "Anna Ek", "Hanna Holm"]
    assert all(r.endswith("Aktiv") for r in _rows(html))
    # first and last name together
    assert _names(client.get("/admin/personal?q=anna+ek").get_data(as_text=True)) == ["Anna Ek"]
    # e-mail
    (row,) = _rows(client.get("/admin/personal?q=a.berg@").get_data(as_text=True))
    assert row.startswith("Annika Berg")
    # employee number: the whole number only
    number = people["anna"].employee_number
    (row,) = _rows(client.get(f"/admin/personal?q={number}").get_data(as_text=True))
    assert row.startswith("Anna Ek")
    assert number in row
    assert "Ingen träff." in client.get(f"/admin/personal?q={number}9").get_data(as_text=True)
    # the search box keeps what was typed
    assert 'value="a.berg@"' in client.get("/admin/personal?q=a.berg@").get_data(as_text=True)
    # % and _ are searched for as characters, not wildcards that match everyone
    for wildcard in ("%25", "_", "a%25k"):
        html = client.get(f"/admin/personal?q={wildcard}").get_data(as_text=True)
        assert "Ingen träff." in html, wildcard


def test_inactive_people_only_with_alla(client, auth, people):
    auth.login("hr@k.se")
    html = client.get("/admin/personal?q=ankare").get_data(as_text=True)
    assert "Ingen träff." in html
    assert _caption(html) == "0 personer"
    html = client.get("/admin/personal?q=ankare&alla=1").get_data(as_text=True)
    (row,) = _rows(html)
    assert row.startswith("Anders Ankare")
    assert row.endswith("Avslutad")
    assert 'id="alla" name="alla" value="1" checked' in html
    everyone = client.get("/admin/personal").get_data(as_text=True)
    assert _caption(everyone) == "3 personer"
    assert _caption(client.get("/admin/personal?alla=1").get_data(as_text=True)) == "4 personer"
    assert "Anders Ankare" not in everyone


def test_people_come_in_pages_of_fifty_and_the_search_follows(client, auth, people, make):
    for i in range(55):
        make.employee(unit=people["unit"], first_name=f"Sida{i:02d}", last_name="Sökbar")
    auth.login("hr@k.se")
    first = client.get("/admin/personal?q=s%C3%B6kbar").get_data(as_text=True)
    assert _caption(first) == "55 personer"
    rows = _rows(first)
    assert len(rows) == 50
    assert rows[0].startswith("Sida00 Sökbar")
    assert rows[-1].startswith("Sida49 Sökbar")
    assert "Sida 1 av 2" in first
    link = re.search(r'href="([^"]*page=2[^"]*)">Nästa', first).group(1).replace("&amp;", "&")
    assert "q=" in link
    second = client.get(link).get_data(as_text=True)
    rows = _rows(second)
    assert [r.split(" ")[0] for r in rows] == [f"Sida{i}" for i in range(50, 55)]
    assert "Sida 2 av 2" in second
    assert "Föregående" in second
    # past the last page: an empty page, not an error
    late = client.get("/admin/personal?q=s%C3%B6kbar&page=9")
    assert late.status_code == 200
    assert "Ingen träff." in late.get_data(as_text=True)


def test_the_audit_log_filters_by_the_start_of_the_type(client, auth, people, app_ctx):
    hr, anna = people["hr"], people["anna"]
    base = datetime(2025, 3, 1, 11, 0, tzinfo=UTC)
    for i, (actor, action) in enumerate(
        [
            (hr, "delegation.grant"),
            (hr, "delegation.end"),
            (hr, "exemption.create"),
            (None, "hr.import"),
            (anna, "account.password_changed"),
        ]
    ):
        event = audit(db.session, actor, action, "unit", 7, {"n": i})
        event.occurred_at = base + timedelta(hours=i)
    db.session.commit()
    auth.login("hr@k.se")  # logging in may itself be logged: filter it away below

    html = client.get("/admin/logg?typ=delegation").get_data(as_text=True)
    rows = _rows(html)
    assert _caption(html) == "2 händelser"
    # newest first, in Stockholm time (11:00 UTC is 12:00 in March)
    assert rows[0].startswith("2025-03-01 13:00 Hanna Holm delegation.end unit 7")
    assert rows[1].startswith("2025-03-01 12:00 Hanna Holm delegation.grant unit 7")
    assert 'value="delegation"' in html

    (row,) = _rows(client.get("/admin/logg?typ=hr.").get_data(as_text=True))
    assert "systemet hr.import" in row  # no actor: the system
    (row,) = _rows(client.get("/admin/logg?typ=exemption.create").get_data(as_text=True))
    assert '{"n": 2}' in row.replace("&#34;", '"')
    # the start of the type, not any part of it; % and _ are letters here
    for typ in ("end", "%", "delegation_end", "_"):
        html = client.get(f"/admin/logg?typ={typ}").get_data(as_text=True)
        assert "Inga händelser." in html, typ
    whole = _rows(client.get("/admin/logg").get_data(as_text=True))
    for action in ("delegation.grant", "delegation.end", "exemption.create", "hr.import"):
        assert sum(f" {action} " in r for r in whole) == 1, action


def test_the_audit_log_pages_keep_the_filter(client, auth, people, app_ctx):
    base = datetime(2025, 1, 1, tzinfo=UTC)
    for i in range(53):
        audit(db.session, people["hr"], "person.view", "employee", i).occurred_at = (
            base + timedelta(minutes=i)
        )
    audit(db.session, people["hr"], "exemption.create", "employee", 1)
    db.session.commit()
    auth.login("hr@k.se")
    first = client.get("/admin/logg?typ=person.view").get_data(as_text=True)
    assert _caption(first) == "53 händelser"
    assert len(_rows(first)) == 50
    link = re.search(r'href="([^"]*page=2[^"]*)">Nästa', first).group(1).replace("&amp;", "&")
    assert "typ=person.view" in link
    rows = _rows(client.get(link).get_data(as_text=True))
    assert len(rows) == 3
    assert all("person.view" in r for r in rows)
    assert "person.view employee 0 " in rows[-1]  # the oldest last
