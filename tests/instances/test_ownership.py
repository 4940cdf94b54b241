"""One owner per role among processes on one database: a standby takes over when the owner goes,
an owner whose lock connection is killed acts no more at once, the lock connection says who it is,
and two processes migrating a fresh database take turns."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.infra import ownership
from bot.infra.db import Database, make_engine
from bot.infra.ownership import Elected, lock_for
from tests.rotas.test_scheduler import wait_for

REPO = Path(__file__).resolve().parents[2]


async def until(cond, timeout: float = 5.0) -> bool:
    return await wait_for(cond, timeout, step=0.02)


class Role:
    """A role's work: counts its terms, like the sender started and stopped by ``Elected``."""

    def __init__(self) -> None:
        self.running = False
        self.started = 0

    async def on(self) -> None:
        self.running = True
        self.started += 1

    async def off(self) -> None:
        self.running = False


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_a_standby_takes_over_when_the_owner_stops(backend, request):
    db: Database = request.getfixturevalue("sqlite_db" if backend == "sqlite" else "pg_db")
    a_work, b_work = Role(), Role()
    a = Elected(lock_for(db.engine, "sender"), retry=0.1, on_gain=a_work.on, on_loss=a_work.off)
    b = Elected(lock_for(db.engine, "sender"), retry=0.1, on_gain=b_work.on, on_loss=b_work.off)
    a_stop, b_stop = asyncio.Event(), asyncio.Event()
    ta = asyncio.create_task(a.run(a_stop))
    assert await until(lambda: a.owner)
    tb = asyncio.create_task(b.run(b_stop))
    try:
        await asyncio.sleep(0.5)  # five tries of the standby: it never gets the role
        assert a_work.running and not b_work.running and not b.owner
        assert ownership.owners()["sender"]["here"]  # this process (through a) owns it
        if backend == "postgres":
            holder = await asyncio.to_thread(b.lock.holder)
            assert holder == ownership.process_name("sender")
        a_stop.set()
        await ta
        assert not a_work.running
        assert await until(lambda: b_work.running, timeout=5)  # takeover within 5 s (tries every 0.1 s)
    finally:
        a_stop.set()
        b_stop.set()
        await asyncio.gather(ta, tb)
    assert "sender" not in ownership.owners()


@pytest.mark.postgres
async def test_an_owner_whose_lock_connection_is_killed_stops_at_once(pg_db):
    """The scenario of issue 12: the lock's connection killed by the server (an admin, a failover
    of the database). The fence in the claiming transaction refuses at once, before the owner's
    next check; the standby takes over within its retry."""
    work_a, work_b = Role(), Role()
    a = Elected(lock_for(pg_db.engine, "sender"), retry=30.0, on_gain=work_a.on, on_loss=work_a.off)
    b = Elected(lock_for(pg_db.engine, "sender"), retry=0.2, on_gain=work_b.on, on_loss=work_b.off)
    stop = asyncio.Event()
    ta = asyncio.create_task(a.run(stop))
    assert await until(lambda: a.owner)
    tb = asyncio.create_task(b.run(stop))
    try:
        with pg_db.engine.connect() as conn:
            key = ownership.KEYS["sender"]
            names = conn.execute(text(
                "SELECT a.application_name, a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :hi AND l.objid = :lo"
                " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            ), {"hi": key >> 32, "lo": key & 0xFFFFFFFF}).all()
            assert [n for n, _ in names] == [ownership.process_name("sender")]  # the holder is named
            conn.commit()
            with conn.begin():
                assert a.lock.fence(conn)
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": names[0][1]})
            conn.commit()

            def fenced() -> bool:
                with conn.begin():
                    return not a.lock.fence(conn)

            # the backend ends a moment after the call; from then a's next claim claims nothing,
            # 30 s before a's own check would notice
            assert await until(fenced, timeout=2)
        a.check_now()  # what the sender does when its fence fails
        assert await until(lambda: not work_a.running, timeout=2)
        assert await until(lambda: work_b.running, timeout=5)  # the standby within 5 s
        assert not a.owner and b.owner
    finally:
        stop.set()
        await asyncio.gather(ta, tb)


def test_file_locks_per_role_beside_the_database(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    sender, poller, other = lock_for(engine, "sender"), lock_for(engine, "poller"), lock_for(engine, "sender")
    assert sender.path == tmp_path / "x.db.sender.lock" and poller.path == tmp_path / "x.db.poller.lock"
    assert sender.acquire() and poller.acquire()  # roles are independent
    assert not other.acquire()
    assert other.holder() == ownership.process_name("sender")  # written beside the lock by its owner
    sender.release()
    assert other.acquire()
    other.release()
    poller.release()


@pytest.mark.postgres
def test_two_inits_on_a_fresh_postgres_database_both_succeed(pg_url):
    """Two ``hgj init`` at once on an empty database (issue 12: 3 of 3 failed with
    UniqueViolation on pg_type): the migrations' advisory lock makes them take turns."""
    import psycopg2

    name = f"hgj_fresh_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="test")
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
    try:
        env = {**os.environ, "HGJ_DATABASE_URL": url}
        procs = [subprocess.Popen([sys.executable, "-m", "bot.cli", "init"], cwd=REPO, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outs = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], [err for _, err in outs]
        db = Database(url)
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
            assert conn.execute(text("SELECT count(*) FROM pointsrule")).scalar() > 0  # and the defaults
        db.dispose()
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.postgres
def test_a_lock_connection_left_idle_is_ended_by_the_server(pg_db):
    """An owner whose machine vanished (no FIN, no RST) stops pinging: the server ends its lock's
    session after ``IDLE_SESSION_TIMEOUT_S`` instead of holding the role for hours."""
    lock = lock_for(pg_db.engine, "sender")
    try:
        assert lock.acquire()
        with pg_db.engine.connect() as conn:
            timeout = conn.execute(text(
                "SELECT setting FROM pg_settings WHERE name = 'idle_session_timeout'")).scalar()
            if timeout is None:
                pytest.skip("the server has no idle_session_timeout (PostgreSQL < 14)")
        # read on the lock's own connection: the setting is the session's
        assert lock._conn.execute(text("SHOW idle_session_timeout")).scalar() == f"{ownership.IDLE_SESSION_TIMEOUT_S}s"
        lock._conn.commit()
    finally:
        lock.release()
