"""Report data. Every figure is a sum over coverage.status_counts: the one status definition.

Views ask for a matrix, a drill-down, a trend or the status report and render it; the
charts, the exports and the API read the same functions, so the numbers always agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.orm import Session, aliased

from app import dates, labels, org
from app.auth.access import SMALL_GROUP, Disclosure
from app.dates import add_months
from app.labels import format_count, format_day, format_points, format_share
from app.models import (
    Course,
    CoverageSnapshot,
    Employee,
    Level,
    OrgUnit,
    PreventionLevel,
    Requirement,
    SessionAttendance,
    Setting,
    Status,
    TrainingSession,
)
from app.org import in_subtrees
from app.records import audit, save_setting
from app.reports import coverage
from app.reports import disclosure as protection
from app.reports.coverage import COVERED, STATUSES, Counts, Scope

LEVELS: list[str] = [lvl.value for lvl in Level]
PREVENTION_LEVELS: list[str] = [p.value for p in PreventionLevel]
TARGET_KEY = "coverage_target"

DEFINITION = _l(
    "Täckning = andel av alla par (aktiv person, kurs som krävs av personen) där kursen är "
    "genomförd och giltig den dagen (status genomförd eller går snart ut). En kurs krävs av "
    "en person när en aktiv kravregel når personen genom nivå, enhet och/eller yrkesgrupp; "
    "undantagna personer räknas inte. Går snart ut = giltigheten tar slut inom 30 dagar. "
    "Försenad = aldrig genomförd och sista dag har passerat. Ej påbörjad = aldrig genomförd, "
    "inte försenad ännu."
)


def _sub(a: Counts, b: Counts) -> Counts:
    return Counts(*(getattr(a, s.value) - getattr(b, s.value) for s in STATUSES))


def _sum(counts: Sequence[Counts]) -> Counts:
    total = Counts()
    for c in counts:
        total = total + c
    return total


# --- matrices: rows of units × staff levels -------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A figure as this viewer may see it; pages, charts, the PDF and the API only print it."""

    value: float | None  # the share to draw; None when there is none or it is masked
    text: str  # "66,7 %", "färre än 5", "visas inte" or "–"
    detail: str = ""  # "7 av 11"
    masked: bool = False
    abbr: str = ""  # for a narrow cell, when it differs from `text`

    @property
    def short(self) -> str:
        """For a narrow cell (the heat map)."""
        return self.abbr or self.text

    @property
    def full(self) -> str:
        """One line of text: "66,7 % (7 av 11)"."""
        return f"{self.text} ({self.detail})" if self.detail else self.text


NONE = Figure(None, "–")


@dataclass(frozen=True)
class Cell:
    counts: Counts
    people: int
    disclosure: Disclosure = Disclosure.COUNTS  # the viewer's, from access.disclosure
    suppressed: bool = False  # hidden so that a small group cannot be worked out (disclosure.py)

    @property
    def coverage(self) -> float | None:
        return self.counts.coverage

    @property
    def masked(self) -> bool:
        """A group of 1–4 people ("färre än 5"), or a figure that would reveal one ("visas
        inte"), to a masked viewer."""
        if self.disclosure is not Disclosure.MASKED:
            return False
        return self.suppressed or 0 < self.people < SMALL_GROUP

    @property
    def figure(self) -> Figure:
        """The coverage as this viewer sees it."""
        if not self.counts.total:
            return NONE
        if self.masked:
            return self._hidden()
        detail = _(
            "%(done)s av %(all)s",
            done=format_count(self.counts.covered),
            all=format_count(self.counts.total),
        )
        return Figure(self.coverage, format_share(self.coverage), detail)

    def count(self, value: int, *, masked_text: str | None = None) -> Figure:
        """A count about this group (people, overdue) as this viewer sees it."""
        if self.masked:
            return Figure(None, masked_text, masked=True) if masked_text else self._hidden()
        return Figure(None, format_count(value))

    def _hidden(self) -> Figure:
        """What a masked viewer reads instead: a small group is "färre än 5"; a group of 5 or
        more hidden only so that a small one cannot be worked out is "visas inte" (saying
        "färre än 5" of it would be untrue; that it is 5 or more tells nothing hidden)."""
        if 0 < self.people < SMALL_GROUP:
            return Figure(None, _("färre än 5"), masked=True, abbr="<5")
        return Figure(None, _("visas inte"), masked=True, abbr=_("dold"))

    def gap(self, target: Target | None) -> str:
        """Against the target: "når målet", "12,5 procentenheter kvar" or "–"."""
        if target is None or self.coverage is None or self.masked:
            return "–"
        if self.coverage >= target.share:
            return _("når målet")
        return _("%(gap)s procentenheter kvar", gap=format_points(target.share - self.coverage))


