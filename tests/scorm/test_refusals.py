"""Every refusal of a SCORM package: a clear Swedish message naming the problem, and
the database and the file store (UPLOAD_DIR/scorm) exactly as they were."""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

import pytest

from app.courses import scorm
from app.extensions import db
from tests.scorm import packages

MANIFEST_12 = packages.manifest_12(
    "se.exempel.trasig",
    "Trasig kurs",
    '<item identifier="I1" identifierref="R1"><title>Del 1</title></item>',
    packages.sco_resource("R1", "index.html"),
)
GOOD_FILES = {
    "imsmanifest.xml": MANIFEST_12,
    "index.html": packages.sco_html("Del 1"),
    "sco.js": packages.SCO_JS,
}


@pytest.fixture(autouse=True)
def _one_good_package_already(app_ctx, tmp_path):
    """A course is already there, so 'unchanged' also covers an existing package's files."""
    scorm.import_package(db.session, packages.scorm12_single(tmp_path / "ok"), actor=None)
    db.session.commit()


def refused(path_or_file, unchanged, **kwargs) -> str:
    unchanged.take()
    with pytest.raises(scorm.PackageRefused) as caught:
        scorm.import_package(db.session, path_or_file, actor=None, **kwargs)
    db.session.rollback()
    unchanged.check()
    return caught.value.message


def test_not_a_zip(tmp_path, unchanged):
    path = tmp_path / "kurs.zip"
    path.write_text("<html>detta är ingen zip</html>")
    assert "inte en zip-fil" in refused(path, unchanged)
    empty = tmp_path / "tom.zip"
    empty.write_bytes(b"")
    assert "tom" in refused(empty, unchanged)


def test_a_missing_file(tmp_path, unchanged):
    assert "kan inte läsas" in refused(tmp_path / "finns-inte.zip", unchanged)


def test_no_manifest_at_all(tmp_path, unchanged):
    path = packages.build_zip(tmp_path / "p.zip", {"index.html": "<p>hej</p>"})
    assert refused(path, unchanged) == (
        "Paketet har ingen imsmanifest.xml överst: det är inte ett SCORM-paket."
    )


def test_manifest_in_a_subfolder_is_named(tmp_path, unchanged):
    files = {f"kurs/{name}": data for name, data in GOOD_FILES.items()}
    message = refused(packages.build_zip(tmp_path / "p.zip", files), unchanged)
    assert "”kurs/imsmanifest.xml”" in message
    assert "packa om zip-filen" in message


def test_a_manifest_spelt_in_capitals(tmp_path, unchanged):
    files = {**GOOD_FILES}
    files["IMSManifest.xml"] = files.pop("imsmanifest.xml")
    message = refused(packages.build_zip(tmp_path / "p.zip", files), unchanged)
    assert "”IMSManifest.xml”" in message
    assert "små bokstäver" in message


def test_xml_that_does_not_parse_gives_line_and_column(tmp_path, unchanged):
    broken = '<?xml version="1.0"?>\n<manifest identifier="x">\n  <organizations>\n</manifest>\n'
    path = packages.build_zip(tmp_path / "p.zip", {**GOOD_FILES, "imsmanifest.xml": broken})
    message = refused(path, unchanged)
    assert message.startswith("imsmanifest.xml är inte giltig XML: rad 4, kolumn 3")


def test_entities_are_refused_not_expanded(tmp_path, unchanged):
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE manifest [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        '<manifest identifier="&b;"/>'
    )
    path = packages.build_zip(tmp_path / "p.zip", {**GOOD_FILES, "imsmanifest.xml": bomb})
    assert "DTD eller entiteter" in refused(path, unchanged)


