"""Report pages: who may see what, masking for the reporter role, and what the pages show."""

from __future__ import annotations

import pytest

PAGES = [
    "/rapporter/",
    "/rapporter/kurser",
    "/rapporter/forebyggande-niva",
    "/rapporter/trend",
    "/rapporter/lagesrapport",
]


@pytest.mark.parametrize("url", PAGES)
def test_pages_for_hr_reporter_and_manager(client, auth, town, url):
    for email in ("hr@test.example", "rapport@test.example", "chef@test.example"):
        auth.login(email)
        response = client.get(url)
        assert response.status_code == 200, (email, url)
        assert "style=" not in response.get_data(as_text=True)
        auth.logout()


@pytest.mark.parametrize("url", [*PAGES, "/rapporter/utan-genomford", "/rapporter/export"])
def test_staff_may_not(client, auth, town, url):
    auth.login("staff@test.example")
    assert client.get(url).status_code == 403


def test_anonymous_is_sent_to_login(client, town):
    assert client.get("/rapporter/").status_code == 302


def test_reporter_sees_small_groups_masked(client, auth, town):
    auth.login("rapport@test.example")
    html = client.get("/rapporter/").get_data(as_text=True)
    # Utbildningsförvaltningen has 3 people: masked for the reporter
    assert "färre än 5" in html
    auth.logout()
    auth.login("hr@test.example")
    html = client.get("/rapporter/").get_data(as_text=True)
    assert "färre än 5" not in html
    assert "33,3" in html  # 1 of 3 in Utbildningsförvaltningen


def test_manager_sees_only_own_subtree(client, auth, town):
    auth.login("chef@test.example")
    html = client.get("/rapporter/").get_data(as_text=True)
    assert "Socialförvaltningen" in html
    assert "Utbildningsförvaltningen" not in html
    assert client.get(f"/rapporter/enhet/{town['utb'].id}").status_code == 403
    assert client.get(f"/rapporter/enhet/{town['ifo'].id}").status_code == 200


def test_drill_down_lists_children_and_direct_staff(client, auth, town):
    auth.login("hr@test.example")
    html = client.get(f"/rapporter/enhet/{town['soc'].id}").get_data(as_text=True)
    assert "Individ och familj" in html
    assert "Direkt i Socialförvaltningen" in html  # the head of the administration


def test_nothing_completed_lists_people_for_hr_not_reporter(client, auth, town):
    auth.login("hr@test.example")
    html = client.get("/rapporter/utan-genomford").get_data(as_text=True)
    assert "Ifo6" in html
    assert "Ifo7" in html
    assert "Lärare1" in html
    assert "Ifo0" not in html
    auth.logout()
    auth.login("rapport@test.example")
    assert client.get("/rapporter/utan-genomford").status_code == 403


def test_bad_day_is_a_400(client, auth, town):
    auth.login("hr@test.example")
    assert client.get("/rapporter/?dag=igår").status_code == 400


def test_target_is_set_by_hr_and_audited(client, auth, town, app_ctx):
    from app.extensions import db
    from app.models import AuditEvent
    from tests.conftest import csrf_from

    auth.login("rapport@test.example")
    assert client.get("/rapporter/mal").status_code == 403
    auth.logout()
    auth.login("hr@test.example")
    page = client.get("/rapporter/mal")
    token = csrf_from(page.get_data(as_text=True))
    bad = client.post("/rapporter/mal", data={"percent": "120", "csrf_token": token})
    assert bad.status_code == 200
    assert "mellan 1 och 100" in bad.get_data(as_text=True)
    ok = client.post(
        "/rapporter/mal", data={"percent": "90", "by": "2027-12-31", "csrf_token": token}
    )
    assert ok.status_code == 302
    html = client.get("/rapporter/lagesrapport").get_data(as_text=True)
    assert "90,0" in html
    assert "2027-12-31" in html
    events = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "settings.coverage_target")
    ).all()
    assert len(events) == 1
    assert events[0].details["after"]["share"] == 0.9


def test_status_report_pdf(client, auth, town):
    auth.login("hr@test.example")
    response = client.get("/rapporter/lagesrapport.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
