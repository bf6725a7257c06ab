"""Grouped counts agree with the same cut asked for directly (the roll-up by top is exact)."""

from __future__ import annotations

from app import dates
from app.extensions import db
from app.reports import coverage
from app.reports.coverage import Scope


def test_top_roll_up_matches_each_subtree(town):
    today = dates.today()
    tops = [town["soc"], town["utb"], town["ifo"]]  # overlapping tops are fine too
    for group_by in [("top",), ("top", "level"), ("top", "course"), ("top", "unit", "level")]:
        rows = {
            r.key: r.counts
            for r in coverage.status_counts(db.session, on=today, group_by=group_by, tops=tops)
        }
        people = coverage.people_counts(db.session, on=today, group_by=group_by, tops=tops)
        for top in tops:
            scope = Scope(unit_paths=[top.path])
            direct = coverage.status_counts(
                db.session, on=today, group_by=group_by[1:], scope=scope
            )
            direct_people = coverage.people_counts(
                db.session, on=today, group_by=group_by[1:], scope=scope
            )
            for row in direct:
                assert rows[(top.id, *row.key)] == row.counts
            for key, n in direct_people.items():
                assert people[(top.id, *key)] == n
            assert sum(c.total for k, c in rows.items() if k[0] == top.id) == sum(
                r.counts.total for r in direct
            )
