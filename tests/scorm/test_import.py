"""Importing SCORM packages: what the manifest gives, versions, and the file store."""

from __future__ import annotations

import stat
import unicodedata
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.courses import scorm
from app.extensions import db
from app.models import AuditEvent, Course, CourseKind, Progress
from tests.scorm import packages


@pytest.fixture
def store(app) -> Path:
    return Path(app.config["UPLOAD_DIR"]) / scorm.SUBDIR


def test_a_scorm_12_package_becomes_a_course(app_ctx, tmp_path, store):
    zip_path = packages.scorm12_single(tmp_path, mastery_score=80)
    result = scorm.import_package(db.session, zip_path, actor=None)
    db.session.commit()

    course = db.session.scalar(sa.select(Course))
    assert course.slug == "scorm-se-exempel-bemotande-12"
    assert course.kind == CourseKind.SCORM
    assert course.title == "Bemötande vid våld i nära relationer"
    assert result.created_course
    assert result.new_version
    version = course.versions[0]
    assert version.is_current
    assert version.version == "1.0"
    content = version.content
    assert content["format"] == "scorm"
    assert content["scorm_version"] == "1.2"
    assert content["identifier"] == "se.exempel.bemotande-12"
    assert content["items"] == [
        {
            "identifier": "ITEM-1",
            "title": "Lektion 1",
            "href": "sco1/index.html",
            "mastery_score": 80,
            "completion_threshold": None,
            "scaled_passing_score": None,
        }
    ]
    assert content["settings"] == {"content_warning": "", "support": []}
    folder = store / content["package_dir"]
    assert content["package_dir"] == version.content_hash
    assert (folder / "sco1" / "index.html").read_text().startswith("<!doctype html>")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "sco1" / "index.html").stat().st_mode) == 0o600
    assert not [p.name for p in store.iterdir() if p.name.startswith(".")]
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "course.scorm_import")
    )
    assert event.details["slug"] == course.slug
    assert event.details["version"] == "1.0"


def test_courses_sync_leaves_a_scorm_course_alone(app_ctx, tmp_path):
    from app.courses.services import sync_courses

    scorm.import_package(db.session, packages.scorm12_single(tmp_path), actor=None)
    db.session.commit()
    (tmp_path / "empty").mkdir()
    report = sync_courses(db.session, tmp_path / "empty")
    db.session.commit()
    assert report.deactivated == []
    assert db.session.scalar(sa.select(Course.active)) is True


def _versions(course: Course) -> list[tuple[str, bool]]:
    db.session.refresh(course)
    return [(v.version, v.is_current) for v in course.versions]


def test_a_new_upload_of_the_same_package_is_a_new_version(app_ctx, make, tmp_path, store):
    first = scorm.import_package(db.session, packages.scorm12_single(tmp_path / "a"), actor=None)
    db.session.commit()
    course, old = first.course, first.version
    # A learner is in the middle of version 1.0.
    learner = make.employee(unit=make.unit())
    db.session.add(Progress(employee_id=learner.id, course_version_id=old.id))
    db.session.commit()

    second = scorm.import_package(
        db.session, packages.scorm12_single(tmp_path / "b", score=70, mastery_score=60), actor=None
    )
    db.session.commit()
    assert second.new_version
    assert not second.created_course
    assert second.course.id == course.id
    assert _versions(course) == [("1.0", False), ("2.0", True)]
    assert second.version.content["items"][0]["mastery_score"] == 60
    assert "ny version 2.0" in second.message
    # The learner keeps version 1.0, and its files are still there.
    progress = db.session.scalar(sa.select(Progress))
    assert progress.course_version_id == old.id
    assert (store / old.content_hash / "sco1" / "index.html").is_file()
    assert (store / second.version.content_hash / "sco1" / "index.html").is_file()


