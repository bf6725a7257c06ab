"""Report pages: who may see what, masking for the reporter role, and what the pages show."""

from __future__ import annotations

import io
import re
from datetime import date
from html import unescape

import pypdf
import pytest

from app import dates
from app.extensions import db
from app.models import Completion, Course
from tests.reports.expected import expected_matrix

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


def _pdf_text(response) -> str:
    """The PDF's text as a reader would copy it, whitespace squeezed."""
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _middle_completion_day() -> date:
    days = sorted(c.completed_at.date() for c in db.session.scalars(db.select(Completion)))
    return days[len(days) // 2]


def test_status_report_pdf(client, auth, town, app_ctx):
    day = _middle_completion_day()  # a past day: some completions made by then, some not
    expected = expected_matrix(day)
    whole = expected["Totalt"][None]
    courses = {c.title: c.id for c in db.session.scalars(db.select(Course))}
    auth.login("hr@test.example")
    response = client.get(f"/rapporter/lagesrapport.pdf?dag={day.isoformat()}")
    assert (
        f'filename="varna-lagesrapport-{day.isoformat()}.pdf"'
        in response.headers["Content-Disposition"]
    )
    text = _pdf_text(response)

    assert text.startswith(f"Exempelby kommun · Lägesrapport till kommunstyrelsen · {day}")
    headings = [
        "1. Sammanfattning",
        "2. Vilka utbildningar finns, för vilka nivåer",
        "3. Per förvaltning, mot målet",
        "4. Per nivå, mot målet",
        "5. Per förebyggande nivå och per kurs",
        "6. Utveckling sedan start",
        "7. Lärarledda utbildningstillfällen",
        "8. Om siffrorna",
    ]
    assert [text.index(h) for h in headings] == sorted(text.index(h) for h in headings)

    # 1: the summary, figure by figure
    assert "Det finns 2 kurser, varav 2 krävs av någon personalgrupp." in text
    assert f"{whole.share} ({whole.covered} av {whole.total}) av alla utbildningskrav" in text
    assert f"{len(whole.people)} personer omfattas av minst ett krav" in text
    assert (
        f"Av {whole.total} utbildningskrav är {whole.covered} uppfyllda, det vill säga "
        f"{whole.share}. {whole.statuses['overdue']} krav är försenade och "
        f"{whole.statuses['expired']} har gått ut och behöver förnyas."
    ) in text
    # 2: the catalogue
    assert "Chefens ansvar Främjande (universell), Förebyggande (selektiv) Ledning, Chefer" in text
    assert "Grundkurs Främjande (universell) alla nivåer" in text
    assert "36 månader" in text
    # 3: each administration and the total (no target set: no gap)
    for label, by_level in expected.items():
        if label == "Totalt":
            continue
        t = by_level[None]
        assert f"{label} {t.share} ({t.covered} av {t.total}) –" in text, label
    assert f"Totalt {whole.share} ({whole.covered} av {whole.total}) –" in text
    # 4: per staff level
    for label, level in [("Chefer", "chef"), ("Medarbetare", "medarbetare")]:
        t = expected["Totalt"][level]
        assert f"{label} {t.share} ({t.covered} av {t.total})" in text, label
    # 5: per course, with the number overdue
    for title, course_id in courses.items():
        t = expected_matrix(day, {course_id})["Totalt"][None]
        assert f"{title} {t.share} ({t.covered} av {t.total}) {t.statuses['overdue']}" in text
    # 6–8
    assert "Inga mätningar ännu." in text
    assert "Inga lärarledda tillfällen är registrerade ännu." in text
    assert f"Alla siffror gäller {day} och är hämtade ur Värna, kommunens" in text
    # HR sees every coverage figure (the evaluation section masks for everyone: its own tests)
    effect = text.index("Vad har utbildningen gett?")
    coverage = text[:effect] + text[text.index("6. Utveckling sedan start", effect) :]
    assert "färre än 5" not in coverage
    assert "sida 1/" in text


def test_status_report_pdf_for_the_reporter_and_the_manager(client, auth, town, app_ctx):
    today = dates.today()
    auth.login("rapport@test.example")
    text = _pdf_text(client.get("/rapporter/lagesrapport.pdf"))
    assert f"Lägesrapport till kommunstyrelsen · {today}" in text
    assert "Utbildningsförvaltningen färre än 5" in text  # three teachers
    assert "Grupper med färre än 5 personer visas som ”färre än 5” så att ingen enskild" in text
    auth.logout()
    auth.login("chef@test.example")
    text = _pdf_text(client.get("/rapporter/lagesrapport.pdf"))
    soc = expected_matrix(today, within=town["soc"].path)["Totalt"][None]
    assert "Utbildningsförvaltningen" not in text
    assert f"Socialförvaltningen {soc.share} ({soc.covered} av {soc.total})" in text
    assert f"Totalt {soc.share} ({soc.covered} av {soc.total})" in text


def _page_text(html: str) -> str:
    """The status page's article as text, whitespace squeezed, "7 av 11" as the PDF writes it."""
    article = html.split('<article class="status-report">')[1].split("</article>")[0]
    article = re.sub(r'<span class="of">([^<]*)</span>', r"(\1)", article)
    article = re.sub(r'<p class="actions.*?</p>', " ", article, flags=re.S)
    article = re.sub(r"<(figure|svg).*?</\1>", " ", article, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", article)).split())


@pytest.mark.parametrize("email", ["hr@test.example", "rapport@test.example"])
def test_the_pdf_says_what_the_page_says_in_the_same_order(client, auth, town, email):
    """One prepared document: every sentence and table cell of the page is in the PDF, in order."""
    auth.login(email)
    page = _page_text(client.get("/rapporter/lagesrapport").get_data(as_text=True))
    pdf = _pdf_text(client.get("/rapporter/lagesrapport.pdf"))
    position = 0
    for sentence in re.split(r"(?<=[.:?])\s+", page.split(" ", 1)[1]):  # after the kicker
        for word in sentence.split():
            found = pdf.find(word, position)
            assert found >= 0, (word, sentence)
            position = found + len(word)


def test_a_count_is_not_greyed_out_as_missing_data(client, auth, town, app_ctx):
    """The summary's "N personer omfattas" is a figure, not the grey "–" of no data."""
    auth.login("hr@test.example")
    html = client.get("/rapporter/lagesrapport").get_data(as_text=True)
    facts = html.split('class="stats"', 1)[1].split("</ul>", 1)[0]
    assert "personer omfattas av minst ett krav" in facts
    assert '<span class="muted">' not in facts
