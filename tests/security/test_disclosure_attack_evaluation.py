"""H1 for issue 18: the evaluation figures attacked with linear algebra.

The machinery of test_disclosure_attack.py (its random organisations' shape, its exact
rational solver `determined`), applied to "Vad har utbildningen gett?": on random
organisations with random anonymous evaluations and follow-up answers, HR (who sees these
figures masked like everyone) downloads the export, which holds every figure any viewer can
see (a masked figure has no row). Every row is read into an equation over the unknown
answer counts per (course, administration, staff level). The test checks, independently of
app/reports/disclosure.py and app/reports/evaluation.py's masking:

- every published figure is the true count of its group and covers 5 answers or more;
- no group the export leaves out (a cell, an administration, a level, a course, a
  prevention level: every figure the page can show) is a rational linear combination of
  the published ones, so none is a total less shown cells;
- the page for a chosen administration shows the same figure, or says it is hidden.
"""

from __future__ import annotations

import csv
import io
import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.labels import LEVEL
from app.models import CourseEvaluation, FollowupAnswer
from tests.security.test_disclosure_attack import (
    LEVELS,
    PREVENTION,
    _clear,
    determined,
)

HR = "hr-attack@x.se"
ABOVE = "Direkt under kommunen"
ALL_ADMINS, ALL_LEVELS = "Alla förvaltningar", "Alla nivåer"
MEASURES = {
    ("Utvärdering", "Kursen var relevant för mitt arbete"): "relevance",
    ("Utvärdering", "Skulle rekommendera kursen"): "recommend",
    ("Uppföljning", "Har använt det jag lärde mig"): "used_it",
}

world = st.fixed_dictionaries(
    {
        "admins": st.integers(1, 3),
        "courses": st.lists(
            st.sets(st.sampled_from(list(PREVENTION)), min_size=1, max_size=2),
            min_size=1,
            max_size=3,
        ),
        # (administration index, -1: placed above them), level, course index, relevance
        "answers": st.lists(
            st.tuples(
                st.integers(-1, 2),
                st.sampled_from(LEVELS),
                st.integers(0, 2),
                st.one_of(st.none(), st.integers(1, 5)),
            ),
            max_size=40,
        ),
        "followups": st.lists(
            st.tuples(st.integers(-1, 2), st.sampled_from(LEVELS), st.integers(0, 2)),
            max_size=15,
        ),
    }
)

# The review's shape: a row total beside a small cell, and a column of one.
REVIEW = {
    "admins": 2,
    "courses": [{"universal"}, {"universal", "selective"}],
    "answers": [(0, "medarbetare", 0, 4)] * 6
    + [(0, "chef", 0, 2)]
    + [(1, "medarbetare", 0, 5)] * 5
    + [(1, "ledning", 1, 3)] * 3
    + [(-1, "fortroendevald", 1, 4)] * 2,
    "followups": [(0, "medarbetare", 0)] * 5 + [(1, "medarbetare", 0)] * 2,
}


def _build(make, data):
    root = make.unit("Kommunen", code="K")
    admins = [
        make.unit(f"Förvaltning {i}", parent=root, kind="förvaltning", code=f"F{i}")
        for i in range(data["admins"])
    ]
    make.employee(unit=root, email=HR, is_hr=True)
    courses = [
        make.course(f"kurs-{i}", title=f"Kurs {i}", prevention_levels=tuple(sorted(p)))
        for i, p in enumerate(data["courses"])
    ]
    truth: dict[str, dict[tuple, int]] = {"relevance": {}, "recommend": {}, "used_it": {}}

    def place(a):
        return None if a < 0 else admins[a % len(admins)]

    for a, level, c, relevance in data["answers"]:
        admin, course = place(a), courses[c % len(courses)]
        atom = (course.title, admin.name if admin else ABOVE, level)
        db.session.add(
            CourseEvaluation(
                course_id=course.id,
                administration_id=admin.id if admin else None,
                level=level,
                month="2026-01",
                relevance=relevance,
                recommend="ja" if relevance and relevance > 3 else "nej",
            )
        )
        if relevance is not None:
            truth["relevance"][atom] = truth["relevance"].get(atom, 0) + 1
        truth["recommend"][atom] = truth["recommend"].get(atom, 0) + 1
    for a, level, c in data["followups"]:
        admin, course = place(a), courses[c % len(courses)]
        atom = (course.title, admin.name if admin else ABOVE, level)
        db.session.add(
            FollowupAnswer(
                course_id=course.id,
                administration_id=admin.id if admin else None,
                level=level,
                month="2026-05",
                used_it="ja",
                workplace_changed="nej",
            )
        )
        truth["used_it"][atom] = truth["used_it"].get(atom, 0) + 1
    db.session.commit()
    prevention = {
        PREVENTION[p]: {c.title for c in courses if p in c.prevention_levels} for p in PREVENTION
    }
    return admins, courses, truth, prevention


