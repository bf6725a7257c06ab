from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Employee, Level, OrgUnit, UnitManager


def test_create_admin_makes_an_hr_administrator_who_can_log_in(runner, auth, app_ctx):
    result = runner.invoke(
        args=["users", "create-admin", "Admin@Kommun.se", "--password", "ett-langt-testlosenord"]
    )
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(sa.select(Employee).where(Employee.email == "admin@kommun.se"))
    assert admin.is_hr
    audit = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "account.create_admin")
    )
    assert audit.target_id == str(admin.id)
    response = auth.login("admin@kommun.se", "ett-langt-testlosenord")
    assert response.status_code == 302


def test_create_admin_refuses_a_short_password(runner, app_ctx):
    result = runner.invoke(args=["users", "create-admin", "a@b.se", "--password", "kort"])
    assert result.exit_code == 1
    assert "minst 12 tecken" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Employee)) == 0


def test_create_admin_promotes_an_existing_person(runner, make):
    person = make.employee(email="kari@kommun.se")
    result = runner.invoke(
        args=["users", "create-admin", "kari@kommun.se", "--password", "ett-annat-langt-losen"]
    )
    assert result.exit_code == 0
    db.session.expire_all()
    assert db.session.get(Employee, person.id).is_hr


def test_demo_seed_builds_every_level_and_links_managers(runner, app_ctx):
    result = runner.invoke(args=["demo", "seed", "--employees", "300"])
    assert result.exit_code == 0, result.output
    for email in ("medarbetare@", "chef@", "forvaltningschef@", "hr@", "rapport@"):
        assert email in result.output
    levels = set(db.session.scalars(sa.select(Employee.level).distinct()))
    assert levels == {lvl.value for lvl in Level}
    kinds = set(db.session.scalars(sa.select(OrgUnit.kind).distinct()))
    assert {"kommun", "förvaltning", "avdelning", "enhet"} <= kinds
    # every förvaltning, avdelning and enhet has its manager
    managed = db.session.scalar(sa.select(sa.func.count(sa.distinct(UnitManager.unit_id))))
    leadable = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(OrgUnit)
        .where(OrgUnit.kind != "politisk organisation")
    )
    assert managed == leadable
    # materialised paths: each child's path extends its parent's
    units = {u.id: u for u in db.session.scalars(sa.select(OrgUnit))}
    for unit in units.values():
        expected = (units[unit.parent_id].path if unit.parent_id else "/") + f"{unit.id}/"
        assert unit.path == expected


def test_demo_seed_is_deterministic_and_refuses_a_second_run(runner, app_ctx):
    first = runner.invoke(args=["demo", "seed", "--employees", "200"])
    names = db.session.scalars(
        sa.select(Employee.last_name).order_by(Employee.employee_number)
    ).all()
    again = runner.invoke(args=["demo", "seed", "--employees", "200"])
    assert again.exit_code == 1
    assert "redan personal" in again.output
    skip = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert skip.exit_code == 0
    assert first.exit_code == 0
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
    db.session.expire_all()
    runner.invoke(args=["demo", "seed", "--employees", "200"])
    names_again = db.session.scalars(
        sa.select(Employee.last_name).order_by(Employee.employee_number)
    ).all()
    assert names == names_again


def test_every_demo_login_works(runner, app):
    from app.demo import services
    from tests.conftest import AuthActions

    result = runner.invoke(args=["demo", "seed", "--employees", "300"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        logins = services.demo_logins(db.session)
    assert [role for role, _email, _name in logins] == [
        "medarbetare",
        "enhetschef",
        "förvaltningschef",
        "HR",
        "rapportläsare",
    ]
    for _role, email, _name in logins:
        client = app.test_client()
        assert AuthActions(client).login(email, services.DEMO_PASSWORD).status_code == 302
    again = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert "medarbetare@exempelby.se" in again.output


def test_create_admin_with_a_name_shows_it_on_the_person(runner, auth, client, app_ctx):
    result = runner.invoke(
        args=[
            "users",
            "create-admin",
            "greta@kommun.se",
            "--name",
            "Greta Ström Lind",
            "--password",
            "ett-langt-testlosenord",
        ]
    )
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(sa.select(Employee).where(Employee.email == "greta@kommun.se"))
    assert (admin.first_name, admin.last_name) == ("Greta", "Ström Lind")
    auth.login("greta@kommun.se")
    assert "Greta Ström Lind" in client.get("/admin/personal?q=greta").get_data(as_text=True)
