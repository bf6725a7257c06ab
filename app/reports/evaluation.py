"""Did it work? Knowledge before and after, the anonymous evaluation and the follow-up.

Every figure is a tally over *atoms*: (course, administration, staff level). The figures
published are, per course, each administration × level cell, each administration's row, each
level's column and the course's total; for the evaluation and the follow-up also one figure
per prevention level (the courses of that level, whole municipality). People placed above
every administration are a row of their own ("Direkt under kommunen"), so no total less its
rows reveals them.

The evaluation is anonymous, so EVERY viewer (HR too) sees these figures masked: per measure
(one quiz objective before or after, one evaluation question, one follow-up question) the
groups of 1–4 answers are hidden, and then complementary ones, by the same exact test as
coverage (app/reports/disclosure.suppress), so that no hidden figure is a linear
combination of the shown ones. The decision is taken once over everything, so the page,
the status report and the export hide the same figures whatever is chosen.

Reads only the tables of the evaluation model (docs/architecture.md, "Evaluation"):
pretests/pretest_answers, attempts (the FIRST submitted attempt per person and version is
the after-measure, so retakes do not inflate the gain), course_evaluations and
followup_answers; a constant number of queries, whatever the number of groups.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.auth.access import SMALL_GROUP
from app.evaluation import services as collected
from app.labels import format_count, format_share
from app.learning.services import variant_content
from app.models import (
    Course,
    CourseEvaluation,
    CourseVersion,
    Employee,
    FollowupAnswer,
    OrgUnit,
    PreventionLevel,
)
from app.reports.disclosure import Group, suppress

ALL = "*"  # every administration / every level
ABOVE = 0  # the row of people placed above every administration (administration_id NULL)
LEVELS: list[str] = ["ledning", "chef", "medarbetare", "fortroendevald"]
PREVENTION_LEVELS: list[str] = [p.value for p in PreventionLevel]

SCALES = ("relevance", "clarity", "confidence")
CHOICES = {
    "recommend": ("ja", "nej", "vet_inte"),
    "used_it": ("ja", "nej", "delvis"),
    "workplace_changed": ("ja", "nej", "vet_inte"),
}
QUESTION = {
    "relevance": _l("Kursen var relevant för mitt arbete"),
    "clarity": _l("Kursen var tydlig"),
    "confidence": _l("Jag vet vad jag ska göra"),
    "recommend": _l("Skulle rekommendera kursen"),
    "used_it": _l("Har använt det jag lärde mig"),
    "workplace_changed": _l("Arbetsplatsen har förändrats"),
}
ANSWER = {
    "ja": _l("Ja"),
    "nej": _l("Nej"),
    "vet_inte": _l("Vet inte"),
    "delvis": _l("Delvis"),
}
DEFINITIONS = [
    (
        _l("Kunskap före"),
        _l(
            "Andelen rätt svar i förtestet, som tas innan kursen börjar. Förtestet är frivilligt "
            "och ger inget betyg; frågorna hör till samma lärandemål som slutprovet."
        ),
    ),
    (
        _l("Kunskap efter"),
        _l(
            "Andelen rätt svar på samma lärandemål i personens första inlämnade slutprov för "
            "kursversionen. Senare försök räknas inte, så omprov gör inte ökningen större."
        ),
    ),
    (
        _l("Utvärdering"),
        _l(
            "Anonyma svar efter genomförd kurs, på en skala från 1 (instämmer inte alls) till 5 "
            "(instämmer helt). Medelvärdet räknas på dem som svarade på frågan."
        ),
    ),
    (
        _l("Uppföljning"),
        _l("Anonyma svar på två frågor som skickas med e-post några månader efter kursen."),
    ),
    (
        _l("Färre än 5 svar"),
        _l(
            "Svaren är anonyma. En grupp med färre än 5 svar visas inte, och inte heller en "
            "siffra som skulle avslöja en sådan grupp genom att dra av de andra från en summa "
            "(”visas inte”). Det gäller alla som ser siffrorna, även HR."
        ),
    ),
]

Atom = tuple[int, int, str]  # (course id, administration id or ABOVE, level)
Scope = tuple[str, int | str, int | str, str]  # ("course"|"prevention", id, admin, level)


@dataclass
class Tally:
    """Additive over atoms: the people (or answers) counted and their answers by value."""

    people: int = 0
    counts: Counter = field(default_factory=Counter)

    def add(self, other: Tally) -> None:
        self.people += other.people
        self.counts.update(other.counts)


@dataclass(frozen=True)
class Shown:
    """One figure as every viewer sees it."""

    people: int
    counts: Mapping[Hashable, int]
    hidden: str = ""  # "" shown; "few" (1–4) or "derivable" (hidden so a small group stays)

    @property
    def masked(self) -> bool:
        return bool(self.hidden)

    @property
    def note(self) -> str:
        if self.hidden == "few":
            return _("färre än 5 svar")
        if self.hidden == "derivable":
            return _("visas inte")
        return ""

    @property
    def share_right(self) -> float | None:
        total = self.counts.get(True, 0) + self.counts.get(False, 0)
        return None if self.masked or not total else self.counts.get(True, 0) / total

    @property
    def mean(self) -> float | None:
        n = sum(v for k, v in self.counts.items() if isinstance(k, int))
        if self.masked or not n:
            return None
        return sum(k * v for k, v in self.counts.items() if isinstance(k, int)) / n

    def share(self, value: Hashable) -> float | None:
        n = sum(self.counts.values())
        return None if self.masked or not n else self.counts.get(value, 0) / n


EMPTY = Shown(0, {})


@dataclass(frozen=True)
class Objective:
    id: str
    title: str


@dataclass
class Evaluation:
    """Every published figure: `figure(measure, scope)`; masked once for everyone."""

    courses: list[Course]
    objectives: dict[int, list[Objective]]  # course id -> its objectives (current version)
    administrations: list[tuple[int, str]]  # (id or ABOVE, name), the rows
    shown: dict[tuple[Hashable, Scope], Shown]

    def figure(self, measure: Hashable, scope: Scope) -> Shown:
        return self.shown.get((measure, scope), EMPTY)

    def answered(self) -> list[Course]:
        """The courses with any answer (pre-test, quiz, evaluation or follow-up), first."""
        ids = {s[1] for (_m, s), f in self.shown.items() if s[0] == "course" and f.people}
        return [c for c in self.courses if c.id in ids] + [
            c for c in self.courses if c.id not in ids
        ]

    def course(self, course_id: int) -> Course | None:
        return next((c for c in self.courses if c.id == course_id), None)

    def admin_name(self, admin: int | str) -> str:
        if admin == ALL:
            return _("Alla förvaltningar")
        return dict(self.administrations).get(admin, "")  # type: ignore[arg-type]


# --- reading ----------------------------------------------------------------------------------


def _objectives(content: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(id, title) of a version's objectives, in the manifest's order (titles: main text)."""
    if not content.get("objectives"):
        return []
    titles = variant_content(content, "").get("objectives") or {}
    return [(o, str(titles.get(o) or o)) for o in content.get("objectives") or []]


