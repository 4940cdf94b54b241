"""One owner per role among all the processes on one database: the scheduler, the outbox sender
and the poller (``getUpdates``). Whoever holds a role's lock acts; the others stand by and try
again every ``HGJ_LOCK_RETRY_SECONDS``, so a standby takes over about that long after the owner
died.

- SQLite: a file lock (``filelock``, ``flock``) beside the database file —
  ``hongguanjia.db`` → ``hongguanjia.db.scheduler.lock``, ``….sender.lock``, ``….poller.lock``.
  The kernel drops it when the process dies, even by SIGKILL. Who holds it is written beside it
  (``….lock.owner``), for ``owners()``.
- PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a connection of its own,
  kept open, whose ``application_name`` names the process and the role (``hgj:sender pid=… host=…``);
  the server drops the lock when that connection goes, and ``owners()`` reads the holder from
  ``pg_locks``. An owner writes nothing without *fencing* first: the transaction that claims
  outbox rows or fires reminders checks in ``pg_locks`` that this process's lock connection still
  holds the lock, so an owner whose lock connection was killed acts no more, even before its
  next check notices.
- An in-memory SQLite database lives in one process: nothing to share, every role is owned.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol

from filelock import FileLock, Timeout
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from .connections import side_engine

log = logging.getLogger(__name__)

# advisory lock keys (bigint): "HGJ" + two letters of the role
KEYS = {
    "scheduler": 0x48474A_5343,  # "SC", as before this module: an old process and a new one exclude each other
    "sender": 0x48474A_5345,  # "SE"
    "poller": 0x48474A_504F,  # "PO"
    "migrate": 0x48474A_4D49,  # "MI": schema migrations (bot.infra.db.upgrade), held only while they run
}
ROLES = ("scheduler", "sender", "poller")
# A lock connection idle this long is ended by the server (PostgreSQL ≥ 14, ``idle_session_timeout``):
# its owner checks it every ``HGJ_LOCK_RETRY_SECONDS``, so only an owner whose machine vanished
# without closing the connection (power, network) is idle that long — and its lock is freed then,
# not when the server's TCP keepalive gives up (two hours by default).
IDLE_SESSION_TIMEOUT_S = 15


def process_name(role: str) -> str:
    """What the lock connection calls itself (PostgreSQL ``application_name``, at most 63 bytes)."""
    return f"hgj:{role} pid={os.getpid()} host={socket.gethostname()}"[:63]


class RoleLock(Protocol):
    role: str

    def acquire(self) -> bool:
        """Take the lock without waiting; True when this process now holds it."""

    def alive(self) -> bool:
        """Still held (a lost database connection loses an advisory lock)."""

    def fence(self, conn: Connection) -> bool:
        """Inside a transaction about to act as owner: is the lock still ours?"""

    def holder(self) -> str | None:
        """Who holds the lock now, as far as can be seen from here."""

    def release(self) -> None: ...

    def describe(self) -> str: ...


class FileRoleLock:
    def __init__(self, path: Path, role: str = "scheduler") -> None:
        self.path = path
        self.role = role
        self._lock = FileLock(str(path), thread_local=False, is_singleton=False)

    @property
    def owner_file(self) -> Path:
        # not the lock file itself: filelock truncates that on every attempt to take it
        return self.path.with_name(self.path.name + ".owner")

    def acquire(self) -> bool:
        if self._lock.is_locked:
            return True
        try:
            self._lock.acquire(blocking=False)
        except Timeout:
            return False
        try:
            tmp = self.owner_file.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(process_name(self.role), encoding="utf-8")
            tmp.replace(self.owner_file)
        except OSError:  # only for owners(): the lock is what counts
            pass
        return True

    def alive(self) -> bool:
        return self._lock.is_locked

    def fence(self, conn: Connection) -> bool:
        return self._lock.is_locked  # a flock is lost only with the process

    def holder(self) -> str | None:
        if self._lock.is_locked:
            return process_name(self.role)
        try:
            return self.owner_file.read_text(encoding="utf-8").strip() or None
        except OSError:
            return None

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release(force=True)

    def describe(self) -> str:
        return f"file lock {self.path}"


class AdvisoryRoleLock:
    def __init__(self, engine: Engine, role: str = "scheduler", key: int | None = None) -> None:
        self.role = role
        self.key = KEYS[role] if key is None else key
        self.url = engine.url
        self._engine: Engine | None = None
        self._conn: Connection | None = None
        self._pid: int | None = None
        self._mutex = threading.Lock()  # the owner's checks and the fences may come from two threads

    def _lock_engine(self) -> Engine:
        # a connection of its own, outside the pool: it is named after the role, and closing it
        # (or the process dying) is what gives the lock up
        if self._engine is None:
            self._engine = side_engine(self.url, process_name(self.role))
        return self._engine

    def acquire(self) -> bool:
        with self._mutex:
            if self._conn is not None:
                return self._check()
            conn = self._lock_engine().connect()
            try:
                try:
                    conn.execute(text(f"SET idle_session_timeout = '{IDLE_SESSION_TIMEOUT_S}s'"))
                    conn.commit()
                except Exception:  # an older server: the TCP keepalive is all there is
                    conn.rollback()
                got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar()
                pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
                conn.commit()
            except Exception:
                conn.close()
                raise
            if not got:
                conn.close()
                return False
            self._conn, self._pid = conn, pid
            return True

    def alive(self) -> bool:
        with self._mutex:
            return self._check()

    def _check(self) -> bool:
        if self._conn is None:
            return False
        try:
            held = self._held(self._conn, self._pid)
            self._conn.commit()
        except Exception as err:  # the connection dropped: so did the lock
            log.warning("%s lost its advisory lock: %s", self.role, err)
            self._close()
            return False
        if not held:  # unlocked behind our back (pg_advisory_unlock_all …): not ours any more
            log.warning("%s: the advisory lock is no longer held by its connection", self.role)
            self._close()
        return held

    def _held(self, conn: Connection, pid: int | None) -> bool:
        return pid is not None and conn.execute(text(
            "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = :pid"
            " AND classid = :hi AND objid = :lo AND objsubid = 1"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ), {"pid": pid, "hi": self.key >> 32, "lo": self.key & 0xFFFFFFFF}).first() is not None

    def fence(self, conn: Connection) -> bool:
        if self._conn is None:
            return False
        return self._held(conn, self._pid)

    def holder(self) -> str | None:
        if self._conn is not None:
            return process_name(self.role)
        try:
            with self._lock_engine().connect() as conn:
                row = conn.execute(text(
                    "SELECT a.application_name, a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                    " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :hi AND l.objid = :lo"
                    " AND l.objsubid = 1"
                    " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                ), {"hi": self.key >> 32, "lo": self.key & 0xFFFFFFFF}).first()
        except Exception:  # noqa: BLE001 — only informative
            return None
        return (row[0] or f"pid {row[1]}") if row else None

    def release(self) -> None:
        with self._mutex:
            if self._conn is None:
                return
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
                self._conn.commit()
            except Exception:  # already gone: nothing to release
                pass
            self._close()

    def _close(self) -> None:
        try:
            self._conn.close()
        except Exception:
            pass
        self._conn, self._pid = None, None

    def describe(self) -> str:
        return f"advisory lock {self.key:#x}"


class NoLock:
    """An in-memory database lives in one process: nothing to share."""

    def __init__(self, role: str = "scheduler") -> None:
        self.role = role

    def acquire(self) -> bool:
        return True

    def alive(self) -> bool:
        return True

    def fence(self, conn: Connection) -> bool:
        return True

    def holder(self) -> str | None:
        return process_name(self.role)

    def release(self) -> None:
        pass

    def describe(self) -> str:
        return "no lock (in-memory database)"


def lock_for(engine: Engine, role: str = "scheduler") -> RoleLock:
    url = engine.url
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:" or url.database.startswith("file::memory:"):
            return NoLock(role)
        path = Path(url.database).resolve()
        return FileRoleLock(path.with_name(f"{path.name}.{role}.lock"), role)
    if url.get_backend_name() == "postgresql":
        return AdvisoryRoleLock(engine, role)
    return NoLock(role)


# --- which roles this process holds (for /readyz and the logs) ----------------------------------

_held: dict[str, list[RoleLock]] = {}  # role → the locks of that role this process runs (held or not)
_owning: dict[int, bool] = {}  # id(lock) → owns the role now
_registry_lock = threading.Lock()


def _register(lock: RoleLock) -> None:
    with _registry_lock:
        _held.setdefault(lock.role, []).append(lock)
        _owning[id(lock)] = False


def _unregister(lock: RoleLock) -> None:
    with _registry_lock:
        locks = _held.get(lock.role, [])
        if lock in locks:
            locks.remove(lock)
        _owning.pop(id(lock), None)


def _set_owner(lock: RoleLock, owner: bool) -> None:
    with _registry_lock:
        if id(lock) in _owning:
            _owning[id(lock)] = owner


def owners(*, holders: bool = False) -> dict[str, dict]:
    """Per role this process takes part in: ``{"scheduler": {"here": True, "holder": "hgj:scheduler
    pid=… host=…"}, "sender": {"here": False, …}, …}``. ``here``: this process owns the role;
    ``holder`` (only with ``holders=True``: it may ask the database) names whoever owns it.
    A role this process does not run at all is absent."""
    with _registry_lock:
        roles = {role: list(locks) for role, locks in _held.items() if locks}
        owning = dict(_owning)
    out: dict[str, dict] = {}
    for role, locks in roles.items():
        here = any(owning.get(id(lock)) for lock in locks)
        entry: dict = {"here": here}
        if holders:
            entry["holder"] = process_name(role) if here else locks[0].holder()
        out[role] = entry
    return out


# --- a role run on the event loop: stand by, take over, step down --------------------------------


class Elected:
    """A role in this process (the sender, the poller): ``await elected.run(stop)`` tries to take
    the lock every ``retry`` seconds; when it does, ``on_gain()`` starts the work; when the lock is
    lost (its connection dropped) or ``stop`` is set, ``on_loss()`` stops it."""

    def __init__(self, lock: RoleLock, *, retry: float, on_gain: Callable[[], Awaitable[None]],
                 on_loss: Callable[[], Awaitable[None]]) -> None:
        self.lock = lock
        self.retry = retry
        self.on_gain = on_gain
        self.on_loss = on_loss
        self.owner = False
        self.terms = 0  # how many times this process took the role
        self._poke = asyncio.Event()

    @property
    def role(self) -> str:
        return self.lock.role

    async def run(self, stop: asyncio.Event) -> None:
        _register(self.lock)
        announced = False
        try:
            while not stop.is_set():
                try:
                    if not self.owner:
                        if await asyncio.to_thread(self.lock.acquire):
                            await self._gain()
                        elif not announced:
                            log.info("%s: %s held elsewhere (%s); standing by", self.role, self.lock.describe(),
                                     await asyncio.to_thread(self.lock.holder) or "?")
                            announced = True
                    elif not await asyncio.to_thread(self.lock.alive):
                        log.warning("%s: lock lost; stepping down", self.role)
                        await self._lose()
                        announced = False
                except Exception as err:  # noqa: BLE001 — the database away: try again
                    log.warning("%s: lock check failed (%s: %s)", self.role, type(err).__name__, err)
                    if self.owner and not await asyncio.to_thread(self.lock.alive):
                        await self._lose()
                waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._poke.wait())]
                await asyncio.wait(waits, timeout=self.retry, return_when=asyncio.FIRST_COMPLETED)
                for w in waits:
                    w.cancel()
                if self._poke.is_set():  # the role found it is not the owner any more (a fence failed)
                    self._poke.clear()
                    if self.owner:
                        log.warning("%s: a fence failed; stepping down", self.role)
                        await self._lose()
                        await asyncio.to_thread(self.lock.release)
                        announced = False
                        # a standby that still holds on goes first: wait a try before trying again
                        try:
                            await asyncio.wait_for(stop.wait(), self.retry)
                        except asyncio.TimeoutError:
                            pass
        finally:
            if self.owner:
                await self._lose()
            await asyncio.to_thread(self.lock.release)
            _unregister(self.lock)

    async def _gain(self) -> None:
        self.owner = True
        self.terms += 1
        _set_owner(self.lock, True)
        log.info("%s: this process is the owner now (%s)", self.role, self.lock.describe())
        try:
            await self.on_gain()
        except Exception:
            log.exception("%s: starting failed; giving the role up", self.role)
            await self._lose()
            await asyncio.to_thread(self.lock.release)

    async def _lose(self) -> None:
        self.owner = False
        _set_owner(self.lock, False)
        try:
            await self.on_loss()
        except Exception:  # noqa: BLE001
            log.exception("%s: stopping failed", self.role)

    def check_now(self) -> None:
        """Called on the loop from inside the role when a fence failed: step down at once (and
        try to take the role again like any standby)."""
        self._poke.set()
