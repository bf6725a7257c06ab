"""Issue 18, reporting: "Vad har utbildningen gett?" on a known dataset.

Knowledge before (pre-test) and after (the FIRST submitted final quiz), the anonymous
evaluation and the follow-up, per course × administration × level; groups under 5 answers
hidden for every viewer, with complementary suppression; who may see what; the export; the
status report and its PDF.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pypdf
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import (
    Attempt,
    AuditEvent,
    CourseEvaluation,
    CourseVersion,
    FollowupAnswer,
    Pretest,
    PretestAnswer,
)
from app.reports import evaluation
from app.reports.evaluation import ALL
from tests.conftest import csrf_from
from tests.security.test_disclosure_attack import determined

OBJECTIVES = [
    {"id": "tecken", "title": "tecken på våld"},
    {"id": "agera", "title": "hur man agerar"},
]
QUIZ = {
    "questions": [
        {
            "id": "q1",
            "objective": "tecken",
            "kind": "single",
            "options": [{"id": "a", "correct": True}, {"id": "b", "correct": False}],
        },
        {
            "id": "q2",
            "objective": "agera",
            "kind": "single",
            "options": [{"id": "a", "correct": False}, {"id": "b", "correct": True}],
        },
    ]
}
RIGHT = {"q1": ["a"], "q2": ["b"]}
WRONG = {"q1": ["b"], "q2": ["a"]}
T0 = datetime(2026, 3, 2, 10, tzinfo=UTC)


def _attempt(person, version, answers, minutes=0):
    db.session.add(
        Attempt(
            token=f"t{person.id}-{minutes}",
            employee_id=person.id,
            course_version_id=version.id,
            answers=answers,
            started_at=T0,
            submitted_at=T0 + timedelta(minutes=minutes),
        )
    )


def _pretest(person, version, right: bool):
    p = Pretest(employee_id=person.id, course_version_id=version.id, submitted_at=T0)
    db.session.add(p)
    db.session.flush()
    for q in QUIZ["questions"]:
        db.session.add(
            PretestAnswer(
                pretest_id=p.id, question_id=q["id"], objective=q["objective"], correct=right
            )
        )


def _evaluation(course, admin, level, relevance, recommend, text=""):
    db.session.add(
        CourseEvaluation(
            course_id=course.id,
            administration_id=admin.id if admin else None,
            level=level,
            month="2026-03",
            relevance=relevance,
            clarity=4,
            confidence=relevance,
            recommend=recommend,
            free_text=text,
        )
    )


@pytest.fixture
def effect(app, town, make):
    """Grundkurs with two objectives. Socialförvaltningen: 6 staff (3 knew it before, 5 after
    their first quiz; the sixth's retake is right but must not count) and its chef (1);
    Utbildningsförvaltningen: 2 staff (wrong before, right after); Kulturförvaltningen: 6
    staff (4 right before, all after). Evaluations: 6 from Soc staff (one empty), 2 from Utb
    staff, 6 from Kultur staff (relevance 4, recommend ja)."""
    basic = town["basic"]
    version = db.session.scalar(sa.select(CourseVersion).where(CourseVersion.course_id == basic.id))
    version.content = {
        "objectives": [o["id"] for o in OBJECTIVES],
        "question_objectives": {q["id"]: q["objective"] for q in QUIZ["questions"]},
        "variants": {
            "sv": {
                "modules": [],
                "objectives": {o["id"]: o["title"] for o in OBJECTIVES},
                "quiz": QUIZ,
            }
        },
    }
    soc_staff = [make.employee(unit=town["ifo"], first_name=f"Soc{i}") for i in range(6)]
    utb_staff = [make.employee(unit=town["skola"], first_name=f"Utb{i}") for i in range(2)]
    kultur = make.unit("Kulturförvaltningen", parent=town["root"], kind="förvaltning", code="KUL")
    kultur_staff = [make.employee(unit=kultur, first_name=f"Kul{i}") for i in range(6)]
    for i, p in enumerate(kultur_staff):
        _pretest(p, version, right=i < 4)
        _attempt(p, version, RIGHT)
        _evaluation(basic, kultur, "medarbetare", 4, "ja")
    for i, p in enumerate(soc_staff):
        _pretest(p, version, right=i < 3)
        _attempt(p, version, RIGHT if i < 5 else WRONG)
        if i == 5:
            _attempt(p, version, RIGHT, minutes=30)  # a retake: not the after-measure
    for p in [*utb_staff, town["boss"]]:
        _pretest(p, version, right=False)
        _attempt(p, version, RIGHT)
    for r, rec, text in [
        (5, "ja", "Bra exempel från förskolan"),
        (4, "ja", ""),
        (4, "ja", "För lång"),
        (5, "ja", ""),
        (3, "nej", "Mer om hedersrelaterat våld"),
        (None, None, ""),
    ]:
        _evaluation(basic, town["soc"], "medarbetare", r, rec, text)
    for _ in range(2):
        _evaluation(basic, town["utb"], "medarbetare", 2, "nej", "Hemlig åsikt från Utb")
    for used in ["ja", "ja", "delvis", "nej", "ja"]:
        db.session.add(
            FollowupAnswer(
                course_id=basic.id,
                administration_id=town["soc"].id,
                level="medarbetare",
                month="2026-07",
                used_it=used,
                workplace_changed="vet_inte",
            )
        )
    db.session.commit()
    return {**town, "version": version, "kultur": kultur}


def test_knowledge_before_and_after_per_objective(effect, app):
    ev = evaluation.evaluation(db.session)
    basic = effect["basic"]
    soc, utb = effect["soc"].id, effect["utb"].id
    whole = evaluation.scope_of(basic.id)
    before = ev.figure(("before", basic.id, "tecken"), whole)
    after = ev.figure(("after", basic.id, "tecken"), whole)
    assert (before.people, before.share_right) == (15, pytest.approx(7 / 15))
    # The sixth Soc person's first quiz was wrong; the right retake does not count.
    assert (after.people, after.share_right) == (15, pytest.approx(14 / 15))
    # Soc's row (6 staff and the chef) is shown; its staff cell is not, or the row less it
    # would give the chef's answers; Kultur's 6 are hidden too, or the total less Soc's row
    # and Kultur's would give Utb's 2.
    row = evaluation.scope_of(basic.id, soc)
    assert ev.figure(("before", basic.id, "agera"), row).share_right == pytest.approx(3 / 7)
    assert ev.figure(("after", basic.id, "agera"), row).share_right == pytest.approx(6 / 7)
    for admin in (soc, effect["kultur"].id):
        cell = evaluation.scope_of(basic.id, admin, "medarbetare")
        assert ev.figure(("before", basic.id, "agera"), cell).note == "visas inte"
    # Groups of 1–4 are hidden for everyone: Utb's 2 staff and Soc's one chef.
    utb_row = ev.figure(("after", basic.id, "agera"), evaluation.scope_of(basic.id, utb))
    assert utb_row.note == "färre än 5 svar"
    chef = ev.figure(("before", basic.id, "tecken"), evaluation.scope_of(basic.id, soc, "chef"))
    assert chef.masked
    assert chef.share_right is None
    with app.test_request_context():
        text = evaluation.sentence(ev, basic, ev.objectives[basic.id][0])
    assert text == (
        "Andelen rätt svar om tecken på våld steg från 47\u00a0% före kursen till "
        "93\u00a0% efter (15 personer)."
    )


def test_evaluation_averages_and_distributions(effect):
    ev = evaluation.evaluation(db.session)
    basic, soc = effect["basic"], effect["soc"].id
    kultur = evaluation.scope_of(basic.id, effect["kultur"].id, "medarbetare")
    rel = ev.figure(("eval", "relevance"), kultur)
    assert (rel.people, rel.mean, rel.counts) == (6, 4.0, {4: 6})
    assert ev.figure(("eval", "recommend"), kultur).share("ja") == 1.0
    # Soc's 6 evaluations (5 answered relevance) are hidden as the complement of Utb's 2.
    cell = evaluation.scope_of(basic.id, soc, "medarbetare")
    assert ev.figure(("eval", "relevance"), cell).note == "visas inte"
    everyone = ev.figure(("eval", "relevance"), evaluation.scope_of(basic.id))
    assert everyone.people == 13  # the empty answer is not counted
    assert everyone.mean == pytest.approx((21 + 4 + 24) / 13)
    used = ev.figure(("followup", "used_it"), cell)
    assert used.counts == {"ja": 3, "delvis": 1, "nej": 1}
    # Utb's 2 evaluations are hidden, and so is every figure that would give them away:
    # the course total less Soc's row would be Utb's row.
    assert ev.figure(("eval", "relevance"), evaluation.scope_of(basic.id, effect["utb"].id)).masked
    total = ev.figure(("eval", "relevance"), evaluation.scope_of(basic.id))
    soc_row = ev.figure(("eval", "relevance"), evaluation.scope_of(basic.id, soc))
    assert total.masked or soc_row.masked
    # Only Grundkurs has evaluations: the prevention level "universal" (both courses) is the
    # same 13 answers, shown like the course's total (it reveals nothing more).
    universal = ev.figure(("eval", "relevance"), ("prevention", "universal", ALL, ALL))
    assert (universal.people, universal.masked) == (13, False)


def _published(ev, measure):
    """(figure, its atoms) for each shown and each hidden figure of one measure. The atoms
    are rebuilt here from the scopes and the true per-cell counts, not taken from
    app/reports/disclosure.py."""
    prevention = {c.id: set(c.prevention_levels) for c in ev.courses}
    atoms = [
        (c.id, a, lvl)
        for c in ev.courses
        for a, _name in ev.administrations
        for lvl in evaluation.LEVELS
        if ev.figure(measure, ("course", c.id, a, lvl)).people
    ]

    def covers(scope, atom):
        kind, what, admin, level = scope
        if kind == "course" and what != atom[0]:
            return False
        if kind == "prevention" and what not in prevention[atom[0]]:
            return False
        return admin in (ALL, atom[1]) and level in (ALL, atom[2])

    shown, hidden = [], []
    for (m, scope), f in ev.shown.items():
        if m == measure:
            support = frozenset(a for a in atoms if covers(scope, a))
            (hidden if f.masked else shown).append((f, support))
    return shown, hidden


@pytest.mark.parametrize(
    "measure",
    [
        ("eval", "relevance"),
        ("eval", "recommend"),
        ("before", None, "tecken"),
        ("after", None, "agera"),
    ],
)
def test_no_hidden_figure_is_a_total_less_shown_cells(effect, measure):
    ev = evaluation.evaluation(db.session)
    if measure[1] is None:
        measure = (measure[0], effect["basic"].id, measure[2])
    shown, hidden = _published(ev, measure)
    assert hidden, "the dataset has small groups"
    for f, _support in shown:
        assert f.people == 0 or f.people >= 5
    for f, support in hidden:
        if f.people:
            assert not determined([s for _f, s in shown], support), f


def test_who_sees_what(effect, client, auth):
    auth.login("staff@test.example")
    assert client.get("/rapporter/effekt").status_code == 403
    auth.logout()
    auth.login("chef@test.example")  # a manager sees coverage for their subtree, not this
    assert client.get("/rapporter/effekt").status_code == 403
    status = client.get("/rapporter/lagesrapport").get_data(as_text=True)
    assert "Vad har utbildningen gett?" not in status
    assert client.get(f"/rapporter/effekt/fritext?kurs={effect['basic'].id}").status_code == 403
    auth.logout()
    auth.login("rapport@test.example")
    page = client.get(f"/rapporter/effekt?kurs={effect['basic'].id}&forvaltning={effect['utb'].id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "färre än 5 svar" in html
    assert "tecken på våld" in html
    assert "Fritextsvar" not in html
    assert client.get(f"/rapporter/effekt/fritext?kurs={effect['basic'].id}").status_code == 403
    auth.logout()
    auth.login("hr@test.example")
    html = client.get("/rapporter/effekt").get_data(as_text=True)
    # Without a choice, the first course with answers (not "Chefens ansvar", first by title)
    assert "Läs fritextsvaren om Grundkurs" in html
    # HR too sees Utb's group masked: evaluation anonymity holds for every viewer.
    utb = client.get(f"/rapporter/effekt?kurs={effect['basic'].id}&forvaltning={effect['utb'].id}")
    assert "färre än 5 svar" in utb.get_data(as_text=True)


def test_free_text_is_hr_only_in_bulk_and_audited(effect, client, auth):
    auth.login("hr@test.example")
    html = client.get(f"/rapporter/effekt/fritext?kurs={effect['basic'].id}").get_data(as_text=True)
    for text in ["Bra exempel från förskolan", "För lång", "Mer om hedersrelaterat våld"]:
        assert text in html
    assert "2026-03" not in html
    assert "Socialförvaltningen" not in html
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "evaluation.free_text_view")
    )
    assert event is not None
    assert event.target_id == str(effect["basic"].id)


def _download(client, fmt):
    page = client.get("/rapporter/effekt")
    token = csrf_from(page.get_data(as_text=True))
    return client.post("/rapporter/effekt/export", data={"csrf_token": token, "format": fmt})


def test_export_csv_and_xlsx_are_masked_and_audited(effect, client, auth):
    auth.login("rapport@test.example")  # a reporter may look, not take a file
    assert client.post("/rapporter/effekt/export", data={"format": "csv"}).status_code in (
        400,
        403,
    )
    auth.logout()
    auth.login("hr@test.example")
    response = _download(client, "csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert rows, "the shown figures are there"
    assert all(int(r["Antal"]) >= 5 for r in rows)
    assert not any(r["Förvaltning"] == "Utbildningsförvaltningen" for r in rows)
    cell = [
        r
        for r in rows
        if r["Förvaltning"] == "Kulturförvaltningen"
        and r["Nivå"] == "Medarbetare"
        and r["Fråga eller lärandemål"] == "Kursen var relevant för mitt arbete"
    ]
    assert len(cell) == 1
    assert cell[0]["Antal"] == "6"
    assert cell[0]["Andel rätt eller medelvärde"] == "4,00"
    xlsx = _download(client, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.get_data())).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Kurs eller förebyggande nivå"
    assert len(values) == len(rows) + 1
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "export.evaluation")
    ).all()
    assert sorted(e.target_id for e in events) == ["csv", "xlsx"]


def test_status_report_and_its_pdf_say_what_the_training_gave(effect, client, auth):
    auth.login("hr@test.example")
    html = client.get("/rapporter/lagesrapport").get_data(as_text=True)
    assert "Vad har utbildningen gett?" in html
    assert "steg från 47\u00a0% före kursen till 93\u00a0% efter (15 personer)" in html
    assert "Definitioner" in html
    pdf = client.get("/rapporter/lagesrapport.pdf")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.get_data())).pages)
    flat = " ".join(text.split())
    assert "Vad har utbildningen gett?" in flat
    assert "tecken på våld steg från 47" in flat