EMPTY = Cell(Counts(), 0)


@dataclass(frozen=True)
class MatrixRow:
    unit: OrgUnit | None  # None: the people placed directly in the parent (not in a row below)
    label: str
    cells: dict[str, Cell]
    total: Cell


@dataclass(frozen=True)
class Matrix:
    title: str
    levels: list[str]
    rows: list[MatrixRow]
    columns: dict[str, Cell]
    total: Cell
    course_ids: list[int] | None = None


@dataclass
class Cube:
    """Pairs per (top, (course, level)) and per (course, level), from one grouped query."""

    on: date
    tops: list[OrgUnit]
    scope: Scope
    by_top: dict[tuple[int, tuple[int, str]], Counts]
    by_level: dict[tuple[int, str], Counts]
    paths: dict[int, str] = field(default_factory=dict)  # unit id -> path, for units with staff
    _people: dict[tuple[int, ...], tuple[dict, dict]] = field(default_factory=dict)

    @property
    def course_ids(self) -> list[int]:
        return sorted({c for c, _ in self.by_level})

    def people(self, session: Session, courses: Sequence[int]) -> tuple[dict, dict]:
        """Distinct people per (top, level) and per (level,) for a set of courses."""
        key = tuple(sorted(courses))
        if key not in self._people:
            scope = Scope(
                unit_paths=self.scope.unit_paths,
                levels=self.scope.levels,
                course_ids=list(key),
                employee_ids=self.scope.employee_ids,
            )
            per_unit = coverage.people_counts(
                session, on=self.on, group_by=("unit", "level"), scope=scope
            )
            cols: dict[tuple, int] = defaultdict(int)
            for (_, level), n in per_unit.items():
                cols[(level,)] += n
            rows = org.roll_up(
                ((self.paths.get(u, ""), level, n) for (u, level), n in per_unit.items()),
                into=[t.id for t in self.tops],
            )
            self._people[key] = (rows, dict(cols))
        return self._people[key]


EVERYTHING = Scope()


def cube(session: Session, *, on: date, tops: list[OrgUnit], scope: Scope = EVERYTHING) -> Cube:
    """One pass over the pairs, grouped by course × unit × level, added up here.

    A person sits in one unit, so per-unit counts add up exactly into the tops'
    subtrees and into the columns (people placed above every top included).
    """
    rows = coverage.status_counts(session, on=on, group_by=("course", "unit", "level"), scope=scope)
    paths = dict(
        session.execute(
            sa.select(OrgUnit.id, OrgUnit.path).where(
                OrgUnit.id.in_(sa.select(Employee.unit_id).distinct())
            )
        ).all()
    )
    by_level: dict[tuple[int, str], Counts] = {}
    for row in rows:
        course_id, _, level = row.key
        k = (course_id, level)
        by_level[k] = by_level[k] + row.counts if k in by_level else row.counts
    by_top = org.roll_up(  # rows of (unit path, (course, level), counts)
        ((paths.get(r.key[1], ""), (r.key[0], r.key[2]), r.counts) for r in rows),
        into=[t.id for t in tops],
    )
    return Cube(on=on, tops=tops, scope=scope, by_top=by_top, by_level=by_level, paths=paths)


def matrix(
    session: Session,
    data: Cube,
    *,
    title: str,
    course_ids: Sequence[int] | None = None,
    rest_label: str = "",
    disclosure: Disclosure = Disclosure.COUNTS,
) -> Matrix:
    """Tops × levels for some courses (None: every course), with totals.

    Pairs add up across courses; people do not (one person, several courses), so a
    matrix over several courses asks for its head counts (one more grouped query).
    """
    courses = list(course_ids) if course_ids is not None else data.course_ids
    single = len(courses) == 1
    if single or not courses:
        people_rows: dict[tuple, int] | None = None
        people_cols: dict[tuple, int] | None = None
    else:
        people_rows, people_cols = data.people(session, courses)

    def cell(counts: Counts, people_key: tuple, people: dict | None) -> Cell:
        if people is None:
            return Cell(counts, counts.total, disclosure)
        return Cell(counts, people.get(people_key, 0), disclosure)

    rows = []
    for top in data.tops:
        cells = {
            lvl: cell(
                _sum([data.by_top.get((top.id, (c, lvl)), Counts()) for c in courses]),
                (top.id, lvl),
                people_rows,
            )
            for lvl in LEVELS
        }
        rows.append(MatrixRow(top, top.name, cells, _total(cells.values(), disclosure)))
    columns = {
        lvl: cell(
            _sum([data.by_level.get((c, lvl), Counts()) for c in courses]), (lvl,), people_cols
        )
        for lvl in LEVELS
    }
    # People placed directly in the parent (above every row) still count in the totals.
    rest = {
        lvl: Cell(
            _sub(columns[lvl].counts, _sum([r.cells[lvl].counts for r in rows])),
            columns[lvl].people - sum(r.cells[lvl].people for r in rows),
            disclosure,
        )
        for lvl in LEVELS
    }
    if any(c.counts.total for c in rest.values()):
        rows.append(MatrixRow(None, rest_label, rest, _total(rest.values(), disclosure)))
    m = Matrix(
        title=title,
        levels=LEVELS,
        rows=rows,
        columns=columns,
        total=_total(columns.values(), disclosure),
        course_ids=courses,
    )
    if disclosure is Disclosure.MASKED:
        m = protection.protect_matrix(data, m).matrix
    return m


