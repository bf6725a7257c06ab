"""Bought-in courses: a SCORM 1.2 or 2004 (3rd/4th edition) zip becomes a Course.

import_package() checks the whole zip and its imsmanifest.xml before anything is
written, extracts it into a temporary folder beside the file store, adds the
course/version and flushes, and only then moves the folder into place
(UPLOAD_DIR/scorm/<sha256 of the zip>/). A refusal raises PackageRefused with a
Swedish message naming the problem, and leaves the database and the file store as
they were; a rollback of the caller's transaction removes a folder this import put
in place. docs/scorm.md describes the whole flow.

The manifest is parsed with defusedxml: a package is foreign input, and a DTD or
an entity (the "billion laughs") is refused instead of expanded.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import shutil
import stat
import struct
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any
from urllib.parse import quote, unquote, urlsplit
from xml.etree.ElementTree import Element, ParseError

import sqlalchemy as sa
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from flask import current_app, has_app_context
from sqlalchemy.orm import Session, scoped_session

from app.maintenance.files import FILE_MODE, FOLDER_MODE, private_folder
from app.models import Course, CourseKind, CourseVersion, Employee
from app.records import audit

__all__ = [
    "MANIFEST",
    "SUBDIR",
    "ImportResult",
    "Limits",
    "PackageRefused",
    "ParsedPackage",
    "import_package",
    "package_folder",
    "parse_manifest",
    "slug_for",
]

MANIFEST = "imsmanifest.xml"
SUBDIR = "scorm"  # under UPLOAD_DIR
SLUG_PREFIX = "scorm-"
SLUG_MAX = 100
MANIFEST_MAX_BYTES = 10 * 1024 * 1024
CHUNK = 1024 * 1024
# Below this unpacked size a high compression ratio harms no one (a long, repetitive
# manifest compresses 100:1 and more): the ratio is only checked above it.
RATIO_FLOOR = 1024 * 1024


class PackageRefused(Exception):
    """The package is not taken; `message` (Swedish) says why, for HR."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limits:
    max_files: int = 10_000
    max_unpacked_bytes: int = 500 * 1024 * 1024
    max_ratio: float = 100.0

    @classmethod
    def from_config(cls, config: Any) -> Limits:
        return cls(
            max_files=int(config.get("SCORM_MAX_FILES", 10_000)),
            max_unpacked_bytes=int(config.get("SCORM_MAX_UNPACKED_MB", 500)) * 1024 * 1024,
            max_ratio=float(config.get("SCORM_MAX_RATIO", 100)),
        )


@dataclass
class ParsedPackage:
    """What the manifest says, as stored in CourseVersion.content (less package_dir)."""

    scorm_version: str  # "1.2" | "2004-3" | "2004-4"
    identifier: str
    title: str
    items: list[dict[str, Any]]


@dataclass
class ImportResult:
    course: Course
    version: CourseVersion
    created_course: bool  # the package identifier was new
    new_version: bool  # False: the same zip as the current version, nothing changed
    reverted: bool = False  # the zip of an earlier version: that version is current again
    package: ParsedPackage | None = field(default=None, repr=False)

    @property
    def message(self) -> str:
        c, v = self.course, self.version
        if self.created_course:
            return f"Ny kurs: {c.title} ({c.slug}), version {v.version}."
        if self.reverted:
            return f"{c.title} ({c.slug}): version {v.version} gäller igen (samma paket som då)."
        if self.new_version:
            return f"{c.title} ({c.slug}): ny version {v.version}."
        return f"{c.title} ({c.slug}): paketet är detsamma som version {v.version}, inget ändrat."


# --- the zip --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    info: zipfile.ZipInfo
    path: str  # normalised, relative, "/"-separated


_DRIVE = re.compile(r"^[A-Za-z]:")


