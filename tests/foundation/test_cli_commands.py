"""`flask demo logins`: the demo accounts that exist, one line each, the same as `demo seed` printed."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.demo import services
from app.extensions import db
from app.models import Employee
from tests.conftest import AuthActions

ROLES = ["medarbetare", "enhetschef", "förvaltningschef", "HR", "rapportläsare"]


def _login_lines(output: str) -> list[tuple[str, str, str]]:
    """(role, e-mail, name) of each line under the "Demoinloggningar" heading."""
    block = output.split("Demoinloggningar (lösenord för alla: exempelby-demo-2026):\n")[1]
    return [
        tuple(re.match(r"  (\S+)\s+(\S+@\S+)\s+(.+)$", line).groups())
        for line in block.splitlines()
        if line.strip()
    ]


def test_demo_logins_on_an_empty_database_prints_nothing(runner, app_ctx):
    result = runner.invoke(args=["demo", "logins"])
    assert result.exit_code == 0
    assert result.output == ""


def test_demo_logins_lists_what_seed_made(runner, app):
    seeded = runner.invoke(args=["demo", "seed", "--employees", "50"])
    assert seeded.exit_code == 0, seeded.output
    result = runner.invoke(args=["demo", "logins"])
    assert result.exit_code == 0, result.output
    lines = _login_lines(result.output)
    assert lines == _login_lines(seeded.output)
    assert [role for role, _email, _name in lines] == ROLES
    with app.app_context():
        for _role, email, name in lines:
            person = db.session.scalar(sa.select(Employee).where(Employee.email == email))
            assert person.full_name == name
        hr_email = lines[3][1]
        assert db.session.scalar(sa.select(Employee.is_hr).where(Employee.email == hr_email))
    # the password printed opens the HR account, and HR's pages
    client = app.test_client()
    assert AuthActions(client).login(hr_email, services.DEMO_PASSWORD).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_demo_logins_leaves_out_an_account_that_is_gone(runner, app):
    assert runner.invoke(args=["demo", "seed", "--employees", "50"]).exit_code == 0
    with app.app_context():
        reporter = db.session.scalar(
            sa.select(Employee).where(Employee.email == "rapport@exempelby.se")
        )
        reporter.email = "ny.adress@exempelby.se"
        db.session.commit()
    lines = _login_lines(runner.invoke(args=["demo", "logins"]).output)
    assert [role for role, _email, _name in lines] == ROLES[:4]
    assert "rapport@exempelby.se" not in {email for _role, email, _name in lines}