def _total(cells: Any, disclosure: Disclosure) -> Cell:
    cells = list(cells)
    return Cell(_sum([c.counts for c in cells]), sum(c.people for c in cells), disclosure)


def courses_by_id(session: Session, ids: Sequence[int] | None = None) -> dict[int, Course]:
    stmt = sa.select(Course).order_by(Course.title)
    if ids is not None:
        stmt = stmt.where(Course.id.in_(list(ids)))
    return {c.id: c for c in session.scalars(stmt)}


# --- people with nothing completed ----------------------------------------------------------


def people_without_completion_stmt(on: date, within: list[str] | None) -> sa.Select:
    """Active people with at least one required course and none of them completed and valid."""
    pairs = coverage.pairs_stmt(on, Scope(unit_paths=within)).subquery("p")
    covered = sa.func.sum(sa.case((pairs.c.status.in_([s.value for s in COVERED]), 1), else_=0))
    overdue = sa.func.sum(sa.case((pairs.c.status == Status.OVERDUE.value, 1), else_=0))
    per_person = (
        sa.select(
            pairs.c.employee_id,
            sa.func.count().label("required"),
            overdue.label("overdue"),
        )
        .group_by(pairs.c.employee_id)
        .having(covered == 0)
        .subquery("untrained")
    )
    return (
        sa.select(Employee, OrgUnit, per_person.c.required, per_person.c.overdue)
        .join(per_person, per_person.c.employee_id == Employee.id)
        .join(OrgUnit, OrgUnit.id == Employee.unit_id)
        .order_by(OrgUnit.path, Employee.last_name, Employee.first_name, Employee.id)
    )


# --- trend ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    day: date
    counts: Counts
    rebuilt: bool


def take_snapshot(session: Session, *, on: date, rebuilt: bool = False) -> int:
    """Write the day's counts per unit × level × course (one INSERT … SELECT).

    Idempotent per day: the day's earlier rows are replaced. Returns the rows written.
    """
    session.execute(sa.delete(CoverageSnapshot).where(CoverageSnapshot.taken_on == on))
    pairs = coverage.pairs_stmt(on).subquery("p")
    sums = [
        sa.func.sum(sa.case((pairs.c.status == s.value, 1), else_=0)).label(s.value)
        for s in STATUSES
    ]
    select = sa.select(
        sa.literal(on, sa.Date()).label("taken_on"),
        pairs.c.unit_id,
        pairs.c.level,
        pairs.c.course_id,
        *sums,
        sa.literal(rebuilt, sa.Boolean()).label("rebuilt"),
    ).group_by(pairs.c.unit_id, pairs.c.level, pairs.c.course_id)
    columns = ["taken_on", "unit_id", "level", "course_id", *[s.value for s in STATUSES]]
    session.execute(
        sa.insert(CoverageSnapshot).from_select([*columns, "rebuilt"], select),
        execution_options={"synchronize_session": False},
    )
    return session.scalar(sa.select(sa.func.count()).where(CoverageSnapshot.taken_on == on))  # type: ignore[return-value]


def rebuild_history(session: Session, *, since: date, until: date, months: int = 1) -> list[date]:
    """Rebuild snapshots for past days (every `months` from `since`) from completion dates.

    A rebuilt day uses today's organisation and people; a day that already has a
    snapshot taken on the day is left alone.
    """
    taken = set(
        session.scalars(
            sa.select(CoverageSnapshot.taken_on)
            .where(CoverageSnapshot.rebuilt.is_(False))
            .distinct()
        )
    )
    days = []
    day = since
    step = 0
    while day < until:
        if day not in taken:
            take_snapshot(session, on=day, rebuilt=True)
            days.append(day)
        step += 1
        day = add_months(since, step * months)
    return days


