"""A community's place names, cached by each instance for the parser, change everywhere at once
when another instance adds one (a roster import that brings a new compound, an alias for a
building): a resident naming the new compound is understood on every instance at once, not a
minute later on some of them.

"The other instance" is another ``Database`` with its own connections that writes through
``bot.places.service`` — what the other process runs — and never touches this process's cache."""

from __future__ import annotations

import asyncio

import pytest

from bot.infra.config import Settings
from bot.infra.db import Database
from bot.places import service as places
from handlers.context import Context
from handlers.understanding import forget_gazetteers, gazetteer_for
from tests.factories import build_world
from tests.instances import another_instance
from tests.rotas.test_scheduler import wait_for


def compounds_seen(db: Database, clock, community_id: int) -> set[str]:
    with db.session() as session:
        ctx = Context(session=session, now=clock.now(), settings=Settings(_env_file=None, cache_ttl_seconds=3600))
        return set(gazetteer_for(ctx, community_id).compounds)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_a_compound_added_on_another_instance_is_known_at_once(backend, request, clock):
    db: Database = request.getfixturevalue("sqlite_db" if backend == "sqlite" else "pg_db")
    forget_gazetteers()
    with db.transaction() as s:
        build_world(s, clock.now())
        community = places.get_community(s, "白庙社区")
        community_id = community.id
    async with another_instance(db, listening=backend == "postgres", forget=forget_gazetteers) as other:
        before = compounds_seen(db, clock, community_id)
        assert "翠湖苑" not in before and compounds_seen(db, clock, community_id) == before  # cached
        with other.transaction() as s:
            places.ensure_compound(s, places.get_community(s, "白庙社区"), "翠湖苑", aliases=("翠湖",))
        assert await wait_for(lambda: {"翠湖苑", "翠湖"} <= compounds_seen(db, clock, community_id), 5.0, step=0.01)
        # a change rolled back announces nothing and changes nothing
        with pytest.raises(RuntimeError):
            with other.transaction() as s:
                places.ensure_compound(s, places.get_community(s, "白庙社区"), "碧水湾")
                raise RuntimeError("the import failed after the compound")
        await asyncio.sleep(0.2)
        assert "碧水湾" not in compounds_seen(db, clock, community_id)
