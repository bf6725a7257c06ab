"""SCORM packages made by the tests: real zips with a manifest and working SCOs.

Each builder writes a zip into a folder (a tmp_path) and returns its path:

- scorm12_single(): SCORM 1.2, one SCO, adlcp:masteryscore (default 80).
- scorm2004(): SCORM 2004 (4th edition by default, edition=3 for 3rd), one SCO with a
  completion threshold, a primary objective satisfied by measure (minNormalizedMeasure)
  and a second objective; the SCO keeps suspend data.
- multi_sco(): SCORM 1.2 (or 2004 with version="2004-4") with three SCOs, two of them
  nested under a chapter item, plus an asset that is not launched on its own.

The SCOs share sco.js (no inline script, so they run under a strict CSP too). On load
a SCO finds the runtime (window.API for 1.2, window.API_1484_11 for 2004, in the
frame or any parent/opener), initialises, and shows what it resumed from in
#resumed (location and suspend data). Buttons:
  #next     location "sida-2", suspend data "sida=2;svar=ja", Commit.
  #finish   score (data-score on <body>, default 90) and status passed/completed
            (2004: completion_status completed, success_status passed, score.scaled,
            the objectives completed/passed, progress_measure 1), Commit, then
            Terminate/LMSFinish.
  #fail     1.2: lesson_status failed, score 10; 2004: success_status failed.
#state shows "klar" after #finish and "fel: <code>" if the runtime refused a call.

build_zip() and manifest_12()/manifest_2004() let a test make any other package
(a broken one for a refusal test).
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

NS_12 = (
    'xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" '
    'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
)
NS_2004 = (
    'xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" '
    'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" '
    'xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3" '
    'xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3" '
    'xmlns:imsss="http://www.imsglobal.org/xsd/imsss" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
)

SCO_JS = r"""
(function () {
  "use strict";
  function find(win) {
    for (var i = 0; win && i < 10; i++) {
      if (win.API_1484_11) return { v: "2004", api: win.API_1484_11 };
      if (win.API) return { v: "1.2", api: win.API };
      if (win.parent === win) break;
      win = win.parent;
    }
    return null;
  }
  var found = find(window) || (window.opener && find(window.opener));
  var state = document.getElementById("state");
  var resumed = document.getElementById("resumed");
  if (!found) { state.textContent = "inget API"; return; }
  var api = found.api, v12 = found.v === "1.2";
  function call(name12, name2004, a, b) {
    var fn = v12 ? name12 : name2004;
    var result = b === undefined ? api[fn](a === undefined ? "" : a) : api[fn](a, b);
    var code = v12 ? api.LMSGetLastError() : api.GetLastError();
    if (String(code) !== "0") state.textContent = "fel: " + code + " (" + fn + " " + a + ")";
    return result;
  }
  function get(k12, k2004) { return call("LMSGetValue", "GetValue", v12 ? k12 : k2004); }
  function set(k12, k2004, value) {
    if ((v12 && k12) || (!v12 && k2004)) call("LMSSetValue", "SetValue", v12 ? k12 : k2004, value);
  }
  function commit() { call("LMSCommit", "Commit", ""); }
  call("LMSInitialize", "Initialize", "");
  var where = get("cmi.core.lesson_location", "cmi.location");
  var data = get("cmi.suspend_data", "cmi.suspend_data");
  resumed.textContent = where ? "plats: " + where + "; data: " + data : "ny start";
  state.textContent = "startad";
  document.getElementById("next").addEventListener("click", function () {
    set("cmi.core.lesson_location", "cmi.location", "sida-2");
    set("cmi.suspend_data", "cmi.suspend_data", "sida=2;svar=ja");
    if (v12) set("cmi.core.lesson_status", null, "incomplete");
    else set(null, "cmi.completion_status", "incomplete");
    commit();
    state.textContent = "sparad";
  });
  document.getElementById("finish").addEventListener("click", function () {
    var score = Number(document.body.getAttribute("data-score") || "90");
    set("cmi.core.score.raw", "cmi.score.raw", String(score));
    set("cmi.core.score.min", "cmi.score.min", "0");
    set("cmi.core.score.max", "cmi.score.max", "100");
    set("cmi.core.session_time", "cmi.session_time", v12 ? "0000:05:00.00" : "PT5M");
    if (v12) {
      set("cmi.core.lesson_status", null, document.body.getAttribute("data-status") || "passed");
    } else {
      set(null, "cmi.score.scaled", String(score / 100));
      set(null, "cmi.progress_measure", "1");
      var ids = (document.body.getAttribute("data-objectives") || "").split(" ").filter(Boolean);
      ids.forEach(function (id, n) {
        set(null, "cmi.objectives." + n + ".id", id);
        set(null, "cmi.objectives." + n + ".completion_status", "completed");
        set(null, "cmi.objectives." + n + ".success_status", "passed");
        set(null, "cmi.objectives." + n + ".score.scaled", String(score / 100));
      });
      set(null, "cmi.completion_status", "completed");
      set(null, "cmi.success_status", "passed");
    }
    commit();
    call("LMSFinish", "Terminate", "");
    if (state.textContent.indexOf("fel") !== 0) state.textContent = "klar";
  });
  document.getElementById("fail").addEventListener("click", function () {
    set("cmi.core.score.raw", "cmi.score.raw", "10");
    if (v12) set("cmi.core.lesson_status", null, "failed");
    else { set(null, "cmi.score.scaled", "0.1"); set(null, "cmi.success_status", "failed"); }
    commit();
    state.textContent = "underkänd";
  });
})();
"""


def sco_html(
    title: str,
    *,
    score: int = 90,
    objectives: tuple[str, ...] = (),
    js: str = "sco.js",
    status: str = "passed",
) -> str:
    return f"""<!doctype html>
