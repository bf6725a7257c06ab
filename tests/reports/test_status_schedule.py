"""The status report by e-mail: HR names recipients and a day; `flask reports send-status`
(daily, from cron) mails the PDF with a summary on that day, once a month, audited."""

from __future__ import annotations

import io
from datetime import date, timedelta
from email import message_from_bytes, policy

import pypdf
import sqlalchemy as sa

from app import dates
from app.auth.access import Disclosure
from app.extensions import db
from app.models import AuditEvent, StatusReportDelivery
from app.reports import schedule, services
from tests.conftest import csrf_from

PAGE = "/rapporter/lagesrapport/utskick"


def _post(client, **data):
    token = csrf_from(client.get(PAGE).get_data(as_text=True))
    return client.post(PAGE, data={"csrf_token": token, **data})


def test_hr_names_recipients_and_a_day_with_swedish_messages_and_an_audit_trail(client, auth, town):
    auth.login("rapport@test.example")
    assert client.get(PAGE).status_code == 403  # a reader cannot change who gets it
    auth.logout()
    auth.login("hr@test.example")
    assert "Rapporten skickas inte med e-post nu." in client.get(PAGE).get_data(as_text=True)

    bad = _post(client, recipients="ks@kommun.se\nnågon på kommunen", day="31")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200
    assert "Mottagare, rad 2: ”någon på kommunen” är ingen e-postadress." in html
    assert "Dag i månaden: ”31” går inte; ange en dag från 1 till 28" in html
    assert schedule.get_schedule(db.session) == schedule.Schedule()
    html = _post(client, recipients="ks@kommun.se", day="").get_data(as_text=True)
    assert "Dag i månaden: ange vilken dag rapporten ska skickas." in html

    saved = _post(client, recipients="ks@kommun.se; KS@kommun.se\nnamnd@kommun.se", day=" 5 ")
    assert saved.status_code == 302
    html = client.get(PAGE).get_data(as_text=True)
    assert "Utskicket av lägesrapporten är sparat." in html
    assert "Rapporten skickas den 5 varje månad till 2 mottagare." in html
    assert schedule.get_schedule(db.session) == schedule.Schedule(
        ("ks@kommun.se", "namnd@kommun.se"), 5
    )
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "settings.status_report_schedule")
    ).all()
    assert len(events) == 1  # the refused attempts changed nothing
    assert events[0].details["before"] == {"recipients": [], "day": None}
    assert events[0].details["after"] == {
        "recipients": ["ks@kommun.se", "namnd@kommun.se"],
        "day": 5,
    }


def _first_of(day: date, months_back: int = 0) -> date:
    return dates.add_months(day.replace(day=1), -months_back)


def _received(smtp_server, start: int = 0) -> dict[str, object]:
    return {
        e.rcpt_tos[0]: message_from_bytes(e.content, policy=policy.default)
        for e in smtp_server.messages[start:]
    }


def test_the_report_is_mailed_on_the_day_once_a_month_with_the_pages_figures(
    runner, smtp_server, town, client, auth, app
):
    with app.app_context():
        schedule.set_schedule(
            db.session, recipients="ks@kommun.se\nnamnd@kommun.se", day=2, actor=None
        )
        db.session.commit()
    last_month = _first_of(dates.today(), 1)

    early = runner.invoke(args=["reports", "send-status", "--on", last_month.isoformat()])
    assert early.exit_code == 0, early.output
    assert "Inte dags: lägesrapporten skickas den 2 varje månad." in early.output
    assert smtp_server.messages == []

    on = last_month + timedelta(days=1)
    result = runner.invoke(args=["reports", "send-status", "--on", on.isoformat()])
    assert result.exit_code == 0, result.output
    month = schedule.month_of(on)
    assert f"Lägesrapporten för {month} skickad till 2 mottagare." in result.output
    mails = _received(smtp_server)
    assert set(mails) == {"ks@kommun.se", "namnd@kommun.se"}
    message = mails["ks@kommun.se"]
    assert message["Subject"] == f"Lägesrapport {on.isoformat()} – Exempelby kommun"
    body = message.get_body(("plain",)).get_content()
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"varna-lagesrapport-{on.isoformat()}.pdf"
    pdf = pypdf.PdfReader(io.BytesIO(attachment.get_content()))
    pdf_text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert f"Lägesrapport till kommunstyrelsen · {on.isoformat()}" in pdf_text
    assert "Utbildningsförvaltningen färre än 5" in pdf_text  # as the report reader sees it
    # the summary: the key figures of the report's first section, as the reader's page has them
    with app.app_context():
        report = services.status_report(db.session, on=on, disclosure=Disclosure.MASKED)
        figure = report.sections[0].facts[0][0]
    summary = f"– {figure.text} ({figure.detail}) av alla utbildningskrav är uppfyllda"
    assert summary in body
    auth.login("rapport@test.example")
    page = client.get(f"/rapporter/lagesrapport?dag={on.isoformat()}").get_data(as_text=True)
    assert figure.text in page
    assert figure.detail in page
    assert f"{app.config['BASE_URL']}/rapporter/lagesrapport" in body

    # run again that day, and later that month: nothing more
    for day in (on, on + timedelta(days=10)):
        again = runner.invoke(args=["reports", "send-status", "--on", day.isoformat()])
        assert again.exit_code == 0, again.output
        assert f"Lägesrapporten för {month} är redan skickad; inget skickades nu." in again.output
    assert len(smtp_server.messages) == 2

    # the next month is a new month
    this_month = _first_of(dates.today()) + timedelta(days=1)
    if this_month <= dates.today():
        result = runner.invoke(args=["reports", "send-status", "--on", this_month.isoformat()])
        assert result.exit_code == 0, result.output
        assert len(smtp_server.messages) == 4
    with app.app_context():
        events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "reports.status_report_sent")
        ).all()
        assert events[0].target_id == month
        assert events[0].details["sent"] == ["ks@kommun.se", "namnd@kommun.se"]