def trend(
    session: Session,
    *,
    within: list[str] | None = None,
    course_ids: Sequence[int] | None = None,
    levels: Sequence[str] | None = None,
) -> list[TrendPoint]:
    """Summed snapshot counts per day for a cut, oldest first (one grouped query)."""
    s = CoverageSnapshot
    stmt = sa.select(
        s.taken_on,
        sa.func.min(sa.case((s.rebuilt.is_(True), 1), else_=0)),
        *[sa.func.sum(getattr(s, st.value)) for st in STATUSES],
    ).group_by(s.taken_on)
    if within is not None:
        stmt = stmt.join(OrgUnit, OrgUnit.id == s.unit_id).where(in_subtrees(OrgUnit.path, within))
    if course_ids is not None:
        stmt = stmt.where(s.course_id.in_(list(course_ids)))
    if levels:
        stmt = stmt.where(s.level.in_(list(levels)))
    return [
        TrendPoint(coverage.as_date(day), Counts(*(int(v or 0) for v in values)), bool(rebuilt))  # type: ignore[arg-type]
        for day, rebuilt, *values in session.execute(stmt.order_by(s.taken_on))
    ]


# --- the target -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    share: float  # 0–1
    by: date | None

    @property
    def percent(self) -> int:
        return round(self.share * 100)


class InvalidTarget(ValueError):
    pass


def get_target(session: Session) -> Target | None:
    setting = session.get(Setting, TARGET_KEY)
    if setting is None or not isinstance(setting.value, dict):
        return None
    value = setting.value
    by = value.get("by")
    return Target(share=float(value.get("share", 0)), by=date.fromisoformat(by) if by else None)


def set_target(
    session: Session, *, percent: int, by: date | None, actor: Employee | None
) -> Target:
    if not 1 <= percent <= 100:
        raise InvalidTarget("Målet ska vara mellan 1 och 100 procent.")
    before = get_target(session)
    value = {"share": percent / 100, "by": by.isoformat() if by else None}
    save_setting(
        session,
        TARGET_KEY,
        value,
        actor=actor,
        action="settings.coverage_target",
        before={"share": before.share, "by": str(before.by or "")} if before else None,
    )
    return Target(share=value["share"], by=by)


# --- courses and sessions -------------------------------------------------------------------


@dataclass(frozen=True)
class CourseLine:
    course: Course
    required: bool
    levels: list[str]  # staff levels it is required for; every level when `all_levels`
    all_levels: bool
    restricted: bool  # some rule narrows it to a unit or occupation


def course_catalogue(session: Session, *, on: date) -> list[CourseLine]:
    """Which courses exist, on which prevention levels, required of which staff levels."""
    courses = list(
        session.scalars(sa.select(Course).where(Course.active.is_(True)).order_by(Course.title))
    )
    rules = session.scalars(
        sa.select(Requirement).where(
            Requirement.starts_on <= on,
            sa.or_(Requirement.ends_on.is_(None), Requirement.ends_on >= on),
        )
    ).all()
    by_course: dict[int, list[Requirement]] = defaultdict(list)
    for rule in rules:
        by_course[rule.course_id].append(rule)
    lines = []
    for course in courses:
        course_rules = by_course.get(course.id, [])
        all_levels = any(not r.levels for r in course_rules)
        levels = (
            LEVELS if all_levels else sorted({lv.level for r in course_rules for lv in r.levels})
        )
        lines.append(
            CourseLine(
                course=course,
                required=bool(course_rules),
                levels=[lvl for lvl in LEVELS if lvl in levels],
                all_levels=all_levels,
                restricted=any(r.unit_id or r.tags for r in course_rules),
            )
        )
    return lines


@dataclass(frozen=True)
class SessionLine:
    title: str
    sessions: int
    attendances: int


@dataclass(frozen=True)
class SessionSummary:
    lines: list[SessionLine]
    sessions: int
    attendances: int
    people: int
    first: date | None
    last: date | None


def sessions_summary(
    session: Session, *, on: date, within: list[str] | None = None
) -> SessionSummary:
    """In-person sessions held up to `on`: how many, how many attendances, per course."""
    ts = TrainingSession
    attendance = (
        sa.select(SessionAttendance.session_id, sa.func.count().label("n"))
        .group_by(SessionAttendance.session_id)
        .subquery("att")
    )
    title = sa.func.coalesce(Course.title, ts.title)
    stmt = (
        sa.select(
            title,
            sa.func.count(ts.id),
            sa.func.coalesce(sa.func.sum(attendance.c.n), 0),
            sa.func.min(ts.held_on),
            sa.func.max(ts.held_on),
        )
        .select_from(ts)
        .outerjoin(Course, Course.id == ts.course_id)
        .outerjoin(attendance, attendance.c.session_id == ts.id)
        .where(ts.held_on <= on)
        .group_by(title)
        .order_by(title)
    )
    people_stmt = (
        sa.select(sa.func.count(sa.distinct(SessionAttendance.employee_id)))
        .join(ts, ts.id == SessionAttendance.session_id)
        .where(ts.held_on <= on)
    )
    if within is not None:
        unit = aliased(OrgUnit)
        stmt = stmt.join(unit, unit.id == ts.unit_id).where(in_subtrees(unit.path, within))
        people_stmt = people_stmt.join(unit, unit.id == ts.unit_id).where(
            in_subtrees(unit.path, within)
        )
    lines, firsts, lasts = [], [], []
    for name, n, att, first, last in session.execute(stmt):
        lines.append(SessionLine(name or "", int(n), int(att)))
        firsts.append(coverage.as_date(first))
        lasts.append(coverage.as_date(last))
    return SessionSummary(
        lines=lines,
        sessions=sum(line.sessions for line in lines),
        attendances=sum(line.attendances for line in lines),
        people=int(session.scalar(people_stmt) or 0),
        first=min(firsts) if firsts else None,
        last=max(lasts) if lasts else None,
    )