def test_a_missing_launch_file_is_named(tmp_path, unchanged):
    files = {k: v for k, v in GOOD_FILES.items() if k != "index.html"}
    message = refused(packages.build_zip(tmp_path / "p.zip", files), unchanged)
    assert message == "Startfilen ”index.html” (resursen ”R1”) finns inte i paketet."


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("../utanfor.html", "går ut ur paketet"),
        ("del/../../utanfor.html", "går ut ur paketet"),
        ("..\\utanfor.html", "går ut ur paketet"),
        ("/etc/cron.d/varna", "är absolut"),
        ("C:/Windows/varna.html", "är absolut"),
        ("C:varna.html", "är absolut"),
    ],
)
def test_paths_that_escape_the_package(tmp_path, unchanged, name, words):
    path = packages.build_zip(tmp_path / "p.zip", {**GOOD_FILES, name: "x"})
    message = refused(path, unchanged)
    assert words in message
    assert name in message


def test_a_launch_href_that_escapes_the_package(tmp_path, unchanged):
    manifest = MANIFEST_12.replace('href="index.html"', 'href="../index.html"', 1)
    path = packages.build_zip(tmp_path / "p.zip", {**GOOD_FILES, "imsmanifest.xml": manifest})
    assert "”../index.html” pekar utanför paketet" in refused(path, unchanged)
    manifest = MANIFEST_12.replace('href="index.html"', 'href="https://example.org/x"', 1)
    path = packages.build_zip(tmp_path / "q.zip", {**GOOD_FILES, "imsmanifest.xml": manifest})
    assert "pekar utanför paketet" in refused(path, unchanged)


def test_a_symlink_entry(tmp_path, unchanged):
    path = tmp_path / "p.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in GOOD_FILES.items():
            archive.writestr(name, data)
        link = zipfile.ZipInfo("bild.png")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    assert (
        refused(path, unchanged)
        == "”bild.png” i paketet är en länk (symlink); länkar tas inte emot."
    )


def test_more_than_ten_thousand_files(tmp_path, unchanged):
    files = dict(GOOD_FILES)
    files.update({f"f/{n}.txt": "" for n in range(10_001 - len(files))})
    path = packages.build_zip(tmp_path / "p.zip", files, compression=zipfile.ZIP_STORED)
    assert refused(path, unchanged) == "Paketet har 10001 filer; högst 10000 tas emot."


def test_millions_of_entries_are_refused_from_the_end_record(
    app_ctx, tmp_path, unchanged, monkeypatch
):
    """Counted before zipfile reads the central directory: folders are entries too, so a
    zip of more than twice the limit in entries is refused at once."""
    monkeypatch.setitem(app_ctx.config, "SCORM_MAX_FILES", 2)
    files = {**GOOD_FILES, "a/": "", "b/": ""}
    path = packages.build_zip(tmp_path / "p.zip", files)
    assert refused(path, unchanged) == "Paketet har 5 filer och mappar; högst 2 filer tas emot."


def test_the_file_limit_is_configurable(app_ctx, tmp_path, unchanged, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "SCORM_MAX_FILES", 2)
    path = packages.build_zip(tmp_path / "p.zip", GOOD_FILES)
    assert refused(path, unchanged) == "Paketet har 3 filer; högst 2 tas emot."


def test_more_than_the_unpacked_limit(app_ctx, tmp_path, unchanged, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "SCORM_MAX_UNPACKED_MB", 1)
    noise = os.urandom(1024 * 1024 + 1)  # does not compress: only the size is too much
    path = packages.build_zip(tmp_path / "p.zip", {**GOOD_FILES, "film.bin": noise})
    assert refused(path, unchanged).startswith("Paketet blir 1 MB uppackat; högst 1 MB tas emot.")


def test_the_default_limits(app_ctx):
    limits = scorm.Limits.from_config(app_ctx.config)
    assert limits == scorm.Limits(10_000, 500 * 1024 * 1024, 100.0)


def test_a_suspicious_compression_ratio(tmp_path, unchanged):
    path = packages.build_zip(tmp_path / "p.zip", {**GOOD_FILES, "nollor.txt": b"\0" * 5_000_000})
    message = refused(path, unchanged)
    assert "zip-bomb" in message
    assert "högst 100 gånger" in message