def _entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's name as its maker meant it: many zip tools write UTF-8 names without
    setting the UTF-8 flag, which zipfile then reads as code page 437 ("├╢" for "ö")."""
    name = info.filename
    if not info.flag_bits & 0x800 and not name.isascii():
        with contextlib.suppress(UnicodeError):
            name = name.encode("cp437").decode("utf-8")
    return name


def _safe_name(raw: str) -> str:
    """The entry's path inside the package (NFC, "/"-separated), or a refusal when it
    could leave the package."""
    shown = raw if len(raw) <= 200 else raw[:200] + "…"
    if any(unicodedata.category(ch) == "Cc" for ch in raw):
        raise PackageRefused(f"Sökvägen {shown!r} i paketet innehåller styrtecken.")
    name = raw.replace("\\", "/")
    if name.startswith("/") or _DRIVE.match(name):
        raise PackageRefused(
            f"Sökvägen ”{shown}” i paketet är absolut; alla filer måste ligga inne i paketet."
        )
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise PackageRefused(
            f"Sökvägen ”{shown}” i paketet går ut ur paketet (..); alla filer måste ligga inne i paketet."
        )
    if any(_DRIVE.match(p) for p in parts):
        raise PackageRefused(f"Sökvägen ”{shown}” i paketet innehåller en enhetsbokstav.")
    # NFC: a zip made on a Mac spells "ö" as "o" + a combining mark; the manifest may not.
    return unicodedata.normalize("NFC", "/".join(parts))


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return info.create_system == 3 and stat.S_ISLNK(mode)


def _entries(archive: zipfile.ZipFile, archive_size: int, limits: Limits) -> list[_Entry]:
    """Every file entry, checked: paths, links, counts, sizes and compression ratio."""
    infos = archive.infolist()
    files = [i for i in infos if not i.is_dir()]
    if len(files) > limits.max_files:
        raise PackageRefused(f"Paketet har {len(files)} filer; högst {limits.max_files} tas emot.")
    entries: list[_Entry] = []
    seen: dict[str, str] = {}
    folders: set[str] = set()
    total = 0
    for info in infos:
        name = _entry_name(info)
        path = _safe_name(name)
        if _is_symlink(info):
            raise PackageRefused(f"”{name}” i paketet är en länk (symlink); länkar tas inte emot.")
        if info.flag_bits & 0x1:
            raise PackageRefused(f"”{name}” i paketet är krypterad och kan inte läsas.")
        if info.is_dir() or not path:
            continue
        mode = info.external_attr >> 16
        if info.create_system == 3 and stat.S_IFMT(mode) not in (0, stat.S_IFREG):
            raise PackageRefused(f"”{name}” i paketet är inte en vanlig fil.")
        if path in seen:
            raise PackageRefused(f"Filen ”{path}” finns två gånger i paketet.")
        seen[path] = name
        parent = PurePosixPath(path).parent
        while str(parent) != ".":
            folders.add(str(parent))
            parent = parent.parent
        total += info.file_size
        entries.append(_Entry(info, path))
    clash = sorted(folders & seen.keys())
    if clash:
        raise PackageRefused(f"”{clash[0]}” i paketet är både en fil och en mapp.")
    if total > limits.max_unpacked_bytes:
        raise PackageRefused(
            f"Paketet blir {_mb(total)} uppackat; högst {_mb(limits.max_unpacked_bytes)} tas emot."
        )
    if total > RATIO_FLOOR and total / archive_size > limits.max_ratio:
        raise PackageRefused(
            f"Paketet packas upp till {round(total / archive_size)} gånger sin storlek "
            f"(högst {limits.max_ratio:g} gånger): det ser ut som en zip-bomb och tas inte emot."
        )
    return entries


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size} byte"


# --- the manifest ----------------------------------------------------------------------


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(node: Element, name: str) -> list[Element]:
    return [c for c in node if _local(c.tag) == name]


def _child(node: Element, name: str) -> Element | None:
    found = _children(node, name)
    return found[0] if found else None


def _attr(node: Element, name: str) -> str | None:
    """An attribute by local name, whatever its namespace (adlcp:scormtype, scormType)."""
    for key, value in node.attrib.items():
        if _local(key).lower() == name.lower():
            return value
    return None


def _text(node: Element | None) -> str:
    return (node.text or "").strip() if node is not None else ""


XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


def _scorm_version(root: Element, namespaces: set[str]) -> str:
    metadata = _child(root, "metadata")
    version = _text(_child(metadata, "schemaversion")) if metadata is not None else ""
    if version:
        normal = version.lower()
        if normal == "1.2":
            return "1.2"
        if "4th" in normal:
            return "2004-4"
        if "3rd" in normal or normal in ("cam 1.3", "2004"):
            return "2004-3"
        raise PackageRefused(
            f"imsmanifest.xml anger SCORM-versionen ”{version}”; Värna tar emot SCORM 1.2 "
            "och SCORM 2004 3rd och 4th Edition."
        )
    if any("adlcp_rootv1p2" in ns for ns in namespaces):
        return "1.2"
    if any("adlcp_v1p3" in ns for ns in namespaces):
        return "2004-3"
    raise PackageRefused(
        "imsmanifest.xml säger inte vilken SCORM-version paketet är (schemaversion saknas "
        "och inget ADL-namnområde används): det ser inte ut som ett SCORM-paket."
    )


def _number(text: str, what: str, low: float, high: float) -> float | int | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise PackageRefused(f"imsmanifest.xml: {what} ”{text}” är inte ett tal.") from None
    if not low <= value <= high:
        raise PackageRefused(f"imsmanifest.xml: {what} {text} ligger utanför {low:g}–{high:g}.")
    return int(value) if value.is_integer() and high > 1 else value


def _join_base(*parts: str | None) -> str:
    """xml:base values and an href joined as relative URLs ("a/" + "b/" + "c.html")."""
    out = ""
    for part in parts:
        if not part:
            continue
        if urlsplit(part).scheme or part.startswith("/"):
            out = part
        elif out and not out.endswith("/"):
            out = out.rsplit("/", 1)[0] + "/" + part if "/" in out else part
        else:
            out += part
    return out


def _with_parameters(href: str, parameters: str | None) -> str:
    """SCORM CAM's rule for an item's parameters appended to its resource's href."""
    if not parameters:
        return href
    parameters = parameters.strip()
    while parameters[:1] in ("?", "&"):
        parameters = parameters[1:]
    if not parameters:
        return href
    if parameters.startswith("#"):
        return href if "#" in href else href + parameters
    return href + ("&" if "?" in href else "?") + parameters


