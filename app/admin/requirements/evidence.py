"""Evidence files (certificates from elsewhere): checked by content, stored under UPLOAD_DIR."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.maintenance import files
from app.models import Completion, Employee
from app.records import audit

MAX_BYTES = 10 * 1024 * 1024
# What a file says it is, by its first bytes: the name alone proves nothing.
SIGNATURES = {
    b"%PDF-": ("pdf", "application/pdf"),
    b"\x89PNG\r\n\x1a\n": ("png", "image/png"),
    b"\xff\xd8\xff": ("jpg", "image/jpeg"),
}
ALLOWED_SUFFIXES = {".pdf", ".png", ".jpg", ".jpeg"}
SUBDIR = "evidence"


class EvidenceRejected(Exception):
    pass


def kind_of(data: bytes) -> tuple[str, str] | None:
    for magic, kind in SIGNATURES.items():
        if data.startswith(magic):
            return kind
    return None


def check(filename: str, data: bytes) -> str:
    """The file's extension when it is an acceptable certificate; else EvidenceRejected."""
    if not data:
        raise EvidenceRejected(_("Filen är tom."))
    if len(data) > MAX_BYTES:
        raise EvidenceRejected(_("Filen är för stor (högst 10 MB)."))
    if Path(filename or "").suffix.lower() not in ALLOWED_SUFFIXES:
        raise EvidenceRejected(_("Underlaget ska vara en PDF-, PNG- eller JPEG-fil."))
    kind = kind_of(data)
    if kind is None:
        raise EvidenceRejected(_("Filens innehåll är inte en PDF-, PNG- eller JPEG-fil."))
    return kind[0]


def store(upload_dir: str, filename: str, data: bytes) -> str:
    """Write the file under a random name; returns the path relative to UPLOAD_DIR."""
    ext = check(filename, data)
    folder = files.private_folder(Path(upload_dir) / SUBDIR)
    name = f"{secrets.token_hex(16)}.{ext}"
    files.write_private(folder / name, data)
    return f"{SUBDIR}/{name}"


def resolve(upload_dir: str, relative: str) -> Path | None:
    """The stored file for a completion's evidence_path, never outside UPLOAD_DIR."""
    base = (Path(upload_dir) / SUBDIR).resolve()
    path = (Path(upload_dir) / relative).resolve()
    if path.parent != base or not path.is_file():
        return None
    return path


def open_audited(
    session: Session, completion: Completion, *, viewer: Employee, action: str, upload_dir: str
) -> Path | None:
    """The stored file behind a record, or None; every look at it is an audit event about
    the person the record is of (HR's `evidence.view`, the person's own download)."""
    if not completion.evidence_path:
        return None
    path = resolve(upload_dir, completion.evidence_path)
    if path is None:
        return None
    audit(
        session,
        viewer,
        action,
        "employee",
        completion.employee_id,
        {"completion_id": completion.id},
    )
    return path
