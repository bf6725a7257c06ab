"""The organisation tree (app/org.py): paths, look-ups, the manager predicate and roll_up.

roll_up is held to the plain reading that tests/reports/reference.py uses for audiences:
a unit's subtree is every unit whose path starts with its path.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import dates, org
from app.extensions import db
from app.models import OrgUnit, UnitManager
from app.reports import coverage
from app.reports import services as reports

# A tree as a list of parent positions (a unit's parent comes before it), over ids with gaps
# so that "/1/" and "/12/" both occur.
trees = st.lists(st.integers(min_value=0, max_value=40), max_size=20).flatmap(
    lambda parents: st.tuples(
        st.just(parents),
        st.lists(
            st.integers(min_value=1, max_value=130),
            min_size=len(parents) + 1,
            max_size=len(parents) + 1,
            unique=True,
        ),
    )
)
hypothesis_settings = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _parents(tree: tuple[list[int], list[int]]) -> dict[int, int | None]:
    """{unit id: parent id}; the first id is the root."""
    positions, ids = tree
    parents: dict[int, int | None] = {ids[0]: None}
    for i, p in enumerate(positions, start=1):
        parents[ids[i]] = ids[p % i]
    return parents


# --- paths ----------------------------------------------------------------------------------


def test_paths_are_parsed_into_ids_from_the_root_down():
    assert org.ancestor_ids("/1/4/17/") == [1, 4, 17]
    assert org.ancestor_ids("/12/") == [12]
    assert org.ancestor_ids("/") == []
    assert org.ancestor_ids("") == []
    assert org.child_path(None, 7) == "/7/"
    assert org.child_path("/1/4/", 17) == "/1/4/17/"


@hypothesis_settings
@given(tree=trees)
def test_build_paths_gives_each_unit_its_parents_path_and_its_id(tree):
    parents = _parents(tree)
    paths = org.build_paths(parents)
    assert paths.keys() == parents.keys()
    for unit_id, (path, depth) in paths.items():
        ids = org.ancestor_ids(path)
        assert ids[-1] == unit_id
        assert depth == len(ids) - 1
        parent = parents[unit_id]
        assert path == (org.child_path(paths[parent][0], unit_id) if parent else f"/{unit_id}/")


def test_build_paths_refuses_a_loop_and_an_unknown_parent():
    with pytest.raises(ValueError, match="loop"):
        org.build_paths({1: None, 2: 3, 3: 2})
    with pytest.raises(ValueError, match="not a unit"):
        org.build_paths({1: None, 2: 99})


def test_place_sets_parent_path_and_depth(app_ctx):
    root = OrgUnit(code="R", name="Rot")
    db.session.add(root)
    with pytest.raises(ValueError, match="flush"):
        org.place(root, None)
    db.session.flush()
    org.place(root, None)
    child = OrgUnit(code="C", name="Barn")
    db.session.add(child)
    db.session.flush()
    org.place(child, root)
    assert (root.parent_id, root.path, root.depth) == (None, f"/{root.id}/", 0)
    assert (child.parent_id, child.path, child.depth) == (root.id, f"/{root.id}/{child.id}/", 1)
    # The same paths as the import's set-based build.
    built = org.build_paths({root.id: None, child.id: root.id})
    assert built == {root.id: (root.path, 0), child.id: (child.path, 1)}


# --- roll_up against the reference ----------------------------------------------------------


def _reference(rows, into, paths):
    """Sum per (u, key) of the rows whose unit path starts with u's path."""
    totals: dict = {}
    for u in into:
        for path, key, value in rows:
            if path.startswith(paths[u]):
                totals[(u, key)] = totals.get((u, key), 0) + value
    return totals


@hypothesis_settings
@given(
    tree=trees,
    picks=st.lists(
        st.tuples(st.integers(0, 40), st.sampled_from(["a", "b", None]), st.integers(1, 9)),
        max_size=30,
    ),
    into_picks=st.sets(st.integers(0, 40), max_size=6),
)
def test_roll_up_matches_the_reference(tree, picks, into_picks):
    parents = _parents(tree)
    ids = list(parents)
    paths = {u: p for u, (p, _) in org.build_paths(parents).items()}
    rows = [(paths[ids[i % len(ids)]], key, n) for i, key, n in picks]
    into = {ids[i % len(ids)] for i in into_picks}
    assert org.roll_up(rows, into=into) == _reference(rows, into, paths)


def test_roll_up_adds_counts_into_nested_targets():
    a = coverage.Counts(completed=1, overdue=2)
    b = coverage.Counts(pending=3)
    rows = [("/1/2/3/", "x", a), ("/1/2/", "x", b), ("/1/4/", "y", a), ("/9/", "x", b)]
    assert org.roll_up(rows, into=[1, 2, 3, 5]) == {
        (1, "x"): a + b,
        (1, "y"): a,
        (2, "x"): a + b,
        (3, "x"): a,
    }
    assert org.roll_up([], into=[1]) == {}


def test_the_cube_rolls_up_as_the_sql_top_grouping_does(town, app_ctx):
    """Python (reports.cube) and SQL (status_counts by top) add the same units up."""
    tops = [town["soc"], town["bof"], town["utb"]]  # bof lies inside soc: it counts in both
    on = dates.today()
    data = reports.cube(db.session, on=on, tops=tops)
    rows = coverage.status_counts(db.session, on=on, group_by=("top", "course", "level"), tops=tops)
    expected = {}
    for r in rows:
        top, course, level = r.key
        expected[(top, (course, level))] = r.counts
    assert data.by_top == expected
    assert {top for top, _ in data.by_top} == {t.id for t in tops}


# --- look-ups -------------------------------------------------------------------------------


def test_unit_by_code_ignores_surrounding_space_and_keeps_case(make):
    upper = make.unit("Versaler", code="SOC")
    lower = make.unit("Gemener", code="soc")
    assert org.unit_by_code(db.session, "SOC") == upper
    assert org.unit_by_code(db.session, "  SOC\t") == upper
    assert org.unit_by_code(db.session, "soc ") == lower
    assert org.unit_by_code(db.session, "Soc") is None
    assert org.unit_by_code(db.session, "S OC") is None
    assert org.unit_by_code(db.session, "   ") is None
    assert org.unit_by_code(db.session, "SOC\x00") is None  # no NUL reaches PostgreSQL


def test_children_ancestors_and_administrations(town, make, app_ctx):
    root, soc, bof, vux, utb = (town[k] for k in ("root", "soc", "bof", "vux", "utb"))
    closed = make.unit("Avvecklad", parent=soc)
    closed.active = False
    db.session.commit()
    assert org.children(db.session, soc) == [bof, vux]
    assert org.children(db.session, bof) == []
    assert org.ancestors(db.session, bof) == [root, soc]
    assert org.ancestors(db.session, root) == []
    assert org.administrations(db.session) == [soc, utb]
    assert org.administrations(db.session, [bof.path, utb.path]) == [bof, utb]


def test_in_subtrees_selects_whole_subtrees_only(town, app_ctx):
    def codes(paths):
        stmt = sa.select(OrgUnit.code).where(org.in_subtrees(OrgUnit.path, paths))
        return set(db.session.scalars(stmt))

    assert codes([town["soc"].path]) == {"SOC", "SOC-1", "SOC-2"}
    assert codes([town["bof"].path, town["fsk"].path]) == {"SOC-1", "UTB-1"}
    assert codes([]) == set()


def test_manager_on_a_day_and_from_a_day_on(town, app_ctx):
    day = date(2026, 3, 10)
    vux, person = town["vux"], town["vera"]
    periods = {
        "always": (None, None),
        "now": (day - timedelta(days=1), day),
        "starts on the day": (day, None),
        "ended": (None, day - timedelta(days=1)),
        "later": (day + timedelta(days=1), day + timedelta(days=5)),
    }
    db.session.execute(sa.delete(UnitManager))
    for role, (starts, ends) in periods.items():
        db.session.add(
            UnitManager(
                unit_id=vux.id, employee_id=person.id, role=role, starts_on=starts, ends_on=ends
            )
        )
    db.session.flush()

    def roles(condition):
        return set(db.session.scalars(sa.select(UnitManager.role).where(condition)))

    assert roles(org.manager_on(day)) == {"always", "now", "starts on the day"}
    assert roles(org.manager_on(day, or_later=True)) == {
        "always",
        "now",
        "starts on the day",
        "later",
    }
