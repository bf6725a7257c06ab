"""Taking an export as HR does: open the form, choose, press Ladda ned (a POST with CSRF)."""

from __future__ import annotations

from tests.conftest import csrf_from


def export(client, **choices: str):
    """The response to the export form submitted with these choices (typ, format, enhet, …)."""
    page = client.get("/rapporter/export")
    assert page.status_code == 200, page.status_code
    token = csrf_from(page.get_data(as_text=True))
    return client.post("/rapporter/export/ladda-ned", data={"csrf_token": token, **choices})
