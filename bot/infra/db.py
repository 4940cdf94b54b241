"""Engine, sessions and schema migrations.

SQLite is the embedded default (WAL, foreign keys on, a busy timeout so the bot, the scheduler
and the command line can share one file); PostgreSQL is used when ``HGJ_DATABASE_URL`` says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from filelock import FileLock
from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from bot.infra.ownership import KEYS

CONNECT_TIMEOUT_SECONDS = 10
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "models" / "migrations"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    if is_sqlite(url):
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling issues BEGIN lazily and never for SELECT;
        # take it over so a write transaction starts with BEGIN IMMEDIATE where asked.
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # an unreachable server fails the connection within seconds, not after TCP's minutes
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20,
                         connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS})


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _sqlite_begin)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_begin(conn) -> None:
    # IMMEDIATE takes the write lock up front: two writers queue on busy_timeout instead of
    # one failing with "database is locked" when it upgrades a read transaction.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """Owns the engine; hands out sessions. Built explicitly, never at import time."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = make_engine(url, echo=echo)

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error."""
        with self.session() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def upgrade(self) -> None:
        upgrade(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(engine: Engine):
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection_engine"] = engine
    return cfg


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """Held while the schema is created or upgraded: two ``hgj init`` or ``hgj run`` starting on a
    fresh database at once take turns (the second finds the schema made and does nothing) instead
    of both creating the same tables. PostgreSQL: a session advisory lock on a connection of its
    own; SQLite: a file lock beside the database file; in memory: nothing."""
    url = engine.url
    if url.get_backend_name() == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": KEYS["migrate"]})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": KEYS["migrate"]})
                conn.commit()
        return
    path = Path(url.database).resolve() if url.get_backend_name() == "sqlite" and url.database else None
    # a folder that does not exist is the caller's error to report: the lock must not create it
    if path is not None and ":memory:" not in url.database and path.parent.is_dir():
        with FileLock(str(path.with_name(path.name + ".migrate.lock")), is_singleton=False):
            yield
        return
    yield


def upgrade(engine: Engine, revision: str = "head", *, lock: bool = True) -> None:
    """Create or upgrade the schema to ``revision`` through the alembic migrations (under
    ``migration_lock`` unless the caller holds it)."""
    if not lock:
        command.upgrade(alembic_config(engine), revision)
        return
    with migration_lock(engine):
        command.upgrade(alembic_config(engine), revision)


def one_line(err: BaseException) -> str:
    """An exception as one short line: a driver's own message without SQLAlchemy's
    background link and the statement."""
    inner = getattr(err, "orig", None) or err
    message = str(inner).strip().splitlines()[0] if str(inner).strip() else ""
    return f"{type(inner).__name__}: {message}"[:300]
