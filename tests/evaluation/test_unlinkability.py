"""Unlinkability: given everything stored, an evaluation cannot be joined to its person.

Five people of one administration and level complete the same course in the same
month and evaluate it through the pages, each with answers only they gave (so the test
knows who wrote what). Then everything is dumped: every row of every table with every
column (on PostgreSQL also the system columns xmin and ctid, on SQLite the rowid), the
audit log, and every log record written meanwhile. The test plays the attacker:
every join and every ordering it can make must leave each evaluation's candidates the
whole group, or match no better than chance.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import sqlalchemy as sa

from app import dates
from app.evaluation import services
from app.extensions import db
from app.models import (
    AnonymousPending,
    AuditEvent,
    Completion,
    CourseEvaluation,
    EvaluationReceipt,
)
from tests.evaluation.conftest import pass_course

GROUP = 5


def _is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def _dump() -> dict[str, list[dict]]:
    """Every row of every table, all columns, with the physical/system columns."""
    out: dict[str, list[dict]] = {}
    # Table names come from the models' metadata, not from input.
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if _is_postgres():
                sql = f'SELECT xmin::text AS _xmin, ctid::text AS _ctid, * FROM "{table.name}"'  # noqa: S608
            else:
                has_rowid = True
                try:
                    conn.execute(sa.text(f'SELECT rowid FROM "{table.name}" LIMIT 1'))  # noqa: S608
                except sa.exc.OperationalError:
                    has_rowid = False
                sql = (
                    f'SELECT rowid AS _rowid, * FROM "{table.name}"'  # noqa: S608
                    if has_rowid
                    else f'SELECT * FROM "{table.name}"'  # noqa: S608
                )
            out[table.name] = [dict(r._mapping) for r in conn.execute(sa.text(sql))]
    return out


def _physical_key(row: dict):
    if "_ctid" in row:
        block, offset = row["_ctid"].strip("()").split(",")
        return (int(block), int(offset))
    return row["_rowid"]


def test_an_evaluation_cannot_be_joined_to_its_person(make, course, client, auth, caplog):
    from tests.learning.conftest import Learner

    caplog.set_level(logging.DEBUG)
    top = make.unit("Socialförvaltningen", parent=make.unit("Kommunen"))
    team = make.unit("Hemtjänst Norr", parent=top)
    people = [make.employee(unit=team, level="medarbetare") for _ in range(GROUP)]
    # Someone of another level in the same course and month: a different group.
    outsider = make.employee(unit=team, level="chef")
    learner = Learner(client)
    secret_of: dict[int, str] = {}
    for n, person in enumerate([*people, outsider]):
        auth.login(person.email)
        pass_course(learner)
        completion = db.session.scalars(
            sa.select(Completion).where(Completion.employee_id == person.id)
        ).one()
        secret = f"hemligt-svar-{n}-{person.id * 7919}"
        secret_of[person.id] = secret
        response = learner.post(
            f"/utvardering/{completion.id}",
            {
                "relevance": str(n % 5 + 1),
                "clarity": "4",
                "confidence": "3",
                "recommend": "ja",
                "free_text": secret,
            },
        )
        assert response.status_code == 303
        auth.logout()
    # The sixth answer sits alone in its batch: release it as the month's end would.
    db.session.remove()
    services.release_now(db.session, batch=GROUP, everything_before="9999-12")

    dump = _dump()
    evaluations = dump["course_evaluations"]
    assert len(evaluations) == GROUP + 1
    assert dump["anonymous_pending"] == []  # nothing held any more
    by_secret = {e["free_text"]: e for e in evaluations}
    assert set(by_secret) == set(secret_of.values())

    # 1. The evaluation row names no one: no column pointing to a person or completion,
    #    a random UUID key, the month only.
    columns = set(CourseEvaluation.__table__.columns.keys())
    assert columns == {
        "id",
        "course_id",
        "administration_id",
        "level",
        "variant",
        "month",
        "relevance",
        "clarity",
        "confidence",
        "recommend",
        "free_text",
    }
    targets = {fk.column.table.name for fk in CourseEvaluation.__table__.foreign_keys}
    assert targets == {"courses", "org_units"}
    for e in evaluations:
        assert len(e["id"]) == 36
        assert e["id"].count("-") == 4
        assert len(e["month"]) == 7

    # 2. Nothing else stored holds an evaluation's id or its free text: no join key.
    for table, rows in dump.items():
        if table == "course_evaluations":
            continue
        text = repr(rows)
        for e in evaluations:
            assert e["id"] not in text, f"{table} holds an evaluation id"
            assert e["free_text"] not in text, f"{table} holds an evaluation's free text"
    receipt_columns = set(EvaluationReceipt.__table__.columns.keys())
    assert receipt_columns == {"completion_id"}

    # 3. The audit log has no event about evaluating; the log records name no answer.
    actions = {row["action"] for row in dump[AuditEvent.__tablename__]}
    assert not [a for a in actions if "evalu" in a or "utvard" in a]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for e in evaluations:
        assert e["id"] not in logged
        assert e["free_text"] not in logged

    # 4. Every join the stored attributes allow leaves the whole group as candidates.
    completions = {c["id"]: c for c in dump["completions"]}
    employees = {e["id"]: e for e in dump["employees"]}
    units = {u["id"]: u for u in dump["org_units"]}
    evaluated = [completions[r["completion_id"]] for r in dump["evaluation_receipts"]]
    assert len(evaluated) == GROUP + 1

    def candidates(e: dict) -> set[int]:
        found = set()
        for c in evaluated:
            person = employees[c["employee_id"]]
            admin = int(units[person["unit_id"]]["path"].strip("/").split("/")[1])
            completed = c["completed_at"]
            if isinstance(completed, str):
                completed = datetime.fromisoformat(completed)
            if completed.tzinfo is None:
                completed = completed.replace(tzinfo=UTC)
            if (
                c["course_id"] == e["course_id"]
                and admin == e["administration_id"]
                and person["level"] == e["level"]
                and services.month_of(dates.local_day(completed)) == e["month"]
            ):
                found.add(person["id"])
        return found

    group_ids = {p.id for p in people}
    for person in people:
        assert candidates(by_secret[secret_of[person.id]]) == group_ids
    # (The outsider's group has one member: the row alone names them. That is why every
    # report hides groups under five; docs/security.md lists it as a limit.)
    assert candidates(by_secret[secret_of[outsider.id]]) == {outsider.id}

    # 5. Orderings: the group's evaluations were written in one transaction (one xmin on
    #    PostgreSQL, none of them a receipt's), so time order tells nothing; their
    #    physical order is tested against chance below (a single batch of five is too
    #    few to tell a shuffle from luck).
    group_rows = [by_secret[secret_of[p.id]] for p in people]
    if _is_postgres():
        xmins = {e["_xmin"] for e in group_rows}
        assert len(xmins) == 1
        receipt_xmins = {r["_xmin"] for r in dump["evaluation_receipts"]}
        assert not xmins & receipt_xmins
        # The receipts' xmins each name one person's transaction: that says who has
        # evaluated (the receipt's purpose), not which row is theirs.


def test_physical_order_matches_no_better_than_chance(make, course):
    """Ten batches of five: an attacker pairing the k-th evaluation on disk with the k-th
    receipt finds on average one right pair per batch by luck; written in submission
    order they would all be right (50). Fewer than 25 right is more than 4 standard
    deviations above chance and far from 50."""
    batches = 10
    unit = make.unit(parent=make.unit())
    order: list[int] = []  # person ids in the order they submitted
    secret_of: dict[str, int] = {}
    for b in range(batches):
        for k in range(GROUP):
            person = make.employee(unit=unit)
            completion = make.completion(person, course, on=date(2026, 10, 1 + b))
            services.submit_evaluation(
                db.session,
                completion=completion,
                answers=services.parse_evaluation({"free_text": f"b{b}-k{k}"}),
                variant="",
            )
            db.session.commit()
            services.release_now(db.session, batch=GROUP)
            order.append(person.id)
            secret_of[f"b{b}-k{k}"] = person.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnonymousPending)) == 0
    dump = _dump()
    rows = sorted(dump["course_evaluations"], key=_physical_key)
    assert len(rows) == batches * GROUP
    right = sum(1 for i, e in enumerate(rows) if secret_of[e["free_text"]] == order[i])
    assert right < 25, f"{right} of {len(rows)} evaluations matched by physical order"
    # ... and by the key: a random UUID sorts independently of time.
    by_key = sorted(dump["course_evaluations"], key=lambda e: e["id"])
    right_by_key = sum(1 for i, e in enumerate(by_key) if secret_of[e["free_text"]] == order[i])
    assert right_by_key < 10