# --- the status report ----------------------------------------------------------------------


Shown = str | Figure  # a prepared table cell: text, or a figure as the viewer may see it


@dataclass(frozen=True)
class Table:
    """`(headers, rows)` of prepared cells; the page and the PDF only lay it out."""

    caption: str
    headers: list[str]
    rows: list[list[Shown]]
    numeric: tuple[int, ...] = ()  # columns that hold numbers (right-aligned)
    foot: list[Shown] | None = None  # a totals row
    empty: str = ""  # said instead of a table without rows
    title: str = ""  # a sub-heading above the table


@dataclass(frozen=True)
class Paragraph:
    text: str
    lead: str = ""  # opening words in bold


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    facts: list[tuple[Shown, str]] = field(default_factory=list)  # (figure, what it counts)
    paragraphs: list[Paragraph] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    chart: str = ""  # "bars" or "line": drawn beside the tables
    basis: str = ""  # where the figures come from


@dataclass(frozen=True)
class StatusReport:
    on: date
    total: Cell
    matrix: Matrix
    per_course: list[tuple[Course, Cell]]
    per_prevention: list[tuple[str, Cell]]
    target: Target | None
    trend: list[TrendPoint]
    catalogue: list[CourseLine]
    sessions: SessionSummary
    definition: str = DEFINITION
    notes: list[str] = field(default_factory=list)
    effect: Section | None = None  # "Vad har utbildningen gett?" (reports/evaluation.py)

    @property
    def monthly(self) -> list[TrendPoint]:
        """The last point of each month: the trend table of the status report."""
        last: dict[tuple[int, int], TrendPoint] = {}
        for p in self.trend:
            last[(p.day.year, p.day.month)] = p
        return list(last.values())

    @property
    def since_start(self) -> tuple[TrendPoint, TrendPoint] | None:
        points = [p for p in self.trend if p.counts.total]
        return (points[0], points[-1]) if len(points) >= 2 else None

    @property
    def masks_small(self) -> bool:
        return self.total.disclosure is Disclosure.MASKED

    @property
    def required_courses(self) -> int:
        return sum(1 for line in self.catalogue if line.required)

    @property
    def on_target(self) -> bool | None:
        """The whole report's coverage against the target; None without a target or figures."""
        if self.target is None or self.total.coverage is None or self.total.masked:
            return None
        return self.total.coverage >= self.target.share

    # --- the document: what the page and the PDF say, in this order ---------------------------

    @property
    def kicker(self) -> str:
        return _("Lägesrapport till kommunstyrelsen")

    @property
    def title(self) -> str:
        return _(
            "Utbildning i att förebygga mäns våld mot kvinnor – läget %(day)s",
            day=format_day(self.on),
        )

    @property
    def intro(self) -> str:
        return _(
            "Kommunfullmäktige beslutade i december 2022 att kommunens anställda på alla nivåer "
            "ska utbildas i att förebygga mäns våld mot kvinnor, våld i nära relationer, "
            "hedersrelaterat våld och förtryck samt sexuella trakasserier. Rapporten visar den "
            "delen av arbetet i siffror: vilka utbildningar som finns, hur många som har genomfört "
            "dem per förvaltning och nivå, och hur det har förändrats över tid."
        )

    @property
    def sections(self) -> list[Section]:
        return [
            self._summary(),
            self._courses(),
            self._administrations(),
            self._levels(),
            self._prevention(),
            *([self.effect] if self.effect is not None else []),
            self._trend(),
            self._sessions(),
            self._about(),
        ]

    def _summary(self) -> Section:
        total, t, day = self.total, self.target, format_day(self.on)
        facts: list[tuple[Shown, str]] = [
            (total.figure, _("av alla utbildningskrav är uppfyllda")),
            (
                total.count(total.people),
                ngettext(
                    "person omfattas av minst ett krav",
                    "personer omfattas av minst ett krav",
                    SMALL_GROUP if total.masked else total.people,
                ),
            ),
        ]
        if t:
            by = " " + _("senast %(day)s", day=format_day(t.by)) if t.by else ""
            facts.append((format_share(t.share), _("är målet") + by))
        facts.append(
            (
                format_count(self.sessions.sessions),
                ngettext(
                    "lärarlett tillfälle har hållits",
                    "lärarledda tillfällen har hållits",
                    self.sessions.sessions,
                ),
            )
        )
        today = [
            ngettext(
                "Det finns %(n)s kurs, varav %(req)s krävs av någon personalgrupp.",
                "Det finns %(n)s kurser, varav %(req)s krävs av någon personalgrupp.",
                len(self.catalogue),
                n=len(self.catalogue),
                req=self.required_courses,
            )
        ]
        if total.counts.total and not total.masked:
            c = total.counts
            today.append(
                _(
                    "Av %(all)s utbildningskrav är %(done)s uppfyllda, det vill säga %(pct)s.",
                    all=format_count(c.total),
                    done=format_count(c.covered),
                    pct=format_share(total.coverage),
                )
            )
            today.append(
                _(
                    "%(overdue)s krav är försenade och %(expired)s har gått ut och behöver förnyas.",
                    overdue=format_count(c.overdue),
                    expired=format_count(c.expired),
                )
            )
        if self.since_start:
            first, last = self.since_start
            progress = [
                _(
                    "Sedan första mätningen %(first)s har täckningen gått från %(a)s till %(b)s.",
                    first=format_day(first.day),
                    a=format_share(first.counts.coverage),
                    b=format_share(last.counts.coverage),
                )
            ]
        else:
            progress = [_("Det finns ännu inte två mätpunkter att jämföra.")]
        if self.on_target is True:
            progress.append(_("Målet är nått för kommunen som helhet."))
        elif self.on_target is False and t is not None and total.coverage is not None:
            progress.append(
                _(
                    "Det återstår %(gap)s procentenheter till målet.",
                    gap=format_points(t.share - total.coverage),
                )
            )
        return Section(
            "summary",
            _("1. Sammanfattning"),
            facts=facts,
            paragraphs=[
                Paragraph(" ".join(today), lead=_("Hur ser arbetet ut i dag?")),
                Paragraph(" ".join(progress), lead=_("Hur långt har arbetet kommit?")),
            ],
            basis=_("Underlag: status per %(day)s enligt definitionen i avsnitt 8.", day=day),
        )

    def _courses(self) -> Section:
        rows: list[list[Shown]] = []
        for line in self.catalogue:
            if not line.required:
                who = _("krävs inte (frivillig)")
            elif line.all_levels:
                who = _("alla nivåer")
            else:
                who = ", ".join(labels.name(labels.LEVEL_GROUP, lvl) for lvl in line.levels)
            if line.restricted:
                who += " " + _("(vissa enheter eller yrken)")
            course = line.course
            rows.append(
                [
                    course.title,
                    ", ".join(
                        labels.name(labels.PREVENTION, p) for p in course.prevention_levels or []
                    ),
                    who,
                    format_count(course.minutes or 0),
                    ngettext("%(num)s månad", "%(num)s månader", course.valid_months)
                    if course.valid_months
                    else _("gäller tills vidare"),
                ]
            )
        table = Table(
            _("Kurser, förebyggande nivå och vilka personalnivåer de krävs av"),
            [_("Kurs"), _("Förebyggande nivå"), _("Krävs av"), _("Minuter"), _("Giltighet")],
            rows,
            numeric=(3,),
            empty=_("Inga kurser är inlästa."),
        )
        return Section(
            "courses", _("2. Vilka utbildningar finns, för vilka nivåer"), tables=[table]
        )

    def _administrations(self) -> Section:
        t = self.target
        table = Table(
            _("Täckning per förvaltning mot målet"),
            [_("Förvaltning"), _("Täckning"), _("Mot målet")],
            [[row.label, row.total.figure, row.total.gap(t)] for row in self.matrix.rows],
            numeric=(1,),
            foot=[_("Totalt"), self.total.figure, self.total.gap(t)],
        )
        return Section(
            "adm",
            _("3. Per förvaltning, mot målet"),
            tables=[table],
            chart="bars",
            basis=_(
                "Underlag: status per %(day)s; alla kurser som krävs; definition i avsnitt 8.",
                day=format_day(self.on),
            ),
        )

    def _levels(self) -> Section:
        t, m = self.target, self.matrix
        levels = Table(
            _("Täckning per personalnivå mot målet"),
            [_("Nivå"), _("Täckning"), _("Mot målet")],
            [
                [labels.name(labels.LEVEL_GROUP, lvl), m.columns[lvl].figure, m.columns[lvl].gap(t)]
                for lvl in m.levels
            ],
            numeric=(1,),
        )
        numeric = tuple(range(1, len(m.levels) + 2))
        both = Table(
            _("Täckning per förvaltning och nivå, alla kurser som krävs"),
            [
                _("Förvaltning"),
                *[labels.name(labels.LEVEL_GROUP, lvl) for lvl in m.levels],
                _("Alla nivåer"),
            ],
            [
                [row.label, *[row.cells[lvl].figure for lvl in m.levels], row.total.figure]
                for row in m.rows
            ],
            numeric=numeric,
            foot=[_("Totalt"), *[m.columns[lvl].figure for lvl in m.levels], m.total.figure],
            empty=_("Inga krav gäller här."),
            title=_("Förvaltning och nivå"),
        )
        return Section(
            "level",
            _("4. Per nivå, mot målet"),
            tables=[levels, both],
            basis=_(
                "Underlag: status per %(day)s; definition i avsnitt 8.", day=format_day(self.on)
            ),
        )

    def _prevention(self) -> Section:
        prevention = Table(
            _("Täckning per förebyggande nivå (en kurs kan höra till flera)"),
            [_("Förebyggande nivå"), _("Täckning")],
            [[labels.name(labels.PREVENTION, level), c.figure] for level, c in self.per_prevention],
            numeric=(1,),
        )
        courses = Table(
            _("Täckning per kurs som krävs"),
            [_("Kurs"), _("Täckning"), _("Försenade")],
            [
                [course.title, c.figure, c.count(c.counts.overdue, masked_text="–")]
                for course, c in self.per_course
            ],
            numeric=(1, 2),
        )
        return Section(
            "prev",
            _("5. Per förebyggande nivå och per kurs"),
            tables=[prevention, courses],
            basis=_(
                "Underlag: status per %(day)s; definition i avsnitt 8.", day=format_day(self.on)
            ),
        )

    def _trend(self) -> Section:
        table = Table(
            _("Täckning per mätdag (den sista mätningen varje månad)"),
            [_("Dag"), _("Täckning")],
            [
                [format_day(p.day) + ("*" if p.rebuilt else ""), format_share(p.counts.coverage)]
                for p in self.monthly
            ],
            numeric=(1,),
            empty=_("Inga mätningar ännu."),
        )
        return Section(
            "trend",
            _("6. Utveckling sedan start"),
            tables=[table],
            chart="line",
            basis=_(
                "Underlag: daglig ögonblicksbild med samma definition. * = uppbyggd i efterhand "
                "ur genomförandedatumen med dagens organisation och personal."
            ),
        )

    def _attendees(self, n: int) -> tuple[str, int]:
        """A count of attendances or attendees, and the number its noun agrees with; 1–4
        is masked for a viewer whose small groups are ("färre än 5 deltaganden")."""
        if self.masks_small and 0 < n < SMALL_GROUP:
            return _("färre än 5"), SMALL_GROUP
        return format_count(n), n

    def _sessions(self) -> Section:
        s = self.sessions
        if s.sessions:
            attendances, attendances_n = self._attendees(s.attendances)
            people, people_n = self._attendees(s.people)
            text = " ".join(
                (
                    ngettext(
                        "%(n)s tillfälle har hållits mellan %(a)s och %(b)s.",
                        "%(n)s tillfällen har hållits mellan %(a)s och %(b)s.",
                        s.sessions,
                        n=format_count(s.sessions),
                        a=format_day(s.first),
                        b=format_day(s.last),
                    ),
                    ngettext(
                        "Sammanlagt %(att)s deltagande",
                        "Sammanlagt %(att)s deltaganden",
                        attendances_n,
                        att=attendances,
                    ),
                    ngettext(
                        "(%(people)s person).",
                        "(%(people)s personer).",
                        people_n,
                        people=people,
                    ),
                )
            )
        else:
            text = _("Inga lärarledda tillfällen är registrerade ännu.")
        tables = []
        # Per course only where small groups are shown: a course's few attendances, or
        # their difference from the total, are not published to a masked viewer.
        if s.lines and not self.masks_small:
            tables.append(
                Table(
                    _("Lärarledda tillfällen till och med %(day)s", day=format_day(self.on)),
                    [_("Kurs eller tillfälle"), _("Tillfällen"), _("Deltaganden")],
                    [
                        [line.title, format_count(line.sessions), format_count(line.attendances)]
                        for line in s.lines
                    ],
                    numeric=(1, 2),
                )
            )
        return Section(
            "sessions",
            _("7. Lärarledda utbildningstillfällen"),
            paragraphs=[Paragraph(text)],
            tables=tables,
        )

    def _about(self) -> Section:
        paragraphs = [
            Paragraph(
                _(
                    "Alla siffror gäller %(day)s och är hämtade ur Värna, kommunens "
                    "utbildningsregister.",
                    day=format_day(self.on),
                )
                + " "
                + str(self.definition)
            ),
            Paragraph(
                _(
                    "Nivåer: ledning, chefer, medarbetare och förtroendevalda, enligt HR-systemet. "
                    "Förebyggande nivåer: främjande (universell, till alla), förebyggande "
                    "(selektiv, till grupper med förhöjd risk eller särskilt ansvar) och riktad "
                    "(indikerad, när våld redan förekommer)."
                )
            ),
        ]
        if self.masks_small:
            paragraphs.append(
                Paragraph(
                    _(
                        "Grupper med färre än 5 personer visas som ”färre än 5” så att ingen "
                        "enskild person kan pekas ut."
                    )
                    + " "
                    + _(
                        "De siffror som annars skulle avslöja en sådan grupp genom subtraktion "
                        "står som ”visas inte”, och tidigare dagar visas bara per den sista "
                        "dagen i en månad."
                    )
                )
            )
        return Section("def", _("8. Om siffrorna"), paragraphs=paragraphs)