def test_the_same_zip_again_adds_nothing(app_ctx, tmp_path):
    path = packages.scorm12_single(tmp_path)
    scorm.import_package(db.session, path, actor=None)
    db.session.commit()
    events = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))

    again = scorm.import_package(db.session, path, actor=None)
    db.session.commit()
    assert not again.new_version
    assert "inget ändrat" in again.message
    assert _versions(again.course) == [("1.0", True)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == events


def test_an_earlier_zip_makes_its_version_current_again(app_ctx, tmp_path):
    a = packages.scorm12_single(tmp_path / "a")
    b = packages.scorm12_single(tmp_path / "b", score=70)
    for path in (a, b):
        scorm.import_package(db.session, path, actor=None)
        db.session.commit()
    back = scorm.import_package(db.session, a, actor=None)
    db.session.commit()
    assert back.reverted
    assert not back.new_version
    assert _versions(back.course) == [("1.0", True), ("2.0", False)]


def test_hr_settings_go_with_a_new_version(app_ctx, tmp_path):
    first = scorm.import_package(db.session, packages.scorm12_single(tmp_path / "a"), actor=None)
    db.session.commit()
    settings = scorm.CourseSettings(
        summary="Om bemötande.",
        minutes=25,
        levels=("chef",),
        prevention_levels=("universal",),
        valid_months=24,
        content_warning="Kursen beskriver våld.",
        support=(scorm.SupportContact("Kvinnofridslinjen", "020-50 50 50", "Dygnet runt"),),
    )
    assert scorm.update_settings(db.session, first.course, settings, actor=None)
    db.session.commit()
    assert _versions(first.course) == [("1.0", True)]  # settings make no version

    second = scorm.import_package(
        db.session, packages.scorm12_single(tmp_path / "b", score=70), actor=None
    )
    db.session.commit()
    assert second.version.content["settings"] == {
        "content_warning": "Kursen beskriver våld.",
        "support": [{"name": "Kvinnofridslinjen", "phone": "020-50 50 50", "hours": "Dygnet runt"}],
    }
    assert second.version.valid_months == 24
    assert scorm.settings_of(db.session, second.course) == settings
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "course.scorm_settings")
    )
    assert event.details["after"]["valid_months"] == 24
    assert event.details["before"]["valid_months"] is None
    # The same settings again change nothing and are not logged.
    assert not scorm.update_settings(db.session, second.course, settings, actor=None)


def test_scorm_2004_fourth_edition(app_ctx, tmp_path):
    result = scorm.import_package(db.session, packages.scorm2004(tmp_path), actor=None)
    content = result.version.content
    assert content["scorm_version"] == "2004-4"
    assert content["title"] == "Hot och våld i arbetet"
    assert content["items"] == [
        {
            "identifier": "ITEM-1",
            "title": "Risker och stöd",
            "href": "index.html",
            "mastery_score": None,
            "completion_threshold": 0.8,
            "scaled_passing_score": 0.7,
        }
    ]
    assert result.course.pass_mark == 70


def test_scorm_2004_third_edition(app_ctx, tmp_path):
    result = scorm.import_package(
        db.session, packages.scorm2004(tmp_path, edition=3, threshold=0.5), actor=None
    )
    assert result.version.content["scorm_version"] == "2004-3"
    assert result.version.content["items"][0]["completion_threshold"] == 0.5


def test_a_multi_sco_package_lists_its_scos_in_order(app_ctx, tmp_path, store):
    result = scorm.import_package(db.session, packages.multi_sco(tmp_path), actor=None)
    items = result.version.content["items"]
    assert [(i["identifier"], i["title"], i["href"]) for i in items] == [
        ("DEL-1", "Del 1", "del1/index.html"),
        ("DEL-2", "Del 2", "del2/index.html"),
        ("DEL-3", "Del 3", "del3/index.html"),
    ]
    assert (store / result.version.content_hash / "gemensamt" / "bild.svg").is_file()