def test_a_zip_that_lies_about_its_sizes(tmp_path, unchanged):
    """The declared sizes pass; the extraction finds the lie (and leaves nothing behind)."""
    path = packages.build_zip(tmp_path / "p.zip", {**GOOD_FILES, "stor.txt": os.urandom(200_000)})
    data = bytearray(path.read_bytes())
    # The central directory's record of stor.txt (46 bytes before its name, which comes
    # last in the file): its uncompressed size, at offset 24, 200000 -> 100.
    entry = data.rindex(b"stor.txt") - 46
    assert data[entry : entry + 4] == b"PK\x01\x02"
    data[entry + 24 : entry + 28] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    assert "”stor.txt” i paketet kan inte packas upp" in refused(path, unchanged)


def test_no_launchable_item(tmp_path, unchanged):
    manifest = MANIFEST_12.replace('adlcp:scormtype="sco"', 'adlcp:scormtype="asset"')
    path = packages.build_zip(tmp_path / "p.zip", {**GOOD_FILES, "imsmanifest.xml": manifest})
    assert refused(path, unchanged).startswith("Paketet har ingen startbar punkt")
    manifest = MANIFEST_12.replace(
        '<organization identifier="ORG-1"><title>Trasig kurs</title>', "<!--", 1
    ).replace("</organization>", "-->", 1)
    path = packages.build_zip(tmp_path / "q.zip", {**GOOD_FILES, "imsmanifest.xml": manifest})
    assert "ingen organisation" in refused(path, unchanged)


def test_an_item_pointing_at_no_resource(tmp_path, unchanged):
    manifest = MANIFEST_12.replace('identifierref="R1"', 'identifierref="R9"')
    path = packages.build_zip(tmp_path / "p.zip", {**GOOD_FILES, "imsmanifest.xml": manifest})
    assert refused(path, unchanged) == (
        "imsmanifest.xml: punkten ”I1” hänvisar till resursen ”R9”, som inte finns."
    )


def test_an_unknown_scorm_version(tmp_path, unchanged):
    manifest = MANIFEST_12.replace(
        "<schemaversion>1.2</schemaversion>", "<schemaversion>1.1</schemaversion>"
    )
    path = packages.build_zip(tmp_path / "p.zip", {**GOOD_FILES, "imsmanifest.xml": manifest})
    assert "SCORM-versionen ”1.1”" in refused(path, unchanged)


def test_not_a_manifest(tmp_path, unchanged):
    path = packages.build_zip(tmp_path / "p.zip", {**GOOD_FILES, "imsmanifest.xml": "<html/>"})
    assert "inte <manifest>" in refused(path, unchanged)


def test_a_package_named_like_a_course_folder(make, tmp_path, unchanged):
    """A package whose slug is taken by one of Värna's own courses: refused after the
    extraction, so the extracted folder must go again."""
    make.course("scorm-se-exempel-trasig")
    path = packages.build_zip(tmp_path / "p.zip", GOOD_FILES)
    assert "finns redan som en av Värnas egna kurser" in refused(path, unchanged)


def test_a_rolled_back_import_takes_its_folder_with_it(app_ctx, tmp_path, unchanged):
    unchanged.take()
    result = scorm.import_package(
        db.session, packages.build_zip(tmp_path / "p.zip", GOOD_FILES), actor=None
    )
    assert scorm.package_folder(result.version.content).is_dir()
    db.session.rollback()
    unchanged.check()


def test_refusals_from_a_file_object(tmp_path, unchanged):
    with open(packages.build_zip(tmp_path / "p.zip", {"a.txt": "x"}), "rb") as f:
        assert "ingen imsmanifest.xml" in refused(f, unchanged)
    assert Path(tmp_path / "p.zip").exists()


def test_a_name_too_long_to_store(tmp_path, unchanged):
    name = "a" * 300 + ".html"
    message = refused(packages.build_zip(tmp_path / "p.zip", {**GOOD_FILES, name: "x"}), unchanged)
    assert message.endswith(
        "har ett namn som inte går att spara (för långt eller med otillåtna tecken)."
    )
