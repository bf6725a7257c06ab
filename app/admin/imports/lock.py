"""The HR import's lock: one import at a time, and a killed one never blocks the next.

The lock is a JobLock row (so a refusal can say who holds it), committed on its
own connection. On PostgreSQL a session advisory lock, which the server drops
with a dead process's connection, says whether the holder still lives; on
SQLite (one host) the holder's process id does. A row older than
LOCK_STALE_AFTER is taken over in any case.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.admin.imports.reading import ImportRejected, Problem
from app.extensions import db
from app.models import JobLock, utcnow

LOCK_NAME = "hr-import"
LOCK_KEY = 0x5641524E41  # "VARNA": PostgreSQL advisory lock key of the HR import
LOCK_STALE_AFTER = timedelta(hours=2)  # a crashed import must not block the next for ever


class ImportBusy(ImportRejected):
    """Another import holds the lock."""

    def __init__(self, holder: str, since: datetime | None) -> None:
        when = since.strftime("%Y-%m-%d %H:%M UTC") if since else "nyss"
        message = (
            f"En annan import pågår redan (startad {when} av {holder}). "
            "Vänta tills den är klar och försök igen. Inget har ändrats."
        )
        super().__init__([Problem("", None, None, message)])


@contextmanager
def import_lock(holder: str) -> Iterator[None]:
    """Hold the import lock for the block; raise ImportBusy when a live import holds it.

    The lock is a JobLock row (so the refusal can say who holds it), committed on
    its own connection. A killed import cannot leave it behind for long:
    on PostgreSQL a session advisory lock, which the server drops with the dead
    process's connection, says whether the holder still lives; on SQLite (one
    host) the holder's process id does. A row older than LOCK_STALE_AFTER is taken
    over in any case. An exception inside the block rolls back db.session before
    the lock is let go.
    """
    tag = f"{holder[:120]} #{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
    guard = db.engine.connect() if db.engine.dialect.name == "postgresql" else None
    try:
        if guard is not None:
            free = guard.execute(sa.select(sa.func.pg_try_advisory_lock(LOCK_KEY))).scalar()
            guard.commit()
            if not free:
                raise _busy()
        _take_lock_row(tag, holder_alive=guard is None)
        try:
            yield
        except BaseException:
            # Roll back first: on SQLite the unfinished import holds the write lock.
            db.session.rollback()
            raise
        finally:
            with db.engine.begin() as conn:
                conn.execute(
                    sa.delete(JobLock).where(JobLock.name == LOCK_NAME, JobLock.holder == tag)
                )
    finally:
        if guard is not None:
            guard.execute(sa.select(sa.func.pg_advisory_unlock(LOCK_KEY)))
            guard.commit()
            guard.close()


def _take_lock_row(tag: str, *, holder_alive: bool) -> None:
    """Insert our JobLock row, first removing one whose holder is gone.

    holder_alive=False means the caller already knows no live import holds the
    lock (PostgreSQL's advisory lock was free): any row left is stale.
    """
    now = utcnow()
    with db.engine.begin() as conn:
        row = conn.execute(
            sa.select(JobLock.holder, JobLock.acquired_at).where(JobLock.name == LOCK_NAME)
        ).first()
        if row is not None and (
            not holder_alive
            or row.acquired_at < now - LOCK_STALE_AFTER
            or _process_is_gone(row.holder)
        ):
            conn.execute(
                sa.delete(JobLock).where(JobLock.name == LOCK_NAME, JobLock.holder == row.holder)
            )
    try:
        with db.engine.begin() as conn:
            conn.execute(sa.insert(JobLock).values(name=LOCK_NAME, holder=tag, acquired_at=now))
    except sa.exc.IntegrityError:
        raise _busy() from None


def _busy() -> ImportBusy:
    with db.engine.connect() as conn:
        row = conn.execute(
            sa.select(JobLock.holder, JobLock.acquired_at).where(JobLock.name == LOCK_NAME)
        ).first()
    holder_name = row.holder.rsplit(" #", 1)[0] if row else "?"
    return ImportBusy(holder_name, row.acquired_at if row else None)


def _process_is_gone(tag: str) -> bool:
    """True when the tag names a process on this host that no longer runs."""
    host, _, rest = tag.rpartition(" #")[2].partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