def _launch_path(href: str) -> str:
    """The file an href points at, relative to the package root; refused if outside."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        raise PackageRefused(
            f"Startfilen ”{href}” pekar utanför paketet; den måste vara en fil i paketet."
        )
    path = unquote(parts.path)
    if not path:
        raise PackageRefused(f"Startfilen ”{href}” anger ingen fil.")
    try:
        return _safe_name(path)
    except PackageRefused:
        raise PackageRefused(
            f"Startfilen ”{href}” pekar utanför paketet; den måste vara en fil i paketet."
        ) from None


def parse_manifest(data: bytes, files: set[str] | None = None) -> ParsedPackage:
    """The manifest's default organisation as launchable items, or PackageRefused.

    `files` (paths in the package) is used to check that every launch file exists.
    """
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        reason = str(exc).split(":", 1)[0]
        raise PackageRefused(
            f"imsmanifest.xml är inte giltig XML: rad {line}, kolumn {(column or 0) + 1} "
            f"({reason})."
        ) from None
    except DefusedXmlException:
        raise PackageRefused(
            "imsmanifest.xml innehåller en DTD eller entiteter; sådana tas inte emot."
        ) from None
    if _local(root.tag) != "manifest":
        raise PackageRefused(
            f"imsmanifest.xml börjar med <{_local(root.tag)}>, inte <manifest>: det är inte "
            "ett SCORM-manifest."
        )
    namespaces = {t[1:].split("}", 1)[0] for t in _all_names(root) if t.startswith("{")}
    scorm_version = _scorm_version(root, namespaces)
    identifier = (_attr(root, "identifier") or "").strip()
    if not identifier:
        raise PackageRefused("imsmanifest.xml: <manifest> saknar attributet identifier.")

    resources_node = _child(root, "resources")
    resources: dict[str, Element] = {}
    if resources_node is not None:
        for res in _children(resources_node, "resource"):
            rid = _attr(res, "identifier")
            if rid:
                resources[rid] = res
    manifest_base = root.get(XML_BASE)
    resources_base = resources_node.get(XML_BASE) if resources_node is not None else None

    organizations = _child(root, "organizations")
    orgs = _children(organizations, "organization") if organizations is not None else []
    if not orgs:
        raise PackageRefused(
            "imsmanifest.xml har ingen organisation (<organization>): paketet har inget att starta."
        )
    default = _attr(organizations, "default") if organizations is not None else None
    org = next((o for o in orgs if _attr(o, "identifier") == default), orgs[0])
    title = _text(_child(org, "title")) or identifier

    items: list[dict[str, Any]] = []
    for item in _walk_items(org):
        ref = _attr(item, "identifierref")
        if not ref:
            continue
        res = resources.get(ref)
        if res is None:
            raise PackageRefused(
                f"imsmanifest.xml: punkten ”{_attr(item, 'identifier')}” hänvisar till resursen "
                f"”{ref}”, som inte finns."
            )
        kind = (_attr(res, "scormtype") or "").lower()
        if kind != "sco":
            continue  # an asset: shown by a SCO, not launched on its own
        raw_href = _attr(res, "href")
        if not raw_href:
            raise PackageRefused(f"imsmanifest.xml: resursen ”{ref}” saknar href (startfilen).")
        href = _join_base(manifest_base, resources_base, res.get(XML_BASE), raw_href)
        path = _launch_path(href)
        if files is not None and path not in files:
            raise PackageRefused(f"Startfilen ”{path}” (resursen ”{ref}”) finns inte i paketet.")
        split = urlsplit(href)
        href = quote(path) + (f"?{split.query}" if split.query else "")
        href += f"#{split.fragment}" if split.fragment else ""
        items.append(
            {
                "identifier": _attr(item, "identifier") or ref,
                "title": _text(_child(item, "title")) or title,
                "href": _with_parameters(href, _attr(item, "parameters")),
                **_thresholds(item, scorm_version),
            }
        )
    if not items:
        raise PackageRefused(
            "Paketet har ingen startbar punkt: ingen <item> i standardorganisationen hänvisar "
            "till en resurs av typen sco."
        )
    return ParsedPackage(scorm_version, identifier, title, items)


def _all_names(root: Element) -> Iterator[str]:
    for node in root.iter():
        if isinstance(node.tag, str):
            yield node.tag
        yield from node.attrib


def _walk_items(node: Element) -> Iterator[Element]:
    """Items depth-first in document order, without recursion (any depth of nesting)."""
    stack = list(reversed(_children(node, "item")))
    while stack:
        item = stack.pop()
        yield item
        stack.extend(reversed(_children(item, "item")))


def _thresholds(item: Element, scorm_version: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "mastery_score": None,
        "completion_threshold": None,
        "scaled_passing_score": None,
    }
    if scorm_version == "1.2":
        out["mastery_score"] = _number(_text(_child(item, "masteryscore")), "masteryscore", 0, 100)
        return out
    threshold = _child(item, "completionThreshold")
    if threshold is not None:
        # 4th edition: minProgressMeasure="0.8"; 3rd edition: the element's text.
        value = _attr(threshold, "minProgressMeasure") or _text(threshold)
        out["completion_threshold"] = _number(value, "completionThreshold", 0, 1)
    sequencing = _child(item, "sequencing")
    objectives = _child(sequencing, "objectives") if sequencing is not None else None
    primary = _child(objectives, "primaryObjective") if objectives is not None else None
    if primary is not None and (_attr(primary, "satisfiedByMeasure") or "").lower() == "true":
        measure = _text(_child(primary, "minNormalizedMeasure")) or "1.0"
        out["scaled_passing_score"] = _number(measure, "minNormalizedMeasure", -1, 1)
    return out


# --- import ------------------------------------------------------------------------------


def slug_for(identifier: str) -> str:
    """ "scorm-" + the package identifier made a slug (a-z, 0-9, -), at most 100 characters."""
    ascii_text = unicodedata.normalize("NFKD", identifier).encode("ascii", "ignore").decode()
    body = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if not body:
        body = hashlib.sha256(identifier.encode()).hexdigest()[:16]
    return (SLUG_PREFIX + body)[:SLUG_MAX].rstrip("-")


def scorm_root(upload_dir: str | Path | None = None) -> Path:
    return Path(upload_dir or current_app.config["UPLOAD_DIR"]) / SUBDIR


def package_folder(content: dict[str, Any], upload_dir: str | Path | None = None) -> Path:
    """The folder a SCORM version's files are in (content["package_dir"])."""
    name = content["package_dir"]
    if not re.fullmatch(r"[0-9a-f]{64}", name or ""):
        raise ValueError("not a package folder name")
    return scorm_root(upload_dir) / name


