"""My unit: the tree with coverage, the person × course table, filters, access, queries."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event

from app import dates
from app.extensions import db
from app.models import AuditEvent


def test_manager_sees_exactly_their_subtree(client, auth, town):
    auth.login("chef@k.se")
    page = client.get(f"/enheter/{town['bof'].id}").get_data(as_text=True)
    assert "Anna" in page
    assert "Bo" in page
    assert "Vera" not in page
    assert "Olle" not in page
    assert client.get(f"/enheter/{town['vux'].id}").status_code == 403
    assert client.get(f"/enheter/{town['soc'].id}").status_code == 403
    assert client.get(f"/enheter/personer/{town['vera'].id}").status_code == 403
    assert client.get(f"/enheter/personer/{town['anna'].id}").status_code == 200


def test_head_of_administration_sees_the_whole_administration(client, auth, town):
    auth.login("head@k.se")
    page = client.get(f"/enheter/{town['soc'].id}").get_data(as_text=True)
    for name in ("Anna", "Bo", "Vera", "Cesar"):
        assert name in page
    assert "Olle" not in page
    assert "Barn och familj" in page
    assert "Vuxen" in page
    assert client.get(f"/enheter/{town['utb'].id}").status_code == 403


def test_statuses_and_dates_in_the_table(client, auth, town):
    auth.login("chef@k.se")
    page = client.get(f"/enheter/{town['bof'].id}").get_data(as_text=True)
    assert "Genomförd" in page  # Anna
    assert "Försenad" in page
    assert "sista dag 2024-01-31" in page


def test_filters_overdue_course_level_and_this_unit_only(client, auth, town):
    auth.login("head@k.se")
    soc = town["soc"].id
    overdue = client.get(f"/enheter/{soc}?status=overdue").get_data(as_text=True)
    assert "Bo Al" in overdue
    assert "Vera Vik" in overdue
    assert "Anna Ek" not in overdue
    chefs = client.get(f"/enheter/{soc}?niva=chef").get_data(as_text=True)
    assert "Cesar" in chefs
    assert "Bo Al" not in chefs
    own = client.get(f"/enheter/{soc}?hela=0").get_data(as_text=True)
    assert "Hedda" in own
    assert "Bo Al" not in own
    by_course = client.get(f"/enheter/{soc}?kurs={town['course'].id}&status=completed")
    text = by_course.get_data(as_text=True)
    assert "Anna Ek" in text
    assert "Bo Al" not in text


def test_coverage_per_unit_in_the_tree(app_ctx, town):

    from app.units import services

    f = services.Filters()
    overview = services.unit_overview(db.session, town["soc"], on=dates.today(), filters=f)
    by_unit = {n.unit.code: n.counts for n in overview.root.children}
    # Barn och familj: Anna done, Bo and Cesar overdue. Vuxen: Vera overdue.
    assert (by_unit["SOC-1"].covered, by_unit["SOC-1"].total) == (1, 3)
    assert (by_unit["SOC-2"].covered, by_unit["SOC-2"].total) == (0, 1)
    assert overview.counts.total == 5  # and Hedda herself


def test_person_history_shows_no_quiz_answers_and_is_logged(client, auth, town):
    auth.login("chef@k.se")
    page = client.get(f"/enheter/personer/{town['anna'].id}").get_data(as_text=True)
    assert "Webbkurs" in page
    assert "Godkänd" in page
    assert "answers" not in page
    with client.application.app_context():
        assert db.session.scalar(
            sa.select(sa.func.count()).where(AuditEvent.action == "person.view")
        )


def test_staff_cannot_open_my_unit(client, auth, town):
    auth.login("anna@k.se")
    assert client.get(f"/enheter/{town['bof'].id}").status_code == 403
    assert client.get("/enheter/").status_code == 403


def _count_queries(client, url: str) -> int:
    engine = db.engine
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    with client.application.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        response = client.get(url)
        assert response.status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return len(statements)


def test_query_count_does_not_grow_with_people(client, auth, make, town):
    auth.login("head@k.se")
    url = f"/enheter/{town['soc'].id}"
    few = _count_queries(client, url)
    extra = make.course("chefens-ansvar", title="Chefens ansvar")
    make.requirement(extra, levels=("medarbetare",))
    for i in range(60):
        e = make.employee(unit=town["vux"] if i % 2 else town["bof"], first_name=f"P{i}")
        if i % 3 == 0:
            make.completion(e, town["course"])
    many = _count_queries(client, url)
    filtered = _count_queries(client, url + "?status=overdue")
    assert many == few
    assert filtered == few


def test_odd_filter_values_are_ignored_not_errors(client, auth, town):
    auth.login("head@k.se")
    for query in ("kurs=%C2%B2", "kurs=%201", "status=x", "niva=x", "page=-1", "hela=%20"):
        assert client.get(f"/enheter/{town['soc'].id}?{query}").status_code == 200
    # A control character is refused before the page, with the field named (app/security.py).
    refused = client.get(f"/enheter/{town['soc'].id}?niva=%00")
    assert refused.status_code == 400
    assert "Fältet ”niva”" in refused.get_data(as_text=True)