class _Org:
    """Unit id -> administration id (ABOVE for the root and anything outside)."""

    def __init__(self, session: Session) -> None:
        units = session.execute(
            sa.select(OrgUnit.id, OrgUnit.path, OrgUnit.depth, OrgUnit.name, OrgUnit.active)
        ).all()
        self.names = {u.id: u.name for u in units if u.depth == 1}
        self.active = sorted(
            ((u.id, u.name) for u in units if u.depth == 1 and u.active), key=lambda r: r[1]
        )
        self.admin_of: dict[int, int] = {}
        for u in units:  # path "/root/administration/…/": the second id is the administration
            parts = [p for p in u.path.split("/") if p]
            top = int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else ABOVE
            self.admin_of[u.id] = top if top in self.names else ABOVE


def _knowledge(session: Session, org: _Org) -> dict[Hashable, dict[Atom, Tally]]:
    """("before"|"after", course id, objective) -> atom -> tally of right/wrong answers.

    The rows come from app/evaluation/services.knowledge_rows (the one definition of before
    and after: answered pre-tests; each person's FIRST submitted attempt per version); one
    more query places the people in their administration and level."""
    course_ids = list(session.scalars(sa.select(Course.id)))
    rows = collected.knowledge_rows(session, course_ids)
    people = {
        e.id: (org.admin_of.get(e.unit_id, ABOVE), e.level)
        for e in session.execute(
            sa.select(Employee.id, Employee.unit_id, Employee.level).where(
                Employee.id.in_({r.employee_id for r in rows})
            )
        )
    }
    counted: dict[Hashable, dict[Atom, set[int]]] = defaultdict(lambda: defaultdict(set))
    out: dict[Hashable, dict[Atom, Tally]] = defaultdict(lambda: defaultdict(Tally))
    for r in rows:
        admin, level = people[r.employee_id]
        measure, atom = (r.phase, r.course_id, r.objective), (r.course_id, admin, level)
        out[measure][atom].counts[r.correct] += 1
        counted[measure][atom].add(r.employee_id)
    for measure, atoms in counted.items():
        for atom, who in atoms.items():
            out[measure][atom].people = len(who)
    return out


