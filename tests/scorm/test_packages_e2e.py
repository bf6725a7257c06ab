"""The test packages' SCOs really speak SCORM: opened from disk in Chromium with a
recording runtime (window.API / window.API_1484_11), they initialise, resume, save
and finish with the calls a player must handle. (No Värna page is visited here.)"""

from __future__ import annotations

import zipfile

import pytest
from playwright.sync_api import expect

from tests.scorm import packages

pytestmark = pytest.mark.e2e

# A runtime that answers from a store and records every call.
RECORDER = """
(() => {
  const store = Object.assign({}, window.__start || {});
  window.__calls = [];
  const api12 = {
    LMSInitialize: () => (window.__calls.push(["LMSInitialize"]), "true"),
    LMSGetValue: (k) => (window.__calls.push(["LMSGetValue", k]), store[k] || ""),
    LMSSetValue: (k, v) => (window.__calls.push(["LMSSetValue", k, v]), store[k] = v, "true"),
    LMSCommit: () => (window.__calls.push(["LMSCommit"]), "true"),
    LMSFinish: () => (window.__calls.push(["LMSFinish"]), "true"),
    LMSGetLastError: () => "0",
  };
  const api2004 = {
    Initialize: () => (window.__calls.push(["Initialize"]), "true"),
    GetValue: (k) => (window.__calls.push(["GetValue", k]), store[k] || ""),
    SetValue: (k, v) => (window.__calls.push(["SetValue", k, v]), store[k] = v, "true"),
    Commit: () => (window.__calls.push(["Commit"]), "true"),
    Terminate: () => (window.__calls.push(["Terminate"]), "true"),
    GetLastError: () => "0",
  };
  window.__store = store;
  if (window.__version === "1.2") window.API = api12; else window.API_1484_11 = api2004;
})();
"""


def _open(browser, tmp_path, zip_path, start: str, version: str, resume: dict | None = None):
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(folder)
    context = browser.new_context()
    context.add_init_script(
        f"window.__version = {version!r}; window.__start = {resume or {}!r};" + RECORDER
    )
    page = context.new_page()
    page.goto((folder / start).as_uri())
    return context, page


def test_the_1_2_sco_resumes_saves_and_passes(browser, tmp_path):
    context, page = _open(
        browser,
        tmp_path,
        packages.scorm12_single(tmp_path, score=85),
        "sco1/index.html",
        "1.2",
        {"cmi.core.lesson_location": "sida-2", "cmi.suspend_data": "sida=2"},
    )
    try:
        expect(page.locator("#resumed")).to_have_text("plats: sida-2; data: sida=2")
        page.get_by_role("button", name="Nästa sida").click()
        expect(page.locator("#state")).to_have_text("sparad")
        page.get_by_role("button", name="Avsluta").click()
        expect(page.locator("#state")).to_have_text("klar")
        store = page.evaluate("window.__store")
        assert store["cmi.core.lesson_status"] == "passed"
        assert store["cmi.core.score.raw"] == "85"
        assert store["cmi.suspend_data"] == "sida=2;svar=ja"
        calls = [c[0] for c in page.evaluate("window.__calls")]
        assert calls[0] == "LMSInitialize"
        assert calls[-2:] == ["LMSCommit", "LMSFinish"]
    finally:
        context.close()


def test_the_2004_sco_sets_objectives_and_completes(browser, tmp_path):
    context, page = _open(
        browser, tmp_path, packages.scorm2004(tmp_path, score=90), "index.html", "2004"
    )
    try:
        expect(page.locator("#resumed")).to_have_text("ny start")
        page.get_by_role("button", name="Avsluta").click()
        expect(page.locator("#state")).to_have_text("klar")
        store = page.evaluate("window.__store")
        assert store["cmi.completion_status"] == "completed"
        assert store["cmi.success_status"] == "passed"
        assert store["cmi.score.scaled"] == "0.9"
        assert store["cmi.objectives.0.id"] == "obj-huvud"
        assert store["cmi.objectives.1.id"] == "obj-risk"
        assert store["cmi.objectives.1.success_status"] == "passed"
        calls = [c[0] for c in page.evaluate("window.__calls")]
        assert calls[0] == "Initialize"
        assert calls[-2:] == ["Commit", "Terminate"]
    finally:
        context.close()
