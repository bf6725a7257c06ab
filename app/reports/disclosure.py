"""Disclosure control for viewers who see small groups masked (the reporter role).

A masked viewer sees, for one day, the figures of the administration × level matrix (all
required courses) and one figure per course and per prevention level for the whole
municipality. Every such figure is a sum over *atoms*: the requirement pairs of one matrix
row (an administration, or the people placed above them) at one staff level for one
course. A group of 1–4 people is suppressed (primary suppression); then, while any
suppressed figure is still a linear combination of the published ones (exact test below),
one more figure is suppressed (complementary suppression). The matrix is decided first and
alone, so the index page, the status report and its PDF suppress the same cells; the
course and prevention figures are decided next, on top of it.

Days: a masked viewer sees today and the last day of each earlier month only
(`published_day`); the trend shows only those days' snapshots, and only points whose
population is certainly 5 people or more. docs/security.md ("Disclosure control for
reporters") explains the method and its limits.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from app.auth.access import SMALL_GROUP
from app.reports.coverage import Counts

if TYPE_CHECKING:
    from app.reports.services import Cell, Cube, Matrix, TrendPoint


# --- which days a masked viewer may see -------------------------------------------------------


def month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def published_day(asked: date, today: date) -> date:
    """Today, or the last day of a month before the one asked for (or that month's, if asked).

    Figures of two days close together differ by the people who completed in between:
    with one figure per month, no completion date can be narrowed below a month.
    """
    if asked >= today:
        return today
    if asked == month_end(asked):
        return asked
    return asked.replace(day=1) - timedelta(days=1)


def monthly_trend(points: Sequence[TrendPoint], *, courses: int, today: date) -> list[TrendPoint]:
    """The points on a month's last day (or today) that certainly cover 5 people or more.

    A snapshot holds requirement pairs, not people; one person has at most `courses` pairs,
    so a point with fewer than SMALL_GROUP × courses pairs might be a small group.
    """
    floor = SMALL_GROUP * max(courses, 1)
    return [
        p
        for p in points
        if (p.day == today or p.day == month_end(p.day)) and p.counts.total >= floor
    ]


# --- exact linear algebra: is a figure determined by the published ones? ----------------------

_P = (1 << 61) - 1  # a prime: arithmetic modulo it is exact and fast (see `Span`)

Support = frozenset  # the atoms a figure sums


class Span:
    """The linear span of published figures (0/1 vectors over atoms), in echelon form.

    Arithmetic is modulo a large prime. A vector in the rational span is in this span too
    (its coefficients' denominators divide minors of a 0/1 matrix, never this prime in
    practice), so the test errs only towards "determined", i.e. suppressing more. The
    property test checks the published pages with exact fractions, independently.
    """

    def __init__(self, index: dict[Hashable, int] | None = None) -> None:
        self.index: dict[Hashable, int] = {} if index is None else dict(index)
        self.rows: dict[int, dict[int, int]] = {}

    def copy(self) -> Span:
        span = Span(self.index)
        span.rows = dict(self.rows)  # rows are never changed in place
        return span

    def _vector(self, support: Iterable[Hashable]) -> dict[int, int]:
        return {self.index.setdefault(a, len(self.index)): 1 for a in support}

    def _reduce(self, v: dict[int, int]) -> dict[int, int]:
        while True:
            pivots = [k for k in v if k in self.rows]
            if not pivots:
                return v
            k = min(pivots)  # a row's other keys are above its pivot: this terminates
            c = v[k]
            for j, d in self.rows[k].items():
                x = (v.get(j, 0) - c * d) % _P
                if x:
                    v[j] = x
                else:
                    v.pop(j, None)

    def add(self, support: Iterable[Hashable]) -> None:
        v = self._reduce(self._vector(support))
        if v:
            k = min(v)
            inv = pow(v[k], _P - 2, _P)
            self.rows[k] = {j: c * inv % _P for j, c in v.items()}

    def determines(self, support: Iterable[Hashable]) -> bool:
        return not self._reduce(self._vector(support))


# --- suppression ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    people: int
    support: Support


TRIED = 10  # complements tried one by one per step, smallest first (each try is a rank test)


def suppress(
    groups: dict[Hashable, Group],
    *,
    base: Span | None = None,
    rank: Callable[[Hashable, Hashable], tuple] = lambda exposed, key: (),
    last: Hashable | None = None,
) -> set[Hashable]:
    """The keys to suppress: groups of 1–4 people, and enough others that none is determined.

    Primary suppression hides every group of 1–4 people. Then, while a hidden group is
    determined by the shown ones (and `base`, figures published elsewhere), one more group
    is hidden: the first, in the order of `rank(exposed, key)` and then size, that protects
    the exposed group on its own; failing that, simply the first. `last` (the grand total) is
    hidden only if nothing else is left. Groups with the same support are one decision.
    Each step hides one more group and the check is exact, so the loop ends, and ends safe.
    """
    classes: dict[Support, list[Hashable]] = {}
    for key, g in groups.items():
        if g.support:
            classes.setdefault(g.support, []).append(key)
    people = {s: groups[keys[0]].people for s, keys in classes.items()}
    order = list(classes)  # the caller's order: deterministic
    hidden = {s for s in order if 0 < people[s] < SMALL_GROUP}
    last_support = groups[last].support if last is not None and last in groups else None

    def span_of(shown: Iterable[Support], start: Span | None = base) -> Span:
        span = start.copy() if start is not None else Span()
        for s in shown:
            span.add(s)
        return span

    while True:
        shown = [s for s in order if s not in hidden]
        span = span_of(shown)
        exposed = next((s for s in order if s in hidden and span.determines(s)), None)
        if exposed is None:
            break
        first = classes[exposed][0]
        candidates = sorted(
            (s for s in shown if s != last_support),
            key=lambda s: (min(rank(first, k) for k in classes[s]), people[s]),
        )
        if not candidates:
            hidden.add(last_support)  # type: ignore[arg-type]
            continue
        tried = candidates[:TRIED]
        rest = span_of([s for s in shown if s not in tried])
        helps = (
            s for s in tried if not span_of([t for t in tried if t != s], rest).determines(exposed)
        )
        hidden.add(next(helps, candidates[0]))
    return {key for s in hidden for key in classes[s]} | {
        k for k, g in groups.items() if not g.support and 0 < g.people < SMALL_GROUP
    }


# --- the matrix and the course figures --------------------------------------------------------


def _atoms(data: Cube, m: Matrix) -> dict[tuple[int, str], frozenset]:
    """(row, level) → its atoms (row, level, course) that hold requirement pairs."""
    zero = Counts()

    def pairs(row_unit, course: int, lvl: str) -> int:
        if row_unit is not None:
            return data.by_top.get((row_unit.id, (course, lvl)), zero).total
        # the people placed above every row: the column less the rows
        above = sum(data.by_top.get((t.id, (course, lvl)), zero).total for t in data.tops)
        return data.by_level.get((course, lvl), zero).total - above

    return {
        (i, lvl): frozenset(
            (i, lvl, c) for c in (m.course_ids or []) if pairs(row.unit, c, lvl) > 0
        )
        for i, row in enumerate(m.rows)
        for lvl in m.levels
    }


def _matrix_groups(m: Matrix, atoms: dict[tuple[int, str], frozenset]) -> dict[tuple, Group]:
    """Each figure of the matrix over (row, level) atoms (the ones with people)."""
    cells = {key for key, a in atoms.items() if a}

    def over(rows: Iterable[int], levels: Iterable[str]) -> frozenset:
        return frozenset((i, lvl) for i in rows for lvl in levels if (i, lvl) in cells)

    everyone = range(len(m.rows))
    groups: dict[tuple, Group] = {}
    for i, row in enumerate(m.rows):
        for lvl in m.levels:
            groups[("cell", i, lvl)] = Group(row.cells[lvl].people, over([i], [lvl]))
        groups[("row", i)] = Group(row.total.people, over([i], m.levels))
    for lvl in m.levels:
        groups[("col", lvl)] = Group(m.columns[lvl].people, over(everyone, [lvl]))
    groups[("all",)] = Group(m.total.people, over(everyone, m.levels))
    return groups


def _matrix_rank(exposed: tuple, key: tuple) -> tuple:
    """Complements: inner cells before totals, cells on the exposed one's row or column first."""

    def lines(k: tuple) -> set:
        kind = k[0]
        if kind == "cell":
            return {("r", k[1]), ("c", k[2])}
        if kind == "row":
            return {("r", k[1]), ("c", "*")}
        if kind == "col":
            return {("c", k[1]), ("r", "*")}
        return {("r", "*"), ("c", "*")}

    return (key[0] != "cell", not lines(exposed) & lines(key))


def _hide(cell: Cell) -> Cell:
    return replace(cell, suppressed=True)


@dataclass(frozen=True)
class Protected:
    matrix: Matrix
    published: Span  # the matrix's published figures, over (row, level, course) atoms
    atoms: dict[tuple[int, str], frozenset]


def protect_matrix(data: Cube, m: Matrix) -> Protected:
    """The matrix with its small groups and their complements suppressed."""
    atoms = _atoms(data, m)
    groups = _matrix_groups(m, atoms)
    hidden = suppress(groups, rank=_matrix_rank, last=("all",))
    rows = []
    for i, row in enumerate(m.rows):
        cells = {lvl: _hide(c) if ("cell", i, lvl) in hidden else c for lvl, c in row.cells.items()}
        total = _hide(row.total) if ("row", i) in hidden else row.total
        rows.append(replace(row, cells=cells, total=total))
    columns = {lvl: _hide(c) if ("col", lvl) in hidden else c for lvl, c in m.columns.items()}
    total = _hide(m.total) if ("all",) in hidden else m.total
    span = Span()  # the shown figures over (row, level, course) atoms, for the course figures
    for key, g in groups.items():
        if key not in hidden:
            span.add(frozenset().union(*(atoms[cell] for cell in g.support)))
    return Protected(replace(m, rows=rows, columns=columns, total=total), span, atoms)


def protect_courses(
    protected: Protected,
    per_course: list[tuple[int, Cell]],
    per_set: list[tuple[Sequence[int], Cell]],
) -> tuple[list[Cell], list[Cell]]:
    """Per-course and per-course-set figures (whole municipality), on top of the matrix."""
    everything = frozenset().union(*protected.atoms.values()) if protected.atoms else frozenset()

    def support(courses: Sequence[int]) -> frozenset:
        wanted = set(courses)
        return frozenset(a for a in everything if a[2] in wanted)

    groups: dict[tuple, Group] = {}
    for n, (cid, cell) in enumerate(per_course):
        groups[("course", n)] = Group(cell.people, support([cid]))
    for n, (ids, cell) in enumerate(per_set):
        groups[("set", n)] = Group(cell.people, support(ids))
    hidden = suppress(groups, base=protected.published)
    return (
        [_hide(c) if ("course", n) in hidden else c for n, (_, c) in enumerate(per_course)],
        [_hide(c) if ("set", n) in hidden else c for n, (_, c) in enumerate(per_set)],
    )
