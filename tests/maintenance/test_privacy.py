"""GDPR art. 15 (my data), logged HR look-ups, and gallring that keeps the statistics."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app import dates
from app.extensions import db
from app.models import AuditEvent, Completion, Employee
from app.records import audit
from app.reports import coverage


def test_a_person_sees_and_downloads_all_their_data(client, auth, make):
    course = make.course(title="Grundkurs")
    person = make.employee(email="anna@kommun.se", first_name="Anna")
    make.completion(person, course)
    auth.login("anna@kommun.se")
    page = client.get("/konto/mina-uppgifter").get_data(as_text=True)
    assert "anna@kommun.se" in page
    assert "Grundkurs" in page
    download = client.get("/konto/mina-uppgifter.json")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    data = download.get_json()
    assert data["person"]["email"] == "anna@kommun.se"
    assert data["completions"][0]["course"] == "Grundkurs"
    assert db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "privacy.export_self", AuditEvent.target_id == str(person.id)
        )
    )


def test_my_data_needs_login(client):
    assert client.get("/konto/mina-uppgifter.json").status_code == 302


def test_hr_looking_at_a_person_is_logged(client, auth, make):
    hr = make.employee(email="hr@kommun.se", is_hr=True)
    person = make.employee()
    auth.login("hr@kommun.se")
    assert client.get(f"/admin/personal/{person.id}").status_code == 200
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "person.view"))
    assert (event.actor_id, event.target_id) == (hr.id, str(person.id))


def test_gallring_removes_personal_data_but_keeps_the_counts(runner, make):
    unit = make.unit()
    course = make.course(valid_months=None)
    make.requirement(course, starts_on=date(2015, 1, 1))
    left_long_ago = make.employee(unit=unit, email="gammal@kommun.se", active=False)
    left_recently = make.employee(unit=unit, email="ny@kommun.se", active=False)
    staying = make.employee(unit=unit)
    for person in (left_long_ago, left_recently, staying):
        make.completion(person, course, on=date(2016, 1, 1))
    db.session.execute(
        sa.update(Employee).where(Employee.id == left_long_ago.id).values(end_date=date(2018, 1, 1))
    )
    db.session.execute(
        sa.update(Employee).where(Employee.id == left_recently.id).values(end_date=dates.today())
    )
    for person in (left_long_ago, staying):  # what they did, and from where
        audit(db.session, person, "person.view", "employee", person.id).remote_addr = "192.0.2.1"
    db.session.commit()
    before = coverage.status_counts(db.session, on=date(2017, 1, 1), group_by=("course",))

    dry = runner.invoke(args=["privacy", "gallra", "--dry-run", "--years", "2"])
    assert dry.exit_code == 0
    assert ": 1" in dry.output
    assert db.session.get(Employee, left_long_ago.id).email == "gammal@kommun.se"

    result = runner.invoke(args=["privacy", "gallra", "--years", "2"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    gone = db.session.get(Employee, left_long_ago.id)
    assert (gone.first_name, gone.last_name, gone.email) == ("Gallrad", "", None)
    assert db.session.get(Employee, left_recently.id).email == "ny@kommun.se"
    # the training records stay, so the statistics stay
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Completion)) == 3
    after = coverage.status_counts(db.session, on=date(2017, 1, 1), group_by=("course",))
    assert after == before
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "privacy.gallring"))
    # the trail keeps what they did, but no longer where they did it from
    views = db.session.execute(
        sa.select(AuditEvent.actor_id, AuditEvent.remote_addr).where(
            AuditEvent.action == "person.view"
        )
    ).all()
    assert sorted(views) == sorted([(left_long_ago.id, None), (staying.id, "192.0.2.1")])
    # a second run finds nobody new
    again = runner.invoke(args=["privacy", "gallra", "--dry-run", "--years", "2"])
    assert ": 0" in again.output
