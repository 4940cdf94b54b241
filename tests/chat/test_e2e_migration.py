"""End to end: a bound residents' group is upgraded to a supergroup (its chat id changes) and
keeps working — through the real aiogram bot, polling the stand-in."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from bot.demo import data as demo_data
from bot.places import groups
from bot.outbox import enqueue
from bot.runtime import Features
from bot.messages import Outgoing
from models import ChatGroup, OutboxMessage

from .live import live_bot
from tests import ids

OLD = -4000000077  # a basic group: Telegram gives those ids of this shape
QUIET = -4000000078


async def _until(predicate, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "the condition never became true"
        await asyncio.sleep(0.02)


def telegram_chat(db, key: int) -> int:
    with db.session() as s:
        return ids.telegram_chat(s, key)


async def test_a_migrated_group_keeps_its_binding_and_its_queued_alert(demo, parser, people, clock):
    db, _ = demo
    async with live_bot(db, parser, start=False) as live:
        world, sc = live.server.world, live.sc
        residents = sorted(world.groups[demo_data.GROUP_SUNSHINE].members)
        world.add_group("阳光花园二期居民群", members=residents, chat_id=OLD, type_="group")
        with db.transaction() as s:
            groups.bind(s, ids.chat(s, OLD), community_name="白庙社区", compound_name="阳光花园", title="阳光花园二期居民群",
                        now=clock.now())
            enqueue(s, Outgoing(chat_id=ids.chat(s, OLD), text="🔔 明天9点到12点停水，请提前储水", kind="alert"), now=clock.now())

        new = (await sc.migrate(OLD))["chat"]["id"]
        await live.start(Features(web=False, scheduler=False, sweep_every=0))

        # the alert queued for the old id arrives in the supergroup
        alert = await sc.wait_for_message(new, lambda m: "停水" in m["text"], timeout=10)
        assert alert["chat"]["id"] == new

        def bound_to_new() -> bool:
            with db.session() as s:
                key = ids.known_chat(s, new)  # None until the new chat's row is made
                return key is not None and s.get(ChatGroup, key) is not None

        await _until(bound_to_new)  # the service message was handled

        # a resident's report in the supergroup is filed and answered there
        await sc.send_text(people.r_li, new, "4栋单元门坏了关不上，外人随便进出")
        card = await sc.wait_for_message(new, lambda m: "已记录" in m["text"], timeout=10)
        assert "阳光花园4栋" in card["text"]
        issue = live.newest()
        assert telegram_chat(db, issue.source_chat_id) == new and issue.text.startswith("4栋单元门")

        def chat_rows() -> list[OutboxMessage]:
            with db.session() as s:
                keys = [ids.known_chat(s, OLD), ids.known_chat(s, new)]
                return list(s.exec(select(OutboxMessage).where(OutboxMessage.chat_id.in_(keys))).all())

        await _until(lambda: all(r.status != "pending" for r in chat_rows()))
        rows = chat_rows()
        assert {r.status for r in rows} == {"sent"} and {telegram_chat(db, r.chat_id) for r in rows} == {new}, [
            (r.chat_id, r.status, r.text[:20]) for r in rows]
        with db.session() as s:
            assert s.get(ChatGroup, ids.known_chat(s, OLD)) is None
            bound = s.get(ChatGroup, ids.known_chat(s, new))
            assert (bound.title, bound.compound_id is not None, bound.grid_id) == ("阳光花园二期居民群", True, None)
        # nothing was said about the upgrade, and nothing reached the old chat
        assert [m for m in world.groups[OLD].messages.values() if m.get("from", {}).get("is_bot")] == []
        assert [m["text"] for m in world.groups[new].messages.values()
                if m.get("from", {}).get("is_bot")][:2] == [alert["text"], card["text"]]


async def test_a_group_migrated_while_the_bot_runs_follows_its_service_message(demo, parser, people, clock):
    """Nothing waits to be sent to it, so only the service message can tell the bot."""
    db, _ = demo
    async with live_bot(db, parser, start=False) as live:
        world, sc = live.server.world, live.sc
        world.add_group("阳光花园老群", members=sorted(world.groups[demo_data.GROUP_SUNSHINE].members), chat_id=QUIET,
                        type_="group")
        with db.transaction() as s:
            groups.bind(s, ids.chat(s, QUIET), community_name="白庙社区", compound_name="阳光花园", title="阳光花园老群", now=clock.now())
        await live.start(Features(web=False, scheduler=False, sweep_every=0))

        new = (await sc.migrate(QUIET))["chat"]["id"]

        def moved() -> bool:
            with db.session() as s:
                key = ids.known_chat(s, new)  # None until the service message made the new chat's row
                return key is not None and s.get(ChatGroup, key) is not None \
                    and s.get(ChatGroup, ids.known_chat(s, QUIET)) is None

        await _until(moved)
        await sc.send_text(people.r_li, new, "4栋单元门坏了关不上，外人随便进出")
        card = await sc.wait_for_message(new, lambda m: "已记录" in m["text"], timeout=10)
        assert "阳光花园4栋" in card["text"] and telegram_chat(db, live.newest().source_chat_id) == new
        assert not any(m.get("from", {}).get("is_bot") for m in world.groups[QUIET].messages.values())
