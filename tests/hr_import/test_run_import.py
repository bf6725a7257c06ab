"""run_import: the one orchestration HR's page and `flask hr import` share.

lock → import_files → fingerprint → commit → invitations, called directly.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app import mail
from app.admin.imports import lock, services
from app.admin.imports.mapping import default_mapping
from app.admin.imports.reading import ImportRejected
from app.auth import invitations
from app.extensions import db
from app.models import AuditEvent, Employee, JobLock, OutgoingMail
from tests.hr_import.helpers import STAFF, files, snapshot


def _run(pair, *, commit=None, **options) -> services.ImportRun:
    return services.run_import(
        db.session,
        units_file=pair[0],
        staff_file=pair[1],
        mapping=default_mapping(),
        holder="Hanna på HR",
        commit=commit or db.session.commit,
        via="test",
        **options,
    )


def _lock_rows() -> int:
    with db.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(JobLock)).scalar_one()


def test_commits_once_under_the_lock_then_invites(app_ctx, monkeypatch):
    held_at_commit: list[int] = []

    def commit() -> None:
        held_at_commit.append(_lock_rows())
        db.session.commit()

    sent_to: list[list[int]] = []
    monkeypatch.setattr(
        invitations,
        "send_invitations",
        lambda session, ids, commit: sent_to.append(ids) or len(ids),
    )
    run = _run(files(), commit=commit)
    assert held_at_commit == [1]  # committed while the lock was held
    assert _lock_rows() == 0  # and let go afterwards
    assert sent_to == [run.result.created_employee_ids]
    assert (run.invitations_sent, run.invitations_failed) == (len(STAFF), "")
    db.session.rollback()  # what is left is what was committed
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Employee)) == len(STAFF)
    (event,) = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "hr.import"))
    assert event.details["via"] == "test"


def test_a_failing_mail_server_leaves_the_import_standing(app_ctx, monkeypatch):
    def refuse(session, ids, commit):
        raise ConnectionRefusedError("SMTP-servern svarar inte")

    monkeypatch.setattr(invitations, "send_invitations", refuse)
    run = _run(files())
    assert run.invitations_failed == "SMTP-servern svarar inte"
    assert run.invitations_sent == 0
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Employee)) == len(STAFF)


def test_no_invitations_when_not_asked_or_in_a_dry_run(app_ctx, monkeypatch):
    monkeypatch.setattr(invitations, "send_invitations", pytest.fail)
    assert _run(files(), invite=False).invitations_sent == 0
    dry = _run(
        files(
            staff=[
                *STAFF,
                [
                    "6",
                    "Fia",
                    "Ny",
                    "fia.ny@lilleby.se",
                    "UTB",
                    "lärare",
                    "medarbetare",
                    "2022-01-01",
                    "",
                ],
            ]
        ),
        dry_run=True,
    )
    assert dry.result.dry_run
    assert dry.result.counts.employees_created == 1
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Employee)) == len(STAFF)


def test_a_confirmation_that_differs_from_its_dry_run_changes_nothing(app_ctx):
    pair = files()
    shown = _run(pair, dry_run=True).result.fingerprint
    _run(files(staff=STAFF[:-1]), invite=False)  # someone else's import in between
    before = snapshot()
    committed: list[bool] = []
    with pytest.raises(services.PlanChanged):
        _run(pair, fingerprint=shown, commit=lambda: committed.append(True))
    assert committed == []
    assert snapshot() == before
    assert _lock_rows() == 0
    # The same files confirmed with the fingerprint of what they now do: applied.
    now = _run(pair, dry_run=True).result.fingerprint
    assert _run(pair, fingerprint=now, invite=False).result.counts.employees_created == 1


def test_busy_and_rejected_change_nothing(app_ctx):
    before = snapshot()
    with lock.import_lock("kommandoraden"), pytest.raises(lock.ImportBusy):
        _run(files())
    bad = files(staff=[["", "Utan", "Nummer", "", "K", "", "medarbetare", "", ""]])
    with pytest.raises(ImportRejected):
        _run(bad)
    assert snapshot() == before
    assert _lock_rows() == 0


def test_a_refused_invitation_is_kept_for_hr_and_the_rest_arrive(app_ctx, smtp_server):
    """Invitations go through the outbox: a refused address is listed for HR (not only
    logged), and everyone else gets theirs."""
    smtp_server.refuse["eva.berg@lilleby.se"] = "550 5.1.1 User unknown"
    run = _run(files())
    with_address = [p for p in STAFF if p[3]]
    assert run.invitations_sent == len(with_address) - 1
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == sorted(
        p[3] for p in with_address if p[3] != "eva.berg@lilleby.se"
    )
    refused = db.session.execute(mail.refused_addresses()).all()
    assert [(r.first_name, r.to_addr) for r in refused] == [("Eva", "eva.berg@lilleby.se")]
    # the refused message keeps no link: its text is gone with the refusal
    bodies = db.session.scalars(sa.select(OutgoingMail.body_text)).all()
    assert bodies == [None] * len(with_address)


def test_invitations_the_server_could_not_take_go_with_the_next_delivery(app_ctx, smtp_server):
    smtp_server.stop()
    run = _run(files())
    assert run.invitations_sent == 0
    assert run.invitations_failed
    assert smtp_server.messages == []
    smtp_server.start()
    delivery = mail.deliver_queued(db.session, commit=db.session.commit)
    assert delivery.sent == len([p for p in STAFF if p[3]])
    assert "/konto/inbjudan/" in smtp_server.messages[0].content.decode()