<html lang="sv">
<head><meta charset="utf-8"><title>{escape(title)}</title></head>
<body data-score="{score}" data-status="{status}" data-objectives="{" ".join(objectives)}">
<main>
<h1>{escape(title)}</h1>
<p>Ett testpaket. <span id="resumed"></span></p>
<p id="state" role="status">laddar</p>
<button type="button" id="next">Nästa sida</button>
<button type="button" id="finish">Avsluta</button>
<button type="button" id="fail">Svara fel</button>
</main>
<script src="{js}"></script>
</body>
</html>
"""


def build_zip(
    path: Path,
    files: Mapping[str, str | bytes],
    *,
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """A zip with exactly these entries (names as given, even unsafe ones)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data.encode() if isinstance(data, str) else data)
    return path


def _item(identifier: str, title: str, ref: str | None, extra: str = "", children: str = "") -> str:
    ref_attr = f" identifierref={quoteattr(ref)}" if ref else ""
    return (
        f"<item identifier={quoteattr(identifier)}{ref_attr}>"
        f"<title>{escape(title)}</title>{extra}{children}</item>"
    )


def manifest_12(
    identifier: str,
    title: str,
    items: str,
    resources: str,
    *,
    schemaversion: str | None = "1.2",
) -> str:
    metadata = (
        f"<metadata><schema>ADL SCORM</schema><schemaversion>{schemaversion}</schemaversion>"
        "</metadata>"
        if schemaversion
        else ""
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier={quoteattr(identifier)} version="1" {NS_12}>
  {metadata}
  <organizations default="ORG-1">
    <organization identifier="ORG-1"><title>{escape(title)}</title>{items}</organization>
  </organizations>
  <resources>{resources}</resources>
</manifest>
"""


def manifest_2004(
    identifier: str,
    title: str,
    items: str,
    resources: str,
    *,
    edition: int = 4,
) -> str:
    version = {3: "2004 3rd Edition", 4: "2004 4th Edition"}[edition]
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier={quoteattr(identifier)} version="1" {NS_2004}>
  <metadata><schema>ADL SCORM</schema><schemaversion>{version}</schemaversion></metadata>
  <organizations default="ORG-1">
    <organization identifier="ORG-1"><title>{escape(title)}</title>{items}</organization>
  </organizations>
  <resources>{resources}</resources>
</manifest>
"""


def sco_resource(identifier: str, href: str, *, version: str = "1.2", base: str = "") -> str:
    attr = "adlcp:scormtype" if version == "1.2" else "adlcp:scormType"
    base_attr = f" xml:base={quoteattr(base)}" if base else ""
    folder = href.rsplit("/", 1)[0] + "/" if "/" in href else ""
    return (
        f'<resource identifier={quoteattr(identifier)} type="webcontent" {attr}="sco" '
        f"href={quoteattr(href.split('?')[0])}{base_attr}>"
        f"<file href={quoteattr(href.split('?')[0])}/><file href={quoteattr(folder + 'sco.js')}/>"
        "</resource>"
    )


def scorm12_single(
    folder: Path,
    *,
    identifier: str = "se.exempel.bemotande-12",
    title: str = "Bemötande vid våld i nära relationer",
    mastery_score: int | None = 80,
    score: int = 90,
    name: str = "scorm12.zip",
    extra_files: Mapping[str, str | bytes] | None = None,
) -> Path:
    mastery = (
        f"<adlcp:masteryscore>{mastery_score}</adlcp:masteryscore>"
        if mastery_score is not None
        else ""
    )
    manifest = manifest_12(
        identifier,
        title,
        _item("ITEM-1", "Lektion 1", "RES-1", mastery),
        sco_resource("RES-1", "sco1/index.html"),
    )
    files: dict[str, str | bytes] = {
        "imsmanifest.xml": manifest,
        "sco1/index.html": sco_html("Lektion 1", score=score),
        "sco1/sco.js": SCO_JS,
    }
    files.update(extra_files or {})
    return build_zip(folder / name, files)


def scorm2004(
    folder: Path,
    *,
    identifier: str = "se.exempel.hot-och-vald-2004",
    title: str = "Hot och våld i arbetet",
    edition: int = 4,
    threshold: float = 0.8,
    passing: float = 0.7,
    score: int = 90,
    name: str = "scorm2004.zip",
) -> Path:
    if edition == 4:
        completion = f'<adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="{threshold}"/>'
    else:
        completion = f"<adlcp:completionThreshold>{threshold}</adlcp:completionThreshold>"
    sequencing = (
        "<imsss:sequencing><imsss:objectives>"
        '<imsss:primaryObjective objectiveID="obj-huvud" satisfiedByMeasure="true">'
        f"<imsss:minNormalizedMeasure>{passing}</imsss:minNormalizedMeasure>"
        "</imsss:primaryObjective>"
        '<imsss:objective objectiveID="obj-risk"/>'
        "</imsss:objectives></imsss:sequencing>"
    )
    manifest = manifest_2004(
        identifier,
        title,
        _item("ITEM-1", "Risker och stöd", "RES-1", completion + sequencing),
        sco_resource("RES-1", "index.html", version="2004"),
        edition=edition,
    )
    return build_zip(
        folder / name,
        {
            "imsmanifest.xml": manifest,
            "index.html": sco_html(
                "Risker och stöd", score=score, objectives=("obj-huvud", "obj-risk")
            ),
            "sco.js": SCO_JS,
        },
    )


def multi_sco(
    folder: Path,
    *,
    identifier: str = "se.exempel.flera-delar",
    title: str = "Tre delar om trygghet",
    version: str = "1.2",
    name: str = "multi.zip",
) -> Path:
    kind = "1.2" if version == "1.2" else "2004"
    chapter = _item(
        "KAPITEL-1",
        "Kapitel 1",
        None,
        children=_item("DEL-1", "Del 1", "RES-1") + _item("DEL-2", "Del 2", "RES-2"),
    )
    items = chapter + _item("DEL-3", "Del 3", "RES-3")
    asset = (
        '<resource identifier="RES-BILD" type="webcontent" '
        f'{"adlcp:scormtype" if kind == "1.2" else "adlcp:scormType"}="asset" href="gemensamt/bild.svg">'
        '<file href="gemensamt/bild.svg"/></resource>'
    )
    resources = (
        sco_resource("RES-1", "del1/index.html", version=kind)
        + sco_resource("RES-2", "del2/index.html", version=kind)
        + sco_resource("RES-3", "del3/index.html", version=kind)
        + asset
    )
    if kind == "1.2":
        manifest = manifest_12(identifier, title, items, resources)
    else:
        manifest = manifest_2004(identifier, title, items, resources, edition=int(version[-1]))
    files: dict[str, str | bytes] = {"imsmanifest.xml": manifest}
    for n in (1, 2, 3):
        files[f"del{n}/index.html"] = sco_html(f"Del {n}")
        files[f"del{n}/sco.js"] = SCO_JS
    files["gemensamt/bild.svg"] = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
    )
    return build_zip(folder / name, files)