def _answers(session: Session, org_names: set[int]) -> dict[Hashable, dict[Atom, Tally]]:
    """("eval"|"followup", question) -> atom -> tally of answers by value (two queries)."""
    out: dict[Hashable, dict[Atom, Tally]] = defaultdict(lambda: defaultdict(Tally))
    for table, kind, columns in (
        (CourseEvaluation, "eval", (*SCALES, "recommend")),
        (FollowupAnswer, "followup", ("used_it", "workplace_changed")),
    ):
        cols = [getattr(table, c) for c in columns]
        group = (table.course_id, table.administration_id, table.level, *cols)
        result = session.execute(
            sa.select(*group, sa.func.count().label("n")).group_by(*group)
        ).all()
        for r in result:
            admin = r.administration_id if r.administration_id in org_names else ABOVE
            atom = (r.course_id, admin, r.level)
            for c in columns:
                value = getattr(r, c)
                if value is None or value == "":
                    continue
                out[(kind, c)][atom].add(Tally(r.n, Counter({value: r.n})))
    return out


# --- masking ----------------------------------------------------------------------------------


def _scopes(
    courses: list[Course], admins: list[int], levels: list[str], *, prevention: bool
) -> list[Scope]:
    scopes: list[Scope] = []
    for c in courses:
        for a in admins:
            scopes += [("course", c.id, a, lvl) for lvl in levels]
            scopes.append(("course", c.id, a, ALL))
        scopes += [("course", c.id, ALL, lvl) for lvl in levels]
        scopes.append(("course", c.id, ALL, ALL))
    if prevention:
        scopes += [("prevention", p, ALL, ALL) for p in PREVENTION_LEVELS]
    return scopes


def _covers(scope: Scope, atom: Atom, prevention_of: dict[int, set[str]]) -> bool:
    kind, what, admin, level = scope
    course, a, lvl = atom
    if kind == "course" and course != what:
        return False
    if kind == "prevention" and what not in prevention_of.get(course, set()):
        return False
    return (admin in (ALL, a)) and (level in (ALL, lvl))


def _rank(exposed: Scope, key: Scope) -> tuple:
    """Complements: cells before totals, then those on the exposed figure's row or column."""
    inner = key[0] == "course" and key[2] != ALL and key[3] != ALL
    near = key[1] == exposed[1] and (key[2] == exposed[2] or key[3] == exposed[3])
    return (not inner, not near)


def _protect(
    atoms: dict[Atom, Tally], scopes: list[Scope], prevention_of: dict[int, set[str]]
) -> dict[Scope, Shown]:
    totals: dict[Scope, Tally] = {}
    groups: dict[Hashable, Group] = {}
    for s in scopes:
        t = Tally()
        support = []
        for atom, a in atoms.items():
            if a.people and _covers(s, atom, prevention_of):
                t.add(a)
                support.append(atom)
        totals[s] = t
        groups[s] = Group(t.people, frozenset(support))
    hidden = suppress(groups, rank=_rank)
    return {
        s: Shown(
            t.people,
            dict(t.counts),
            "" if s not in hidden else ("few" if t.people < SMALL_GROUP else "derivable"),
        )
        for s, t in totals.items()
    }