def status_report(
    session: Session,
    *,
    on: date,
    within: list[str] | None = None,
    rest_label: str = "",
    disclosure: Disclosure = Disclosure.COUNTS,
    effect: bool = False,
) -> StatusReport:
    """`effect`: with the section "Vad har utbildningen gett?" (for viewers who may see the
    evaluation figures, access.can_view_evaluation; always masked, whole municipality)."""
    from app.reports import evaluation

    tops = org.administrations(session, within)
    data = cube(session, on=on, tops=tops, scope=Scope(unit_paths=within))
    whole = matrix(session, data, title="", rest_label=rest_label, disclosure=disclosure)
    figures = course_figures(session, data, disclosure=disclosure)
    points = trend(session, within=within)
    if disclosure is Disclosure.MASKED:
        points = protection.monthly_trend(
            points, courses=course_count(session), today=dates.today()
        )
    return StatusReport(
        on=on,
        total=whole.total,
        matrix=whole,
        per_course=figures.per_course,
        per_prevention=[(level, c) for level, _ids, c in figures.per_prevention],
        target=get_target(session),
        trend=points,
        catalogue=course_catalogue(session, on=on),
        sessions=sessions_summary(session, on=on, within=within),
        effect=evaluation.status_section(evaluation.evaluation(session)) if effect else None,
    )


