"""The sender within Telegram's limits, against a fake platform that enforces them (virtual time),
and on both databases."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from bot.outbox import RateLimits, RetryAfter
from bot.outbox.testing import FakeTransport, LoopClock
from bot.messages import Outgoing
from models import OutboxStatus

from .conftest import add, make_sender, rows, virtual

START = datetime(2026, 11, 28, 1, 0, tzinfo=timezone.utc)


@virtual
async def test_500_alerts_to_500_private_chats_at_thirty_a_second_with_no_429(db):
    clock = LoopClock(START)
    transport = FakeTransport(latency=0.05, enforce=RateLimits(slack=0.0))  # the platform: no slack
    ids = add(db, clock, *[Outgoing(chat_id=10_000 + i, text=f"新问题 Q{i}", kind="alert") for i in range(500)])
    sender = make_sender(db, transport, clock, limits=RateLimits(), poll_interval=1.0)
    loop = asyncio.get_running_loop()
    start = loop.time()
    task = asyncio.create_task(sender.run())
    while len(transport.deliveries) < 500:
        await asyncio.sleep(0.5)
        assert loop.time() - start < 60
    took = transport.deliveries[-1].at - start
    sender.stop()
    await task
    assert transport.refused == 0 and sender.stats.rate_limited == 0
    assert sorted(transport.sent_ids) == ids
    assert 16.0 <= took <= 18.0, took  # 500 / 30 per 1.05 s
    assert all(r.status == OutboxStatus.sent for r in rows(db).values())


@virtual
async def test_a_busy_group_and_private_chats_share_the_overall_limit(db):
    clock = LoopClock(START)
    transport = FakeTransport(enforce=RateLimits(slack=0.0))
    outs = [Outgoing(chat_id=-100200, text=f"群{i}") for i in range(30)]
    outs += [Outgoing(chat_id=300 + i % 10, text=f"私{i}") for i in range(60)]
    ids = add(db, clock, *outs)
    sender = make_sender(db, transport, clock, limits=RateLimits())
    await sender.drain(timeout=600)
    assert transport.refused == 0 and sorted(transport.sent_ids) == ids
    group_times = [d.at for d in transport.deliveries if d.chat == -100200]
    assert group_times[20] - group_times[0] >= 60  # 21st group message waits for the minute


@virtual
async def test_without_our_limiter_the_platform_refuses_and_the_sender_still_delivers_everything(db):
    """Belt and braces: 429s from the platform are honoured (the chat and, if several chats are
    refused, everything waits), rows are retried and all arrive."""
    clock = LoopClock(START)
    transport = FakeTransport(enforce=RateLimits(slack=0.0))
    ids = add(db, clock, *[Outgoing(chat_id=700 + i % 40, text=f"m{i}") for i in range(120)])
    sender = make_sender(db, transport, clock, limits=RateLimits.off(), poll_interval=0.5)
    task = asyncio.create_task(sender.run())
    loop = asyncio.get_running_loop()
    start = loop.time()
    while len(transport.deliveries) < 120:
        await asyncio.sleep(0.5)
        assert loop.time() - start < 600
    sender.stop()
    await task
    assert transport.refused > 0 and sender.stats.rate_limited == transport.refused
    assert sorted(transport.sent_ids) == ids
    for chat in range(700, 740):
        sent = [m.id for m in transport.sent_to(chat)]
        assert sent == sorted(sent)
    assert all(r.status == OutboxStatus.sent for r in rows(db).values())


@virtual
async def test_sending_and_marking_on_both_databases(any_db, clock):
    transport = FakeTransport()
    ids = add(any_db, clock, *[Outgoing(chat_id=50 + i % 3, text=f"m{i}") for i in range(12)])
    transport.fail(50, RetryAfter(1))
    sender = make_sender(any_db, transport, clock)
    await sender.drain()
    clock.advance(seconds=2)
    await sender.drain()
    assert sorted(transport.sent_ids) == ids
    stored = rows(any_db)
    assert all(r.status == OutboxStatus.sent and r.sent_message_id for r in stored.values())
    for chat in (50, 51, 52):
        sent = [m.id for m in transport.sent_to(chat)]
        assert sent == sorted(sent)


def test_two_processes_racing_on_one_database_send_each_row_once_and_in_order(any_db, clock):
    """Two senders with their own engines (as two processes would have), each on its own thread
    and event loop, claiming from the same table at full speed."""
    import threading

    from bot.infra.db import Database

    ids = add(any_db, clock, *[Outgoing(chat_id=900 + i % 23, text=f"m{i}") for i in range(600)])
    transport = FakeTransport()
    counts = []

    def worker():
        db = Database(any_db.url)

        async def main():
            sender = make_sender(db, transport, clock, batch=25, offload_db=True)
            while any(r.status == OutboxStatus.pending for r in rows(db).values()):
                await sender.drain(timeout=20)
                await asyncio.sleep(0.001)
            counts.append(sender.stats.sent)

        try:
            asyncio.run(main())
        finally:
            db.dispose()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(transport.sent_ids) == ids  # every row exactly once
    assert sum(counts) == 600
    for chat in range(900, 923):
        sent = [m.id for m in transport.sent_to(chat)]
        assert sent == sorted(sent)