def _groups(admins, courses, prevention):
    """Every figure a viewer can ask for: (head, administration, level) -> its atoms' filter."""
    names = [a.name for a in admins] + [ABOVE]
    out = {}
    for c in courses:
        for a in [*names, ALL_ADMINS]:
            for lvl in [*LEVELS, ALL_LEVELS]:
                out[(c.title, a, lvl)] = lambda atom, c=c.title, a=a, lvl=lvl: (
                    atom[0] == c and a in (ALL_ADMINS, atom[1]) and lvl in (ALL_LEVELS, atom[2])
                )
    for label, titles in prevention.items():
        out[(label, ALL_ADMINS, ALL_LEVELS)] = lambda atom, titles=titles: atom[0] in titles
    return out


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=world)
@example(data=REVIEW)
def test_no_hidden_evaluation_figure_is_determined_by_what_is_published(app, make, data):
    _clear()
    admins, courses, truth, prevention = _build(make, data)
    client = app.test_client()
    page = client.get("/logga-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(
        "/logga-in", data={"email": HR, "password": "ett-langt-testlosenord", "csrf_token": token}
    )
    page = client.get("/rapporter/effekt").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/rapporter/effekt/export", data={"csrf_token": token, "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    # The export names one person's level (labels.LEVEL: "Chef", "Förtroendevald"), not the
    # report tables' group headings ("Chefer", "Förtroendevalda").
    with app.test_request_context():
        level_of = {str(name): code for code, name in LEVEL.items()} | {ALL_LEVELS: ALL_LEVELS}
    groups = _groups(admins, courses, prevention)
    for measure, atoms in truth.items():
        support = {g: frozenset(a for a in atoms if f(a)) for g, f in groups.items()}
        published = {}
        for r in rows:
            if MEASURES.get((r["Mått"], r["Fråga eller lärandemål"])) != measure:
                continue
            key = (r["Kurs eller förebyggande nivå"], r["Förvaltning"], level_of[r["Nivå"]])
            n = int(r["Antal"])
            assert n >= 5, (measure, key, n)
            assert n == sum(atoms[a] for a in support[key]), (measure, key)  # read right
            published[key] = support[key]
        shown = list(published.values())
        for key, s in support.items():
            people = sum(atoms[a] for a in s)
            if key in published or not people:
                continue
            assert not determined(shown, s), f"{measure}: {key} ({people} answers) is determined"
    # The page shows what the export shows, for the first administration chosen.
    first = courses[0]
    html = client.get(f"/rapporter/effekt?kurs={first.id}&forvaltning={admins[0].id}").data
    text = html.decode()
    key = (first.title, admins[0].name, ALL_LEVELS)
    n = sum(truth["relevance"].get((first.title, admins[0].name, lvl), 0) for lvl in LEVELS)
    row = next(
        (
            r
            for r in rows
            if (r["Kurs eller förebyggande nivå"], r["Förvaltning"], level_of[r["Nivå"]]) == key
            and r["Mått"] == "Utvärdering"
            and r["Fråga eller lärandemål"] == "Kursen var relevant för mitt arbete"
        ),
        None,
    )
    if row is None and n:
        assert "färre än 5 svar" in text or "visas inte" in text
    elif row is not None:
        assert f'<td class="num">{row["Antal"]}</td>' in text