@dataclass(frozen=True)
class CourseFigures:
    """One figure per course and per prevention level, for everything the cube covers."""

    per_course: list[tuple[Course, Cell]]
    per_prevention: list[tuple[str, list[Course], Cell]]


def course_figures(
    session: Session, data: Cube, *, disclosure: Disclosure = Disclosure.COUNTS
) -> CourseFigures:
    """Per course and per prevention level; for a masked viewer, protected with the matrix."""
    courses = courses_by_id(session, data.course_ids)
    per_course = []
    for cid, course in courses.items():
        counts = _sum([data.by_level.get((cid, lvl), Counts()) for lvl in LEVELS])
        per_course.append((course, Cell(counts, counts.total, disclosure)))
    per_prevention = []
    for level in PREVENTION_LEVELS:
        ids = [c for c in data.course_ids if level in (courses[c].prevention_levels or [])]
        counts = _sum([data.by_level.get((c, lvl), Counts()) for c in ids for lvl in LEVELS])
        people = sum(data.people(session, ids)[1].values()) if ids else 0
        per_prevention.append((level, [courses[c] for c in ids], Cell(counts, people, disclosure)))
    if disclosure is Disclosure.MASKED:
        whole = matrix(session, data, title="")  # unmasked: protect_matrix decides again
        course_cells, set_cells = protection.protect_courses(
            protection.protect_matrix(data, whole),
            [(course.id, c) for course, c in per_course],
            [([c.id for c in cs], cell) for _level, cs, cell in per_prevention],
        )
        per_course = [(course, c) for (course, _), c in zip(per_course, course_cells, strict=True)]
        per_prevention = [
            (level, cs, c) for (level, cs, _), c in zip(per_prevention, set_cells, strict=True)
        ]
    return CourseFigures(per_course, per_prevention)


def course_count(session: Session) -> int:
    """How many courses there are: at most this many requirement pairs per person."""
    return int(session.scalar(sa.select(sa.func.count()).select_from(Course)) or 0)


def default_trend_start(on: date) -> date:
    return on - timedelta(days=365)


def record_nothing_completed_view(
    session: Session, *, viewer: Employee, shown: Sequence[Employee], on: date, page: int
) -> None:
    """The list of people with nothing completed names them: who was shown is an audit event."""
    details = {"shown": [e.id for e in shown], "on": on.isoformat(), "page": page}
    audit(session, viewer, "report.nothing_completed_view", details=details)
