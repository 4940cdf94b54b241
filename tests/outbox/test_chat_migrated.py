"""A group became a supergroup: its rows follow it to the new chat id instead of dying."""

from __future__ import annotations

from bot.places import groups
from bot.outbox import ChatMigrated
from bot.messages import Outgoing
from models import OutboxStatus as S
from tests.factories import build_world

from .conftest import add, rows, make_sender, virtual
from tests import ids

OLD, NEW = -4000000009, -1000000000009


@virtual
async def test_rows_to_a_migrated_group_go_to_the_supergroup(db, clock, transport):
    with db.transaction() as session:
        build_world(session, clock.now())
        groups.bind(session, ids.chat(session, OLD), community_name="白庙社区", grid_name="第一网格", title="居民群", now=clock.now())
    row_ids = add(db, clock,
              Outgoing(chat_id=OLD, text="已记录 Q1", reply_to_message_id="7"),
              Outgoing(chat_id=OLD, text="Q1 已受理", edit_message_id="8", kind="card"),
              Outgoing(chat_id=OLD, text="提醒"),
              Outgoing(chat_id=55, text="私聊"))
    transport.block(OLD, ChatMigrated(NEW, "Bad Request: group chat was upgraded to a supergroup chat"))
    sender = make_sender(db, transport, clock)

    await sender.drain()

    stored = rows(db)
    first, edit, alert, private = (stored[i] for i in row_ids)
    assert [m.id for m in transport.sent_to(NEW)] == [first.id, alert.id]  # in order, once each
    assert transport.sent_to(NEW)[0].reply_to_message_id is None  # id 7 is the old chat's
    with db.session() as session:
        tg = lambda key: ids.telegram_chat(session, key)  # noqa: E731
        assert (first.status, tg(first.chat_id), alert.status, tg(alert.chat_id)) == (S.sent, NEW, S.sent, NEW)
        assert (edit.status, tg(edit.chat_id)) == (S.dead, OLD)  # an old message cannot be edited in the new chat
    assert private.status == S.sent
    assert sender.stats.failed == 0 and sender.stats.moved >= 1
    with db.session() as session:
        assert groups.get(session, ids.known_chat(session, OLD)) is None
        assert groups.get(session, ids.known_chat(session, NEW)).title == "居民群"
    assert len(transport.attempts) <= 5  # OLD refused at most once per row


@virtual
async def test_a_migration_without_a_new_id_is_dead(db, clock, transport):
    [row_id] = add(db, clock, Outgoing(chat_id=OLD, text="hi"))
    transport.block(OLD, ChatMigrated(0))
    sender = make_sender(db, transport, clock)
    await sender.drain()
    assert rows(db)[row_id].status == S.dead and sender.stats.moved == 0