def test_a_refused_address_does_not_stop_the_others_and_is_tried_again(
    runner, smtp_server, town, app
):
    refuse = {"gone@kommun.se"}

    async def handle_RCPT(server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp_server.handle_RCPT = handle_RCPT
    with app.app_context():
        schedule.set_schedule(
            db.session, recipients="a@kommun.se\ngone@kommun.se\nb@kommun.se", day=1, actor=None
        )
        db.session.commit()
    on = _first_of(dates.today(), 1)
    result = runner.invoke(args=["reports", "send-status", "--on", on.isoformat()])
    assert result.exit_code == 1
    assert "gone@kommun.se: kunde inte skickas" in result.output
    assert {m.rcpt_tos[0] for m in smtp_server.messages} == {"a@kommun.se", "b@kommun.se"}
    with app.app_context():
        kept = set(db.session.scalars(sa.select(StatusReportDelivery.recipient)))
        assert kept == {"a@kommun.se", "b@kommun.se"}
        event = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "reports.status_report_sent")
        ).one()
        assert event.details["failed"] == ["gone@kommun.se"]

    refuse.clear()  # the address is fixed: the next run sends to it alone
    again = runner.invoke(args=["reports", "send-status", "--on", on.isoformat()])
    assert again.exit_code == 0, again.output
    assert [m.rcpt_tos[0] for m in smtp_server.messages] == [
        "a@kommun.se",
        "b@kommun.se",
        "gone@kommun.se",
    ]


def test_a_mail_server_that_is_down_leaves_everything_for_the_next_run(
    runner, smtp_server, town, app
):
    with app.app_context():
        schedule.set_schedule(db.session, recipients="a@kommun.se", day=1, actor=None)
        db.session.commit()
    port = app.extensions["mail"].port
    app.extensions["mail"].port = 1  # nothing listens there
    on = _first_of(dates.today(), 1)
    result = runner.invoke(args=["reports", "send-status", "--on", on.isoformat()])
    assert result.exit_code == 1
    assert "a@kommun.se: kunde inte skickas" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StatusReportDelivery)) == 0
    app.extensions["mail"].port = port
    again = runner.invoke(args=["reports", "send-status", "--on", on.isoformat()])
    assert again.exit_code == 0, again.output
    assert [m.rcpt_tos[0] for m in smtp_server.messages] == ["a@kommun.se"]


def test_a_run_at_the_same_time_on_another_host_never_sends_twice(town, app_ctx):
    schedule.set_schedule(db.session, recipients="a@kommun.se\nb@kommun.se", day=1, actor=None)
    db.session.commit()
    on = _first_of(dates.today(), 1)
    raced: list[str] = []

    def commit_after_the_other_host_claimed_a() -> None:
        if not raced:  # the other run claims a@ between our look and our claim
            with db.engine.begin() as other:
                other.execute(
                    sa.insert(StatusReportDelivery).values(
                        month=schedule.month_of(on),
                        recipient="a@kommun.se",
                        report_on=on,
                        sent_at=dates.now(),
                    )
                )
            raced.append("a@kommun.se")
        db.session.commit()

    sent: list[str] = []
    outcome = schedule.send_status_report(
        db.session,
        on=on,
        municipality="Exempelby kommun",
        page_url="http://example/rapporter/lagesrapport",
        commit=commit_after_the_other_host_claimed_a,
        send=lambda message: sent.append(message.to),
    )
    assert sent == ["b@kommun.se"]
    assert outcome.already == ["a@kommun.se"]
