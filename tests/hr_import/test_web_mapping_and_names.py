"""Issue 16, the first half hour of the HR import: a mapping edited while "Standard" is chosen
is never ignored silently; the mapping a confirmed import used is saved and offered next time;
names as long as HR systems hold them (255 characters) are imported."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.admin.imports import services
from app.admin.imports.mapping import default_mapping_text
from app.extensions import db
from app.models import AuditEvent, Employee, Setting
from tests.conftest import csrf_from
from tests.hr_import.helpers import STAFF, employee, files, run
from tests.hr_import.test_web import hr, upload  # noqa: F401

OWN = default_mapping_text() + "\n# Lillebys egen mappning\n"


def _checked(html: str) -> str:
    """The value of the mapping choice that is checked."""
    return re.search(r'<input checked[^>]*name="mapping_choice"[^>]*value="(\w+)"', html)[1]


def test_an_edited_mapping_with_standard_chosen_is_refused_not_ignored(client, auth, hr):  # noqa: F811
    auth.login(hr.email)
    response = upload(
        client, mapping_choice="standard", mapping_text=OWN.replace("enhetskod", "kod")
    )
    assert response.status_code == 200  # the form again, nothing uploaded
    html = response.get_data(as_text=True)
    assert "Du har ändrat mappningen i rutan men valt Standard" in html
    assert 'aria-invalid="true"' in html
    # the standard text as the page shows it, only with Windows line endings, is not an edit
    unchanged = upload(client, mapping_text=default_mapping_text().replace("\n", "\r\n"))
    assert unchanged.status_code == 302


def test_the_mapping_used_is_saved_and_offered_next_time(client, auth, hr):  # noqa: F811
    auth.login(hr.email)
    assert _checked(client.get("/admin/import").get_data(as_text=True)) == "standard"
    preview_url = upload(client, mapping_choice="egen", mapping_text=OWN).headers["Location"]
    html = client.get(preview_url).get_data(as_text=True)
    fingerprint = html.split('name="fingerprint" type="hidden" value="')[1].split('"')[0]
    done = client.post(
        preview_url, data={"csrf_token": csrf_from(html), "fingerprint": fingerprint}
    )
    assert done.status_code == 302
    assert services.saved_mapping_text(db.session) == OWN
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "hr.import_mapping"))
    assert event.actor_id == hr.id
    assert event.details == {"own": True}

    page = client.get("/admin/import").get_data(as_text=True)
    assert _checked(page) == "egen"
    assert "# Lillebys egen mappning" in page
    assert "Rutan visar den egna mappning som förra importen använde." in page
    # the saved mapping left as it is, with Standard chosen, is no edit: the standard is used
    assert upload(client, mapping_choice="standard", mapping_text=OWN).status_code == 302


def test_standard_after_an_own_mapping_forgets_it(app_ctx, hr):  # noqa: F811
    services.remember_mapping(db.session, OWN, hr)
    services.remember_mapping(db.session, OWN, hr)  # unchanged: one audit event
    services.remember_mapping(db.session, None, hr)
    db.session.commit()
    assert db.session.get(Setting, services.MAPPING_KEY) is None
    actions = db.session.scalars(
        sa.select(AuditEvent.details).where(AuditEvent.action == "hr.import_mapping")
    ).all()
    assert actions == [{"own": True}, {"own": False}]


def test_a_long_surname_is_imported_not_the_whole_export_refused(app_ctx):
    long_last = "Ångström-" + "Wallenberg" * 24  # 249 characters, as an HR system may hold
    long_first = "Maria-" * 40 + "Ann"  # 243
    staff = [list(row) for row in STAFF]
    staff[3][1], staff[3][2] = long_first, long_last
    result = run(files(staff=staff))
    assert not result.dry_run
    person = employee("4")
    assert (person.first_name, person.last_name) == (long_first, long_last)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Employee)) == len(STAFF)


def test_the_command_line_summary_counts_in_the_singular(runner, app_ctx, tmp_path):
    units, staff = files(
        units=[["K", "Lilleby kommun", "kommun", "", ""]],
        staff=[["1", "Åsa", "Öberg", "asa@lilleby.se", "K", "", "ledning", "2010-01-01", ""]],
    )
    (tmp_path / "e.csv").write_bytes(units.data)
    (tmp_path / "p.csv").write_bytes(staff.data)
    result = runner.invoke(
        args=["hr", "import", str(tmp_path / "e.csv"), str(tmp_path / "p.csv"), "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "Filerna: 1 enhet, 1 person." in result.output
    assert "Enheter: 1 ny, 0 ändrade, 0 avvecklade." in result.output
