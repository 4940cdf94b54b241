"""Shared fixtures: a migrated database per test (SQLite, and PostgreSQL where CI has it),
an injected clock, and a small community built through the services."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.bootstrap import ensure_defaults
from bot.infra.clock import FixedClock
from bot.infra.db import Database, upgrade, make_engine
from handlers import notices

TZ = ZoneInfo("Asia/Shanghai")
REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PG_ADMIN_URL = os.environ.get("HGJ_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")


def keys_apart(session) -> None:
    """Chat keys start at 1001 while account keys start at 1: a person's account and their private
    chat never share a number, so code that takes one for the other fails a test instead of
    passing by coincidence. (The row is a group on another platform nobody writes in.)"""
    from models import PlatformChat

    session.add(PlatformChat(id=1000, platform="wecom", external_id="keys-apart", kind="group", title=""))


def pytest_collection_modifyitems(items):
    """The tests that run for minutes (``long``) first: the parallel workers then share out the
    rest and finish together, instead of one starting a five-minute test when the others are done."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


@pytest.fixture(autouse=True)
def words():
    """The words of the core's messages, as every process's entry point installs them
    (``handlers.notices``); a test that checks an entry point does it uninstalls them first."""
    notices.install()
    yield


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 28, 9, 0, tzinfo=TZ))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """Migrations run once; each test gets a copy of the migrated file."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    db = Database(f"sqlite:///{path}")
    with db.transaction() as session:
        ensure_defaults(session)
        keys_apart(session)
    db.dispose()
    engine.dispose()
    return path


@pytest.fixture
def sqlite_db(sqlite_template, tmp_path) -> Database:
    path = tmp_path / "hgj.db"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    yield db
    db.dispose()


def _pg_available() -> str | None:
    try:
        import psycopg2
    except ImportError:
        return "psycopg2 is not installed"
    try:
        conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="test", connect_timeout=2)
        conn.close()
    except Exception as err:  # any connection failure means: no server here
        return f"PostgreSQL at 127.0.0.1:5432 is not reachable ({err.__class__.__name__})"
    return None


@contextmanager
def fresh_pg_database(prefix: str = "hgj_test") -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped afterwards (skips without a server)."""
    reason = _pg_available()
    if reason:
        pytest.skip(f"needs PostgreSQL: {reason}")
    import psycopg2

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="test")
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="session")
def pg_url():
    with fresh_pg_database() as url:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture
def pg_db(pg_url) -> Database:
    import models

    db = Database(pg_url)
    tables = ", ".join(f'"{t.name}"' for t in models.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    with db.transaction() as session:
        ensure_defaults(session)
        keys_apart(session)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('chat', 'id'), 1000)")
    yield db
    db.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_db(request) -> Database:
    """Run the test on both databases the product supports."""
    return request.getfixturevalue("sqlite_db" if request.param == "sqlite" else "pg_db")


@pytest.fixture
def db(sqlite_db) -> Database:
    return sqlite_db