def test_xml_base_parameters_and_the_default_organisation(app_ctx, tmp_path):
    items = (
        '<item identifier="A" identifierref="R1" parameters="?del=1"><title>A</title></item>'
        '<item identifier="B" identifierref="R2" parameters="sida=2"><title>B</title></item>'
    )
    resources = (
        '<resource identifier="R1" type="webcontent" adlcp:scormtype="sco" xml:base="del%201/" '
        'href="start.html?lang=sv"/>'
        '<resource identifier="R2" type="webcontent" adlcp:scormtype="sco" href="b.html"/>'
    )
    manifest = packages.manifest_12("se.exempel.bas", "Bas", items, resources).replace(
        "<resources>", '<resources xml:base="innehall/">'
    )
    # A second organisation, first in the file, that is not the default.
    manifest = manifest.replace(
        '<organizations default="ORG-1">',
        '<organizations default="ORG-1"><organization identifier="ORG-0"><title>Fel</title>'
        '<item identifier="X" identifierref="R2"><title>X</title></item></organization>',
    )
    path = packages.build_zip(
        tmp_path / "p.zip",
        {
            "imsmanifest.xml": manifest,
            "innehall/del 1/start.html": "a",
            "innehall/b.html": "b",
        },
    )
    result = scorm.import_package(db.session, path, actor=None)
    content = result.version.content
    assert content["title"] == "Bas"
    assert [i["href"] for i in content["items"]] == [
        "innehall/del%201/start.html?lang=sv&del=1",  # a URL: percent-encoded
        "innehall/b.html?sida=2",
    ]


def test_a_1_2_manifest_without_schemaversion_is_told_by_its_namespace(app_ctx, tmp_path):
    manifest = packages.manifest_12(
        "se.exempel.utan",
        "Utan version",
        '<item identifier="I" identifierref="R"><title>I</title></item>',
        packages.sco_resource("R", "index.html"),
        schemaversion=None,
    )
    path = packages.build_zip(tmp_path / "p.zip", {"imsmanifest.xml": manifest, "index.html": "x"})
    assert (
        scorm.import_package(db.session, path, actor=None).version.content["scorm_version"] == "1.2"
    )


def test_slugs():
    assert scorm.slug_for("se.exempel.Bemötande_12") == "scorm-se-exempel-bemotande-12"
    assert len(scorm.slug_for("x" * 300)) == 100
    assert scorm.slug_for("åäö").startswith("scorm-aao")
    assert scorm.slug_for("???").startswith("scorm-")
    assert len(scorm.slug_for("???")) > len("scorm-")


class _Unflagged(zipfile.ZipInfo):
    """A name written as its bytes, without the UTF-8 flag (as many zip tools do)."""

    def _encodeFilenameFlags(self):  # noqa: N802 (zipfile's name)
        return self.filename.encode("cp437"), self.flag_bits


def test_names_as_other_zip_tools_write_them(app_ctx, tmp_path, store):
    """A UTF-8 name without the UTF-8 flag (read as code page 437), and a decomposed
    "ö" (macOS): both match the manifest's "övning/ö.html" and are stored as written there."""
    manifest = packages.manifest_12(
        "se.exempel.namn",
        "Namn",
        '<item identifier="I" identifierref="R"><title>I</title></item>'
        '<item identifier="J" identifierref="S"><title>J</title></item>',
        packages.sco_resource("R", "övning/ö.html") + packages.sco_resource("S", "två.html"),
    )
    path = tmp_path / "p.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("imsmanifest.xml", manifest)
        archive.writestr(unicodedata.normalize("NFD", "övning/ö.html"), "a")
        archive.writestr(_Unflagged("två.html".encode().decode("cp437")), "b")
    with zipfile.ZipFile(path) as archive:
        assert not archive.getinfo("två.html".encode().decode("cp437")).flag_bits & 0x800
    result = scorm.import_package(db.session, path, actor=None)
    assert [i["href"] for i in result.version.content["items"]] == [
        "%C3%B6vning/%C3%B6.html",
        "tv%C3%A5.html",
    ]
    folder = store / result.version.content_hash
    assert (folder / "övning" / "ö.html").read_text() == "a"
    assert (folder / "två.html").read_text() == "b"


def test_deeply_nested_items(app_ctx, tmp_path):
    depth = 3000  # deeper than Python's recursion limit
    items = '<item identifier="I0"><title>0</title>' * depth
    items += '<item identifier="SCO" identifierref="R"><title>Längst in</title></item>'
    items += "</item>" * depth
    manifest = packages.manifest_12(
        "se.exempel.djup", "Djup", items, packages.sco_resource("R", "a.html")
    )
    path = packages.build_zip(tmp_path / "p.zip", {"imsmanifest.xml": manifest, "a.html": "x"})
    result = scorm.import_package(db.session, path, actor=None)
    assert [i["title"] for i in result.version.content["items"]] == ["Längst in"]
