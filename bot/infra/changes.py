"""Telling every process on the database that a group's binding changed, so a ``/bind`` on one
instance is seen at once by the others (each keeps the bindings it read in a cache); and likewise
that a community's place names changed (a roster import added buildings, an alias was added), so
the place names the parser reads by are read again.

- PostgreSQL: ``announce`` sends ``NOTIFY hgj_groups, '<chat id>'`` in the transaction of the
  change (delivered when it commits, never when it rolls back); a ``GroupWatch`` thread per
  process LISTENs on a connection of its own and bumps ``version``. While it is not connected
  (starting, or the connection lost) ``version`` is ``None``: caches must read through.
- SQLite (processes on one machine): after the commit, the file ``<database>.groups.stamp``
  beside the database is touched; ``version`` is its modification time (one ``stat``).
- An in-memory database lives in one process: the process forgets its own cache entries.

A cache keeps, with each entry, the ``version`` it was read under, and reads again when it moved.
"""

from __future__ import annotations

import logging
import os
import select
import threading
import time
from functools import lru_cache
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, URL
from sqlmodel import Session

from .connections import side_engine

log = logging.getLogger(__name__)

CHANNEL = "hgj_groups"

_watches: dict[str, GroupWatch] = {}
_watches_lock = threading.Lock()


@lru_cache(maxsize=64)
def _stamp(url: URL) -> Path | None:
    # cached: ``version`` runs for every group message, and resolving the path is a handful of
    # system calls (the database file does not move while the process runs)
    if url.get_backend_name() != "sqlite" or not url.database or ":memory:" in url.database:
        return None
    path = Path(url.database).resolve()
    return path.with_name(path.name + ".groups.stamp")


def announce(session: Session, chat_id: int) -> None:
    """In the transaction that changes a group's binding: the other processes will know."""
    _announce(session, str(chat_id))


def announce_places(session: Session) -> None:
    """In the transaction that adds a compound, a building or a place alias."""
    _announce(session, "places")


def _announce(session: Session, payload: str) -> None:
    # once per transaction and payload, however many changes it holds (a roster import adds
    # hundreds of buildings): PostgreSQL would fold the repeats anyway, but each costs a round trip
    sent = session.info.setdefault("hgj_announced", set())
    if payload in sent:
        return
    first = not sent
    sent.add(payload)
    if first:
        forget = lambda _s: session.info.pop("hgj_announced", None)  # noqa: E731
        event.listen(session, "after_commit", forget, once=True)
        event.listen(session, "after_rollback", forget, once=True)
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": payload})
        return
    stamp = _stamp(bind.url)
    if stamp is not None and first:
        event.listen(session, "after_commit", lambda _s: _touch(stamp), once=True)


def _touch(stamp: Path) -> None:
    try:
        stamp.touch()
        os.utime(stamp, ns=(time.time_ns(), time.time_ns()))
    except OSError as err:  # the others fall back on the cache's time limit
        log.warning("could not mark the group bindings changed (%s): %s", stamp, err)


def version(bind: Engine) -> object:
    """What the caches compare: changes when a binding changed anywhere; ``None`` = do not cache."""
    url = bind.url
    if bind.dialect.name == "postgresql":
        watch = _watches.get(str(url))
        return watch.version if watch is not None else None
    stamp = _stamp(url)
    if stamp is None:
        return 0
    try:
        return stamp.stat().st_mtime_ns
    except FileNotFoundError:
        return 0


_MISSING = object()


class ChangeCache:
    """Values read from the database and kept in this process until ``version`` moves (a change
    announced anywhere) or ``ttl`` seconds pass — the group bindings, the place names. Where no
    version can be had (PostgreSQL while the listener is not connected) every lookup misses."""

    MISSING = _MISSING

    def __init__(self, limit: int = 100_000) -> None:
        self._lock = threading.Lock()
        self._rows: dict[object, tuple[float, object, object]] = {}
        self._limit = limit

    def get(self, bind: Engine, key: object, now: float) -> tuple[object, object]:
        """(the version now, to store with what is read next; the value kept for ``key`` while
        still good, else ``MISSING``)."""
        seen = version(bind)
        hit = self._rows.get(key)
        if hit is not None and hit[0] > now and seen is not None and hit[1] == seen:
            return seen, hit[2]
        return seen, _MISSING

    def put(self, key: object, seen: object, value: object, expires: float, *, keep_equal: bool = False) -> object:
        """Keep ``value`` (read under version ``seen``) until ``expires``; with ``keep_equal``, an
        equal value kept before stays the one handed out (work keyed on it stays warm). Returns
        the value kept."""
        with self._lock:
            old = self._rows.get(key)
            if keep_equal and old is not None and old[2] == value:
                value = old[2]
            if len(self._rows) > self._limit:
                self._rows.clear()
            self._rows[key] = (expires, seen, value)
        return value

    def forget(self, key: object) -> None:
        with self._lock:
            self._rows.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()


class GroupWatch:
    """LISTENs for binding changes on PostgreSQL in a daemon thread; ``stop()`` ends it."""

    def __init__(self, engine: Engine, *, reconnect: float = 1.0) -> None:
        self.engine = engine
        # LISTEN on a connection of its own with keepalives: a connection lost without a word
        # would otherwise look alive for hours while the caches trusted a version that no
        # longer moves
        self._listen_engine = side_engine(engine.url, f"hgj:group-watch pid={os.getpid()}")
        self.reconnect = reconnect
        self.version: int | None = None
        self.notified = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hgj-group-watch", daemon=True)

    def start(self) -> GroupWatch:
        with _watches_lock:
            _watches[str(self.engine.url)] = self
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        with _watches_lock:
            if _watches.get(str(self.engine.url)) is self:
                del _watches[str(self.engine.url)]
        self._listen_engine.dispose()

    def wait_connected(self, timeout: float = 5.0) -> bool:
        end = time.monotonic() + timeout
        while self.version is None and time.monotonic() < end:
            time.sleep(0.01)
        return self.version is not None

    def _run(self) -> None:
        counter = 0
        while not self._stop.is_set():
            raw = None
            try:
                raw = self._listen_engine.raw_connection()
                dbapi = raw.driver_connection
                dbapi.autocommit = True
                cur = dbapi.cursor()
                cur.execute(f"LISTEN {CHANNEL}")
                cur.close()
                counter += 1
                self.version = counter  # everything cached before we listened is suspect
                log.info("listening for group binding changes")
                while not self._stop.is_set():
                    for _payload in self._wait(dbapi, 0.5):
                        counter += 1
                        self.notified += 1
                        self.version = counter
            except Exception as err:  # noqa: BLE001 — the database away: read through, retry
                if not self._stop.is_set():
                    log.warning("group binding changes: listening failed (%s: %s); caches read through",
                                type(err).__name__, err)
            finally:
                self.version = None
                if raw is not None:
                    try:
                        raw.close()  # no pool behind it: the connection ends, and its LISTEN
                    except Exception:  # noqa: BLE001
                        pass
            self._stop.wait(self.reconnect)

    @staticmethod
    def _wait(dbapi, timeout: float) -> list[str]:
        if hasattr(dbapi, "poll"):  # psycopg2
            if select.select([dbapi], [], [], timeout) == ([], [], []):
                dbapi.poll()  # a dead connection raises here
                return []
            dbapi.poll()
            out = [n.payload for n in dbapi.notifies]
            dbapi.notifies.clear()
            return out
        # psycopg 3
        return [n.payload for n in dbapi.notifies(timeout=timeout, stop_after=100)]
