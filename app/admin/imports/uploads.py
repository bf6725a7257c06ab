"""Uploaded files kept between the dry run and the confirmation (UPLOAD_DIR/hr-import/<id>/).

UPLOAD_DIR must be shared by every host behind the load balancer (it already
holds evidence files); an upload older than a day is removed.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from app.admin.imports.reading import ImportFile
from app.maintenance import files

MAX_AGE_SECONDS = 24 * 3600
SUBDIR = "hr-import"
_ID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass(frozen=True)
class Upload:
    id: str
    units: ImportFile
    staff: ImportFile
    mapping_text: str | None  # None: the default mapping
    encoding: str | None
    invite: bool
    uploaded_by: int


def _root(upload_dir: str | None = None) -> Path:
    return Path(upload_dir or current_app.config["UPLOAD_DIR"]) / SUBDIR


def save(
    *,
    units: ImportFile,
    staff: ImportFile,
    mapping_text: str | None,
    encoding: str | None,
    invite: bool,
    uploaded_by: int,
) -> str:
    remove_old(current_app.config["UPLOAD_DIR"])
    upload_id = secrets.token_urlsafe(24)
    folder = files.private_folder(_root() / upload_id)
    files.write_private(folder / "units.csv", units.data)
    files.write_private(folder / "staff.csv", staff.data)
    meta = {
        "units_name": units.name,
        "staff_name": staff.name,
        "mapping_text": mapping_text,
        "encoding": encoding,
        "invite": invite,
        "uploaded_by": uploaded_by,
    }
    files.write_private(folder / "meta.json", json.dumps(meta, ensure_ascii=False).encode())
    return upload_id


def load(upload_id: str) -> Upload | None:
    if not _ID.match(upload_id):
        return None
    folder = _root() / upload_id
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        units = ImportFile(meta["units_name"], (folder / "units.csv").read_bytes())
        staff = ImportFile(meta["staff_name"], (folder / "staff.csv").read_bytes())
    except (OSError, ValueError, KeyError):
        return None
    return Upload(
        id=upload_id,
        units=units,
        staff=staff,
        mapping_text=meta.get("mapping_text"),
        encoding=meta.get("encoding"),
        invite=bool(meta.get("invite")),
        uploaded_by=int(meta.get("uploaded_by", 0)),
    )


def remove(upload_id: str) -> None:
    if _ID.match(upload_id):
        shutil.rmtree(_root() / upload_id, ignore_errors=True)


def remove_old(upload_dir: str) -> None:
    """Remove uploads older than a day: at the next upload, and at every gallring."""
    root = _root(upload_dir)
    if not root.is_dir():
        return
    limit = time.time() - MAX_AGE_SECONDS
    for folder in root.iterdir():
        try:
            if folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue
