"""Exactly one process runs the scheduler: it holds a lock for as long as it lives.

- SQLite: a file lock (``filelock``, ``flock``) beside the database file — ``hongguanjia.db`` →
  ``hongguanjia.db.scheduler.lock``. The kernel drops it when the process dies, even by SIGKILL.
- PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on one connection kept
  open; the server drops it when that connection goes away.

A process that does not get the lock runs without the scheduler and tries again now and then.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol

from sqlalchemy.engine import Engine, make_url

log = logging.getLogger(__name__)

ADVISORY_KEY = 0x48474A_5343  # "HGJ" "SC": the scheduler's advisory lock key


class SchedulerLock(Protocol):
    def acquire(self) -> bool:
        """Take the lock without waiting; True when this process now holds it."""

    def alive(self) -> bool:
        """Still held (a lost database connection loses an advisory lock)."""

    def release(self) -> None: ...

    def describe(self) -> str: ...


class FileSchedulerLock:
    def __init__(self, path: Path) -> None:
        from filelock import FileLock

        self.path = path
        self._lock = FileLock(str(path), thread_local=False, is_singleton=False)

    def acquire(self) -> bool:
        from filelock import Timeout

        if self._lock.is_locked:
            return True
        try:
            self._lock.acquire(blocking=False)
        except Timeout:
            return False
        return True

    def alive(self) -> bool:
        return self._lock.is_locked

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release(force=True)

    def describe(self) -> str:
        return f"file lock {self.path}"


class AdvisorySchedulerLock:
    def __init__(self, engine: Engine, key: int = ADVISORY_KEY) -> None:
        self.engine = engine
        self.key = key
        self._conn = None

    def acquire(self) -> bool:
        if self._conn is not None:
            return self.alive()
        conn = self.engine.connect()
        try:
            got = conn.exec_driver_sql("SELECT pg_try_advisory_lock(%s)", (self.key,)).scalar()
            conn.commit()
        except Exception:
            conn.close()
            raise
        if not got:
            conn.close()
            return False
        self._conn = conn
        return True

    def alive(self) -> bool:
        if self._conn is None:
            return False
        try:
            self._conn.exec_driver_sql("SELECT 1").scalar()
            self._conn.commit()
            return True
        except Exception as err:  # the connection dropped: so did the lock
            log.warning("scheduler lost its advisory lock: %s", err)
            self._close()
            return False

    def release(self) -> None:
        if self._conn is None:
            return
        try:
            self._conn.exec_driver_sql("SELECT pg_advisory_unlock(%s)", (self.key,))
            self._conn.commit()
        except Exception:  # already gone: nothing to release
            pass
        self._close()

    def _close(self) -> None:
        try:
            self._conn.invalidate()
        except Exception:
            pass
        self._conn = None

    def describe(self) -> str:
        return f"advisory lock {self.key}"


class NoLock:
    """An in-memory database lives in one process: nothing to share."""

    def acquire(self) -> bool:
        return True

    def alive(self) -> bool:
        return True

    def release(self) -> None:
        pass

    def describe(self) -> str:
        return "no lock (in-memory database)"


def lock_for(engine: Engine) -> SchedulerLock:
    url = make_url(str(engine.url.render_as_string(hide_password=False)))
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:" or url.database.startswith("file::memory:"):
            return NoLock()
        return FileSchedulerLock(Path(url.database).resolve().with_name(Path(url.database).name + ".scheduler.lock"))
    if url.get_backend_name() == "postgresql":
        return AdvisorySchedulerLock(engine)
    return NoLock()
