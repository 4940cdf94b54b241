"""The sender that takes over: the rows a dead owner had claimed go out after one rate window
(not when their 30 s lease runs out), rows waiting on a flood wait keep waiting, and a sender that no longer owns
the role claims nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import update

from bot.outbox import RateLimits
from bot.outbox.testing import FakeTransport
from bot.messages import Outgoing
from models import OutboxMessage, OutboxStatus
from tests.outbox.conftest import add, make_sender, rows, virtual


@virtual
async def test_a_new_owner_reclaims_the_dead_owners_leases_at_once(db, clock):
    ids = add(db, clock, *[Outgoing(chat_id=100 + i, text=f"提醒{i}") for i in range(4)])
    waiting = add(db, clock, Outgoing(chat_id=200, text="等待限流"))[0]
    with db.transaction() as s:  # Telegram said "retry after 60" to this one: it must keep waiting
        s.exec(update(OutboxMessage).where(OutboxMessage.id == waiting).values(
            attempts=1, next_attempt_at=clock.now() + timedelta(seconds=60), last_error="RetryAfter: 60"))
    dead = make_sender(db, FakeTransport(), clock, owner="sender pid=1 dead")
    claims, _, _ = dead._claim_rows(clock.now(), 10)  # it claimed them, then was killed mid-send
    assert sorted(c.message.id for c in claims) == ids
    assert {r.leased_by for i, r in rows(db).items() if i in ids} == {"sender pid=1 dead"}

    transport = FakeTransport()
    heir = make_sender(db, transport, clock, owner="sender pid=2", limits=RateLimits())
    task = asyncio.create_task(heir.run(reclaim=True))
    loop = asyncio.get_running_loop()
    start = loop.time()
    first = None
    while len(transport.deliveries) < 4:
        assert loop.time() - start < 5, "the dead owner's rows waited for their lease"
        await asyncio.sleep(0.05)
        if transport.deliveries and first is None:
            first = loop.time() - start
    # what the dead owner sent in its last second still counts at Telegram: one window first
    assert first >= 1.0, first
    heir.stop()
    await task
    assert sorted(transport.sent_ids) == ids  # clock never moved: no lease ran out
    assert heir.stats.reclaimed == 4
    stored = rows(db)
    assert all(stored[i].status == OutboxStatus.sent and stored[i].leased_by is None for i in ids)
    assert stored[waiting].status == OutboxStatus.pending and stored[waiting].next_attempt_at > clock.now()


@virtual
async def test_a_sender_that_lost_the_role_claims_nothing_and_says_so(db, clock):
    add(db, clock, *[Outgoing(chat_id=300 + i, text="x") for i in range(3)])
    told = []
    transport = FakeTransport()
    sender = make_sender(db, transport, clock, fence=lambda conn: False, on_fenced=lambda: told.append(1))
    await asyncio.wait_for(sender.run(), 5)  # it stops by itself
    assert transport.deliveries == [] and told == [1] and sender.stats.fenced == 1
    assert all(r.attempts == 0 and r.leased_by is None for r in rows(db).values())
