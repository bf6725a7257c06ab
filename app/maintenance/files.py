"""Files that hold personal data (evidence, HR-import uploads, backups) are Värna's alone.

Written readable and writable by the owner only (0600), in folders only the owner can
enter (0700), whatever the process umask: another local user must not read a
certificate, a staff list or a copy of the database.
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(path: Path) -> Path:
    """Make the folder (and any missing parents) owner-only; an existing leaf is tightened."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=FOLDER_MODE, exist_ok=True)
        folder.chmod(FOLDER_MODE)
    path.chmod(FOLDER_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create the file (empty) or tighten an existing one, before anything is written to it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    os.close(fd)
    path.chmod(FILE_MODE)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write the bytes to an owner-only file (replacing what it held)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    path.chmod(FILE_MODE)