def evaluation(session: Session) -> Evaluation:
    """Every figure, masked once for every viewer (a constant number of queries)."""
    org = _Org(session)
    courses = list(session.scalars(sa.select(Course).order_by(Course.title)))
    prevention_of = {c.id: set(c.prevention_levels or ()) for c in courses}
    knowledge = _knowledge(session, org)
    answers = _answers(session, set(org.names))
    seen = {a for data in (*knowledge.values(), *answers.values()) for (_c, a, _l) in data}
    admins = [a for a, _n in org.active] + sorted(
        a for a in seen if a != ABOVE and a not in {i for i, _n in org.active}
    )
    admins.append(ABOVE)
    rows = [(a, org.names.get(a, "")) for a in admins if a != ABOVE]
    rows.append((ABOVE, _("Direkt under kommunen")))
    shown: dict[tuple[Hashable, Scope], Shown] = {}
    for measure, atoms in knowledge.items():
        course = next((c for c in courses if c.id == measure[1]), None)
        if course is None:
            continue
        for s, f in _protect(
            atoms, _scopes([course], admins, LEVELS, prevention=False), prevention_of
        ).items():
            shown[(measure, s)] = f
    for measure, atoms in answers.items():
        for s, f in _protect(
            atoms, _scopes(courses, admins, LEVELS, prevention=True), prevention_of
        ).items():
            shown[(measure, s)] = f
    objectives: dict[int, list[Objective]] = {}
    current = session.execute(
        sa.select(CourseVersion.course_id, CourseVersion.content).where(
            CourseVersion.is_current.is_(True)
        )
    ).all()
    for v in current:
        objectives[v.course_id] = [Objective(i, t) for i, t in _objectives(v.content)]
    for measure in knowledge:  # objectives of older versions, by id
        known = objectives.setdefault(measure[1], [])
        if measure[2] not in {o.id for o in known}:
            known.append(Objective(measure[2], measure[2]))
    return Evaluation(courses, objectives, rows, shown)


# --- what the page, the report and the export print ---------------------------------------------


def percent(share: float | None) -> str:
    return "–" if share is None else format_share(share)


def knowledge_rows(ev: Evaluation, scope: Scope) -> list[dict]:
    """Per objective of the scope's course: before and after, as printed."""
    out = []
    for o in ev.objectives.get(int(scope[1]), []):
        before = ev.figure(("before", scope[1], o.id), scope)
        after = ev.figure(("after", scope[1], o.id), scope)
        out.append({"objective": o, "before": before, "after": after})
    return out


def mean_text(f: Shown) -> str:
    if f.masked:
        return f.note
    m = f.mean
    return "–" if m is None else f"{m:.1f}".replace(".", ",")


def distribution(f: Shown, values: Iterable[Hashable]) -> list[str]:
    if f.masked:
        return [f.note for _v in values]
    return [
        "–" if not f.people else f"{format_count(f.counts.get(v, 0))} ({percent(f.share(v))})"
        for v in values
    ]


def sentence(ev: Evaluation, course: Course, o: Objective) -> str:
    """The board's sentence for one objective, or why there is none."""
    scope: Scope = ("course", course.id, ALL, ALL)
    before = ev.figure(("before", course.id, o.id), scope)
    after = ev.figure(("after", course.id, o.id), scope)
    if before.masked or after.masked:
        return _(
            "Andelen rätt svar om %(objective)s visas inte: färre än 5 svar.",
            objective=o.title,
        )
    if before.share_right is None or after.share_right is None:
        return _("Andelen rätt svar om %(objective)s: inga svar ännu.", objective=o.title)
    return _(
        "Andelen rätt svar om %(objective)s %(verb)s från %(before)s före kursen till "
        "%(after)s efter (%(people)s personer).",
        objective=o.title,
        verb=_("steg")
        if after.share_right > before.share_right
        else (_("sjönk") if after.share_right < before.share_right else _("var oförändrad,")),
        before=format_share(before.share_right, 0),
        after=format_share(after.share_right, 0),
        people=format_count(after.people),
    )


def free_texts(session: Session, course_id: int) -> list[str]:
    """Every non-empty free-text answer to one course, in a random order, nothing else: no
    administration, level or month beside them (HR only; the caller audits the viewing).
    None is shown while the course has fewer than 5 evaluations in all."""
    n = session.scalar(
        sa.select(sa.func.count())
        .select_from(CourseEvaluation)
        .where(CourseEvaluation.course_id == course_id)
    )
    if (n or 0) < SMALL_GROUP:
        return []
    texts = list(
        session.scalars(
            sa.select(CourseEvaluation.free_text).where(
                CourseEvaluation.course_id == course_id,
                CourseEvaluation.free_text.is_not(None),
                CourseEvaluation.free_text != "",
            )
        )
    )
    random.SystemRandom().shuffle(texts)
    return texts


# --- tables: the page, the status report and the export print the same ------------------------

SCALE_VALUES = (1, 2, 3, 4, 5)


def scope_of(course_id: int, admin: int | str = ALL, level: str = ALL) -> Scope:
    return ("course", course_id, admin, level)


def _count(f: Shown) -> str:
    return f.note if f.masked else format_count(f.people)


def knowledge_table(ev: Evaluation, scope: Scope, caption: str) -> Any:
    from app.reports.services import Table

    rows = []
    for r in knowledge_rows(ev, scope):
        b, a = r["before"], r["after"]
        rows.append(
            [
                r["objective"].title,
                b.note or percent(b.share_right),
                _count(b),
                a.note or percent(a.share_right),
                _count(a),
            ]
        )
    return Table(
        caption=caption,
        headers=[
            _("Lärandemål"),
            _("Rätt före kursen"),
            _("Personer före"),
            _("Rätt efter kursen"),
            _("Personer efter"),
        ],
        rows=rows,
        numeric=(1, 2, 3, 4),
        empty=_("Kursen har inga lärandemål med förtest."),
    )


def scales_table(ev: Evaluation, scope: Scope, caption: str) -> Any:
    from app.reports.services import Table

    rows = []
    for q in SCALES:
        f = ev.figure(("eval", q), scope)
        rows.append([str(QUESTION[q]), mean_text(f), _count(f), *distribution(f, SCALE_VALUES)])
    return Table(
        caption=caption,
        headers=[
            _("Fråga"),
            _("Medelvärde (1–5)"),
            _("Svar"),
            *[str(v) for v in SCALE_VALUES],
        ],
        rows=rows,
        numeric=(1, 2, 3, 4, 5, 6, 7),
    )


CHOICE_COLUMNS = ("ja", "nej", "delvis", "vet_inte")


def choices_table(ev: Evaluation, scope: Scope, caption: str) -> Any:
    from app.reports.services import Table

    rows = []
    for kind, q in (
        ("eval", "recommend"),
        ("followup", "used_it"),
        ("followup", "workplace_changed"),
    ):
        f = ev.figure((kind, q), scope)
        cells = distribution(f, CHOICE_COLUMNS)
        cells = [c if v in CHOICES[q] else "" for v, c in zip(CHOICE_COLUMNS, cells, strict=True)]
        rows.append([str(QUESTION[q]), _count(f), *cells])
    return Table(
        caption=caption,
        headers=[_("Fråga"), _("Svar"), *[str(ANSWER[v]) for v in CHOICE_COLUMNS]],
        rows=rows,
        numeric=(1, 2, 3, 4, 5),
    )


# --- the status report's section -------------------------------------------------------------