def _open_zip(source: str | Path | IO[bytes]) -> tuple[IO[bytes], bool]:
    """A seekable binary file for the zip, and whether this module opened it."""
    if isinstance(source, str | Path):
        try:
            return open(source, "rb"), True  # noqa: SIM115 (closed by import_package)
        except OSError as exc:
            raise PackageRefused(f"Filen ”{source}” kan inte läsas: {exc.strerror}.") from None
    if source.seekable():
        source.seek(0)
        return source, False
    spool = tempfile.SpooledTemporaryFile(max_size=CHUNK * 8)  # noqa: SIM115
    shutil.copyfileobj(source, spool, CHUNK)
    spool.seek(0)
    return spool, True


def _hash_and_size(stream: IO[bytes]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    stream.seek(0)
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    stream.seek(0)
    return digest.hexdigest(), size


def _check_entry_count(stream: IO[bytes], limits: Limits) -> None:
    """Refuse a zip with too many entries from its end record, before zipfile builds an
    object for each one (millions of tiny entries fit in an upload)."""
    try:
        end = zipfile._EndRecData(stream)  # zipfile's own reader of the end record
        declared = end[zipfile._ECD_ENTRIES_TOTAL] if end else None
    except (AttributeError, OSError, IndexError, struct.error):
        declared = None
    finally:
        stream.seek(0)
    # Folders are entries too: allow as many again before counting only the files.
    if declared is not None and declared > 2 * limits.max_files:
        raise PackageRefused(
            f"Paketet har {declared} filer och mappar; högst {limits.max_files} filer tas emot."
        )


def _find_manifest(entries: list[_Entry]) -> _Entry:
    by_path = {e.path: e for e in entries}
    if MANIFEST in by_path:
        return by_path[MANIFEST]
    elsewhere = sorted(
        (e.path for e in entries if PurePosixPath(e.path).name.lower() == MANIFEST),
        key=lambda p: (p.count("/"), p),
    )
    if elsewhere:
        where = elsewhere[0]
        hint = (
            "packa om zip-filen så att imsmanifest.xml ligger överst"
            if "/" in where
            else "namnet måste skrivas med små bokstäver"
        )
        raise PackageRefused(
            f"imsmanifest.xml finns inte överst i paketet; en hittades som ”{where}” ({hint})."
        )
    raise PackageRefused("Paketet har ingen imsmanifest.xml överst: det är inte ett SCORM-paket.")


def _read_manifest(archive: zipfile.ZipFile, entry: _Entry) -> bytes:
    if entry.info.file_size > MANIFEST_MAX_BYTES:
        raise PackageRefused(f"imsmanifest.xml är större än {_mb(MANIFEST_MAX_BYTES)}.")
    try:
        with archive.open(entry.info) as member:
            return member.read(MANIFEST_MAX_BYTES + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise PackageRefused(f"imsmanifest.xml kan inte packas upp ({exc}).") from None


def _extract(archive: zipfile.ZipFile, entries: list[_Entry], target: Path, limits: Limits) -> None:
    """Every file into target (owner-only), counting the bytes actually written."""
    written = 0
    for entry in entries:
        dest = target.joinpath(*entry.path.split("/"))
        if not dest.resolve().is_relative_to(target.resolve()):  # belt and braces
            raise PackageRefused(f"Sökvägen ”{entry.path}” går ut ur paketet.")
        try:
            _private_dirs(dest.parent, target)
            fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        except OSError as exc:
            if exc.errno in (errno.ENAMETOOLONG, errno.EILSEQ, errno.EINVAL):
                raise PackageRefused(
                    f"”{entry.path}” i paketet har ett namn som inte går att spara "
                    "(för långt eller med otillåtna tecken)."
                ) from None
            raise
        try:
            with os.fdopen(fd, "wb") as out, archive.open(entry.info) as member:
                while chunk := member.read(CHUNK):
                    written += len(chunk)
                    if written > limits.max_unpacked_bytes:
                        raise PackageRefused(
                            "Paketet blir större uppackat än det uppger; högst "
                            f"{_mb(limits.max_unpacked_bytes)} tas emot."
                        )
                    out.write(chunk)
        except (zipfile.BadZipFile, EOFError, NotImplementedError, ValueError) as exc:
            raise PackageRefused(f"”{entry.path}” i paketet kan inte packas upp ({exc}).") from None


def _private_dirs(folder: Path, top: Path) -> None:
    missing = []
    while folder != top and not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for f in reversed(missing):
        f.mkdir(mode=FOLDER_MODE)
        f.chmod(FOLDER_MODE)


def import_package(
    session: Session,
    zip_path_or_file: str | Path | IO[bytes],
    *,
    actor: Employee | None,
    actor_id: int | None = None,
    filename: str | None = None,
    upload_dir: str | Path | None = None,
    limits: Limits | None = None,
) -> ImportResult:
    """Validate, extract and add the package as a course (or a new version); flushes only.

    Raises PackageRefused; then nothing in the database or under UPLOAD_DIR has changed.
    The same zip as the current version adds nothing; the same identifier with other
    content adds a version (learners in progress keep theirs, as for course folders).
    """
    if limits is None:
        limits = Limits.from_config(current_app.config) if has_app_context() else Limits()
    root = scorm_root(upload_dir)
    if filename is None and isinstance(zip_path_or_file, str | Path):
        filename = Path(zip_path_or_file).name
    stream, owned = _open_zip(zip_path_or_file)
    staged: Path | None = None
    try:
        content_hash, size = _hash_and_size(stream)
        if size == 0:
            raise PackageRefused("Filen är tom: det är inte en zip-fil.")
        _check_entry_count(stream, limits)
        try:
            archive = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, OSError, ValueError):
            raise PackageRefused(
                "Filen är inte en zip-fil; ett SCORM-paket är en zip-fil med imsmanifest.xml överst."
            ) from None
        with archive:
            entries = _entries(archive, size, limits)
            manifest = _find_manifest(entries)
            package = parse_manifest(_read_manifest(archive, manifest), {e.path for e in entries})
            final = root / content_hash
            if not final.is_dir():
                private_folder(root)
                staged = Path(tempfile.mkdtemp(prefix=".incoming-", dir=root))
                try:
                    staged.chmod(FOLDER_MODE)
                    _extract(archive, entries, staged, limits)
                except BaseException:
                    shutil.rmtree(staged, ignore_errors=True)
                    raise
    finally:
        if owned:
            stream.close()

    try:
        result = _apply(session, package, content_hash, actor, actor_id, filename)
    except sa.exc.IntegrityError:
        if staged is not None:
            shutil.rmtree(staged, ignore_errors=True)
        raise PackageRefused(
            "Samma kurs lästes in av någon annan i samma stund; försök igen."
        ) from None
    except BaseException:
        if staged is not None:
            shutil.rmtree(staged, ignore_errors=True)
        raise
    if staged is not None:
        try:
            staged.rename(final)
        except OSError:
            # Another import of the same zip got there first: its folder is the same.
            shutil.rmtree(staged, ignore_errors=True)
            if not final.is_dir():
                raise
        else:
            _remove_on_rollback(session, final)
    result.package = package
    return result


def _apply(
    session: Session,
    package: ParsedPackage,
    content_hash: str,
    actor: Employee | None,
    actor_id: int | None,
    filename: str | None,
) -> ImportResult:
    slug = slug_for(package.identifier)
    # Locked (PostgreSQL) so that two uploads of new versions at once do not both
    # become current; two first uploads at once meet the slug's unique index.
    course = session.scalar(sa.select(Course).where(Course.slug == slug).with_for_update())
    created = course is None
    if course is None:
        course = Course(
            slug=slug,
            kind=CourseKind.SCORM.value,
            title=package.title[:300],
            summary="",
            prevention_levels=[],
            audience={"levels": [], "occupations": []},
            minutes=0,
            pass_mark=_pass_mark(package),
            valid_months=None,
        )
        session.add(course)
        session.flush()
    elif course.kind != CourseKind.SCORM.value:
        raise PackageRefused(
            f"Kursen ”{slug}” finns redan som en av Värnas egna kurser; paketet tas inte emot."
        )
    versions = session.scalars(
        sa.select(CourseVersion).where(CourseVersion.course_id == course.id)
    ).all()
    current = next((v for v in versions if v.is_current), None)
    was_active = course.active
    course.active = True
    details = {
        "slug": slug,
        "identifier": package.identifier,
        "scorm_version": package.scorm_version,
        "content_hash": content_hash,
        "filename": filename,
    }
    if current is not None and current.content_hash == content_hash:
        if not was_active:
            audit(
                session,
                actor,
                "course.reactivate",
                "course",
                course.id,
                {**details, "version": current.version, "course_version_id": current.id},
                actor_id=actor_id,
            )
        session.flush()
        return ImportResult(course, current, created_course=False, new_version=False)

    settings = (current.content.get("settings") if current is not None else None) or {
        "content_warning": "",
        "support": [],
    }
    target = next((v for v in versions if v.content_hash == content_hash), None)
    for v in versions:
        v.is_current = False
    session.flush()  # never two current versions, even for a moment
    reverted = target is not None
    course.title = package.title[:300]
    course.pass_mark = _pass_mark(package)
    if target is None:
        number = max((v.major for v in versions), default=0) + 1
        target = CourseVersion(
            course_id=course.id,
            version=f"{number}.0",
            major=number,
            content_hash=content_hash,
            content={
                "format": "scorm",
                "scorm_version": package.scorm_version,
                "identifier": package.identifier,
                "title": package.title,
                "package_dir": content_hash,
                "items": package.items,
                "settings": settings,
            },
            pass_mark=course.pass_mark,
            valid_months=course.valid_months,
        )
        session.add(target)
    else:
        target.content = {**target.content, "settings": settings}
    target.is_current = True
    session.flush()
    audit(
        session,
        actor,
        "course.revert" if reverted else "course.scorm_import",
        "course",
        course.id,
        {
            **details,
            "version": target.version,
            "course_version_id": target.id,
            "items": len(package.items),
        },
        actor_id=actor_id,
    )
    session.flush()
    return ImportResult(
        course, target, created_course=created, new_version=not reverted, reverted=reverted
    )


def _pass_mark(package: ParsedPackage) -> int:
    """The package's own pass mark as a percentage, for pages that show one (0: none)."""
    marks = []
    for item in package.items:
        if item["mastery_score"] is not None:
            marks.append(float(item["mastery_score"]))
        elif item["scaled_passing_score"] is not None:
            marks.append(max(0.0, float(item["scaled_passing_score"])) * 100)
    return round(max(marks)) if marks else 0


def _remove_on_rollback(session: Session, folder: Path) -> None:
    """The folder this import put in place goes again if the transaction is rolled back.

    Kept in the session's info until its next commit (forgotten) or rollback (removed);
    the two listeners are added once per session.
    """
    real = session() if isinstance(session, scoped_session) else session
    pending = real.info.setdefault(_PENDING, [])
    pending.append(folder)
    if not real.info.get(_LISTENING):
        real.info[_LISTENING] = True
        sa.event.listen(real, "after_commit", _forget_pending)
        sa.event.listen(real, "after_rollback", _remove_pending)


_PENDING = "scorm_folders_pending"
_LISTENING = "scorm_folders_listening"


def _forget_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _remove_pending(session: Session) -> None:
    for folder in session.info.pop(_PENDING, []):
        shutil.rmtree(folder, ignore_errors=True)


# --- HR's settings -------------------------------------------------------------------------


@dataclass(frozen=True)
class SupportContact:
    name: str
    phone: str = ""
    hours: str = ""


@dataclass(frozen=True)
class CourseSettings:
    """What a package does not carry and HR sets in Värna (docs/scorm.md)."""

    summary: str
    minutes: int
    levels: tuple[str, ...]
    prevention_levels: tuple[str, ...]
    valid_months: int | None
    content_warning: str
    support: tuple[SupportContact, ...]


def scorm_courses(session: Session) -> list[Course]:
    return list(
        session.scalars(
            sa.select(Course).where(Course.kind == CourseKind.SCORM.value).order_by(Course.title)
        )
    )


def current_version(session: Session, course: Course) -> CourseVersion | None:
    return session.scalar(
        sa.select(CourseVersion).where(
            CourseVersion.course_id == course.id, CourseVersion.is_current.is_(True)
        )
    )


def settings_of(session: Session, course: Course) -> CourseSettings:
    version = current_version(session, course)
    stored = (version.content.get("settings") if version is not None else None) or {}
    return CourseSettings(
        summary=course.summary or "",
        minutes=course.minutes or 0,
        levels=tuple((course.audience or {}).get("levels", [])),
        prevention_levels=tuple(course.prevention_levels or []),
        valid_months=course.valid_months,
        content_warning=stored.get("content_warning", ""),
        support=tuple(
            SupportContact(s.get("name", ""), s.get("phone", ""), s.get("hours", ""))
            for s in stored.get("support", [])
        ),
    )


def _as_dict(settings: CourseSettings) -> dict[str, Any]:
    return {
        "summary": settings.summary,
        "minutes": settings.minutes,
        "levels": list(settings.levels),
        "prevention_levels": list(settings.prevention_levels),
        "valid_months": settings.valid_months,
        "content_warning": settings.content_warning,
        "support": [vars(s) for s in settings.support],
    }


def update_settings(
    session: Session, course: Course, settings: CourseSettings, *, actor: Employee | None
) -> bool:
    """Store HR's settings for a SCORM course; True when something changed (audited).

    The Course columns hold what file courses keep there (summary, minutes, audience
    levels, prevention levels, validity); the content warning and support contacts go
    in the current version's content["settings"]: no new version is made. The validity
    applies to every version's future completions (CourseVersion.valid_months), since HR
    sets it for the course, not for one package.
    """
    if course.kind != CourseKind.SCORM.value:
        raise ValueError("only a SCORM course's settings are set here")
    before = _as_dict(settings_of(session, course))
    after = _as_dict(settings)
    if before == after:
        return False
    course.summary = settings.summary
    course.minutes = settings.minutes
    course.audience = {**(course.audience or {}), "levels": list(settings.levels)}
    course.prevention_levels = list(settings.prevention_levels)
    course.valid_months = settings.valid_months
    for version in session.scalars(
        sa.select(CourseVersion).where(CourseVersion.course_id == course.id)
    ):
        version.valid_months = settings.valid_months
        if version.is_current:
            # A new dict: the JSON column sees the change.
            version.content = {
                **version.content,
                "settings": {
                    "content_warning": settings.content_warning,
                    "support": [vars(s) for s in settings.support],
                },
            }
    changed = {k: after[k] for k in after if after[k] != before[k]}
    audit(
        session,
        actor,
        "course.scorm_settings",
        "course",
        course.id,
        {
            "slug": course.slug,
            "before": {k: before[k] for k in changed},
            "after": changed,
        },
    )
    session.flush()
    return True
