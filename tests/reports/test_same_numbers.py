"""The same cut gives the same numbers everywhere: pages, chart, exports, API, trend, CLI."""

from __future__ import annotations

import csv
import io

from app import dates, labels
from app.api import services as api_services
from app.extensions import db
from app.reports import coverage, services
from app.reports.coverage import Scope
from tests.reports.downloads import export


def test_every_output_agrees_for_one_administration(client, auth, runner, town, app_ctx, tmp_path):
    soc = town["soc"]
    today = dates.today()
    truth = coverage.total_counts(db.session, on=today, scope=Scope(unit_paths=[soc.path]))
    assert (truth.covered, truth.total) == (7, 11)  # the fixture, counted by hand
    figure = f"{truth.covered} av {truth.total}"
    share = labels.format_share(truth.coverage)

    auth.login("hr@test.example")
    overview = client.get("/rapporter/").get_data(as_text=True)
    row = overview.split(">Socialförvaltningen</a>")[1].split("</tr>")[0]
    assert figure in row  # the matrix row total
    assert f"Socialförvaltningen: {share}" in overview  # the bar chart's description
    drill = client.get(f"/rapporter/enhet/{soc.id}").get_data(as_text=True)
    assert figure in drill.split("<tfoot>")[1]  # the drill-down's total
    status = client.get("/rapporter/lagesrapport").get_data(as_text=True)
    assert figure in status.split('<th scope="row">Socialförvaltningen</th>')[1].split("</tr>")[0]

    # coverage export (web and CLI) for the same subtree
    response = export(client, typ="coverage", format="csv", enhet="SOC")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    total = sum(int(r[header.index("Totalt")]) for r in body)
    covered = sum(
        int(r[header.index("Genomförd")]) + int(r[header.index("Går snart ut")]) for r in body
    )
    assert (covered, total) == (truth.covered, truth.total)
    out = tmp_path / "c.csv"
    result = runner.invoke(
        args=["reports", "export", "coverage", "--out", str(out), "--unit", "SOC"]
    )
    assert result.exit_code == 0
    cli_rows = list(csv.reader(io.StringIO(out.read_text("utf-8-sig")), delimiter=";"))
    assert cli_rows == rows

    # the API
    _, plain = api_services.create_token(db.session, name="test", actor=town["hr"])
    db.session.commit()
    body = client.get(
        "/api/v1/units/SOC/coverage", headers={"Authorization": f"Bearer {plain}"}
    ).json
    assert (body["total"]["covered"], body["total"]["total"]) == (truth.covered, truth.total)

    # the trend, from today's snapshot
    services.take_snapshot(db.session, on=today)
    db.session.commit()
    point = services.trend(db.session, within=[soc.path])[-1]
    assert point.counts == truth
    trend = client.get("/rapporter/trend").get_data(as_text=True)
    whole = coverage.total_counts(db.session, on=today)
    assert f"{whole.covered} av {whole.total}" in trend