def status_section(ev: Evaluation) -> Any:
    """ "Vad har utbildningen gett?": in sentences the board reads, with the tables and the
    definitions; masked figures say so, like the coverage ones."""
    from app.reports.services import Paragraph, Section

    paragraphs: list[Paragraph] = []
    tables = []
    for course in ev.courses:
        scope = scope_of(course.id)
        objectives = ev.objectives.get(course.id, [])
        evals = ev.figure(("eval", "relevance"), scope)
        if not objectives and not evals.people and not evals.masked:
            continue
        lines = [sentence(ev, course, o) for o in objectives]
        rel, conf = (
            ev.figure(("eval", "relevance"), scope),
            ev.figure(("eval", "confidence"), scope),
        )
        rec = ev.figure(("eval", "recommend"), scope)
        if rel.masked or rec.masked:
            lines.append(_("Utvärderingen visas inte: färre än 5 svar."))
        elif rel.people:
            lines.append(
                _(
                    "I den anonyma utvärderingen gav deltagarna kursens relevans i snitt "
                    "%(relevance)s av 5 och sin förmåga att veta vad de ska göra %(confidence)s "
                    "av 5; %(recommend)s skulle rekommendera kursen (%(people)s svar).",
                    relevance=mean_text(rel),
                    confidence=mean_text(conf),
                    recommend=format_share(rec.share("ja"), 0) if rec.people else "–",
                    people=format_count(rel.people),
                )
            )
        paragraphs.append(Paragraph(" ".join(lines), lead=course.title + ":"))
        if objectives:
            tables.append(
                knowledge_table(
                    ev, scope, _("Kunskap före och efter: %(course)s", course=course.title)
                )
            )
    if not paragraphs:
        paragraphs.append(Paragraph(_("Det finns inga svar på förtest eller utvärdering ännu.")))
    from app.reports.services import Table

    tables.append(
        Table(
            caption=_("Definitioner"),
            headers=[_("Begrepp"), _("Betydelse")],
            rows=[[str(term), str(text)] for term, text in DEFINITIONS],
        )
    )
    return Section(
        key="effekt",
        heading=_("Vad har utbildningen gett?"),
        paragraphs=paragraphs,
        tables=tables,
        basis=_(
            "Källa: förtest, första slutprovet och anonyma utvärderingar i Värna. Grupper med "
            "färre än 5 svar visas inte, för någon."
        ),
    )


# --- the export ------------------------------------------------------------------------------

EXPORT_HEADERS = [
    _l("Kurs eller förebyggande nivå"),
    _l("Förvaltning"),
    _l("Nivå"),
    _l("Mått"),
    _l("Fråga eller lärandemål"),
    _l("Antal"),
    _l("Andel rätt eller medelvärde"),
    _l("Rätt"),
    _l("Fel"),
    "1",
    "2",
    "3",
    "4",
    "5",
    _l("Ja"),
    _l("Nej"),
    _l("Delvis"),
    _l("Vet inte"),
]


def export_rows(ev: Evaluation) -> list[tuple]:
    """One row per shown figure; a masked figure has no row at all."""
    from app.labels import LEVEL, PREVENTION

    kinds = {"before": _("Kunskap före"), "after": _("Kunskap efter")}
    kinds.update({"eval": _("Utvärdering"), "followup": _("Uppföljning")})
    titles = {(c, o.id): o.title for c, objectives in ev.objectives.items() for o in objectives}
    rows = []
    for (measure, scope), f in ev.shown.items():
        if f.masked or not f.people:
            continue
        kind, what, admin, level = scope
        if kind == "course":
            course = ev.course(int(what))
            head = course.title if course else str(what)
        else:
            head = str(PREVENTION.get(str(what), what))
        if measure[0] in ("before", "after"):
            question = titles.get((measure[1], measure[2]), measure[2])
            number = f.share_right  # a float: the CSV writes it "0,8600", the XLSX as a number
        else:
            question = str(QUESTION[measure[1]])
            value = f.mean if measure[1] in SCALES else None
            number = f"{value:.2f}".replace(".", ",") if value is not None else ""
        c = f.counts
        rows.append(
            (
                head,
                ev.admin_name(admin),
                _("Alla nivåer") if level == ALL else str(LEVEL.get(level, level)),
                kinds[measure[0]],
                question,
                f.people,
                number,
                *(c.get(k, "") if measure[0] in ("before", "after") else "" for k in (True, False)),
                *(c.get(k, "") for k in SCALE_VALUES),
                *(c.get(k, "") for k in CHOICE_COLUMNS),
            )
        )
    return rows


def export_table(ev: Evaluation) -> tuple[list[str], list[tuple]]:
    return labels_sv(EXPORT_HEADERS), export_rows(ev)


def labels_sv(texts: Iterable[Any]) -> list[str]:
    from app.labels import swedish_texts

    return swedish_texts(texts)
