"""A group's binding, cached by each instance, changes everywhere at once when another instance
binds the group (issue 12: a /bind on one instance was invisible on the other for a minute).

"The other instance" is another ``Database`` with its own connections that binds through
``bot.places.groups.bind`` — what the other process runs — and never touches this process's cache."""

from __future__ import annotations

import asyncio
import os

import pytest
from sqlalchemy import text

from bot.places import groups
from bot.infra.changes import GroupWatch
from bot.infra.config import Settings
from bot.infra.db import Database
from handlers.context import Context, forget_bindings
from handlers.types import Chat
from tests import ids
from tests.factories import build_world
from tests.instances import another_instance
from tests.rotas.test_scheduler import wait_for

GROUP_TELEGRAM_ID = -100777


def seen(db: Database, clock) -> str | None:
    """The community this instance's conversation takes the group to be bound to (cached)."""
    with db.session() as session:
        ctx = Context(session=session, now=clock.now(), settings=Settings(_env_file=None, cache_ttl_seconds=3600))
        binding = ctx.group(Chat(ids.known_chat(session, GROUP_TELEGRAM_ID), "group", "阳光花园居民群"))
        if binding is None:
            return None
        from models import Community

        return session.get(Community, binding.community_id).name


async def until(cond, timeout: float = 5.0) -> bool:
    return await wait_for(cond, timeout, step=0.01)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_a_bind_on_another_instance_is_seen_at_once(backend, request, clock):
    db: Database = request.getfixturevalue("sqlite_db" if backend == "sqlite" else "pg_db")
    forget_bindings()
    with db.transaction() as s:
        build_world(s, clock.now())
        group = ids.chat(s, GROUP_TELEGRAM_ID, "阳光花园居民群")
    async with another_instance(db, listening=backend == "postgres", forget=forget_bindings) as other:
        assert seen(db, clock) is None  # unbound: cached as such
        assert seen(db, clock) is None
        with other.transaction() as s:
            groups.bind(s, group, community_name="白庙社区", now=clock.now())
        assert await until(lambda: seen(db, clock) == "白庙社区")
        with other.transaction() as s:
            groups.bind(s, group, community_name="月亮湖社区", force=True, now=clock.now())
        assert await until(lambda: seen(db, clock) == "月亮湖社区")
        # a binding that was rolled back announces nothing and changes nothing
        with pytest.raises(RuntimeError):
            with other.transaction() as s:
                groups.bind(s, group, community_name="白庙社区", force=True, now=clock.now())
                raise RuntimeError("the change failed after the bind")
        await asyncio.sleep(0.2)
        assert seen(db, clock) == "月亮湖社区"


@pytest.mark.postgres
async def test_while_the_listener_is_away_every_read_goes_to_the_database(pg_db, clock):
    forget_bindings()
    with pg_db.transaction() as s:
        build_world(s, clock.now())
        group = ids.chat(s, GROUP_TELEGRAM_ID, "阳光花园居民群")
        groups.bind(s, group, community_name="白庙社区", now=clock.now())
    # no GroupWatch running: nothing would tell this process, so nothing is cached
    assert seen(pg_db, clock) == "白庙社区"
    other = Database(pg_db.url)
    try:
        with other.transaction() as s:
            groups.bind(s, group, community_name="月亮湖社区", force=True, now=clock.now())
        assert seen(pg_db, clock) == "月亮湖社区"
    finally:
        other.dispose()
        forget_bindings()


@pytest.mark.postgres
async def test_the_listener_has_a_named_connection_of_its_own_and_comes_back_when_it_is_cut(pg_db, clock):
    # a listener on a pooled connection without keepalives looked alive for hours after the
    # network dropped it, and the caches trusted it; its own connection is named for the operator
    # (pg_stat_activity) and, cut, is noticed and made again
    forget_bindings()
    with pg_db.transaction() as s:
        build_world(s, clock.now())
    watch = GroupWatch(pg_db.engine, reconnect=0.5).start()
    try:
        assert await asyncio.to_thread(watch.wait_connected)
        name = f"hgj:group-watch pid={os.getpid()}"  # this process's: other runs share the server
        with pg_db.engine.connect() as conn:
            (pid,) = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE application_name = :n "
                                       "AND query LIKE 'LISTEN%'"), {"n": name}).one()
            conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        assert await until(lambda: watch.version is None, 5)  # the caches read through meanwhile
        assert await until(lambda: watch.version is not None, 5)
        with pg_db.engine.connect() as conn:
            again = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE application_name = :n"),
                                 {"n": name}).scalars().all()
        assert again and pid not in again
    finally:
        await asyncio.to_thread(watch.stop)
        forget_bindings()
