"""The sender: order per chat, exactly-once marks, crashes, retries, dead rows, due times."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from bot.outbox import (
    PermanentError,
    RateLimits,
    RetryAfter,
    RetryPolicy,
    TemporaryError,
)
from bot.outbox.testing import FakeTransport, LoopClock
from bot.messages import Action, Button, Outgoing
from models import OutboxStatus

from .conftest import add, make_sender, rows, virtual

S = OutboxStatus
GROUP = -100500
START = datetime(2026, 11, 28, 1, 0, tzinfo=timezone.utc)


async def _until(predicate, *, step: float = 0.05, limit: float = 3600.0) -> None:
    """Wait (virtual time) until ``predicate()`` holds."""
    loop = asyncio.get_running_loop()
    end = loop.time() + limit
    while not predicate():
        assert loop.time() < end, "condition never became true"
        await asyncio.sleep(step)


@virtual
async def test_rows_go_out_in_id_order_per_chat_and_are_marked_once(db, clock, transport):
    outs = []
    for i in range(30):  # interleaved: three private chats and a group
        chat = [11, 12, 13, GROUP][i % 4]
        outs.append(Outgoing(chat_id=chat, text=f"m{i}", buttons=[[Button("受理", Action("q", "accept", i))]]))
    ids = add(db, clock, *outs)
    sender = make_sender(db, transport, clock, limits=RateLimits())
    assert await sender.drain() == 30
    for chat in (11, 12, 13, GROUP):
        sent = [m.id for m in transport.sent_to(chat)]
        assert sent == sorted(sent) and sent
    assert sorted(transport.sent_ids) == ids
    stored = rows(db)
    assert all(r.status == S.sent and r.attempts == 1 and r.sent_at == clock.now() for r in stored.values())
    by_row = {d.message.id: d.message_id for d in transport.deliveries}
    assert all(stored[i].sent_message_id == by_row[i] for i in ids)
    assert transport.deliveries[0].message.buttons[0][0].action == Action("q", "accept", 0)
    # nothing is sent twice, however often we look again
    assert await sender.drain() == 0 and len(transport.deliveries) == 30


@virtual
async def test_chats_are_served_concurrently(db, clock):
    transport = FakeTransport(latency=0.5)
    add(db, clock, *[Outgoing(chat_id=100 + i, text="hi") for i in range(20)])
    sender = make_sender(db, transport, clock)
    loop = asyncio.get_running_loop()
    start = loop.time()
    await sender.drain()
    assert len(transport.deliveries) == 20
    assert loop.time() - start < 1.0  # one latency, not twenty


@virtual
async def test_rows_committed_before_a_crash_are_sent_once_by_the_next_sender(db, clock, transport):
    ids = add(db, clock, *[Outgoing(chat_id=7, text=f"m{i}") for i in range(3)])
    crashed = make_sender(db, transport, clock)
    del crashed  # built, never ran: the rows stay pending
    fresh = make_sender(db, transport, clock)
    assert await fresh.drain() == 3
    assert transport.sent_ids == ids
    assert await make_sender(db, transport, clock).drain() == 0
    assert transport.sent_ids == ids


@virtual
async def test_rows_claimed_by_a_sender_that_died_come_back_after_the_lease(db, clock, transport):
    ids = add(db, clock, *[Outgoing(chat_id=7, text=f"m{i}") for i in range(3)])
    dead = make_sender(db, transport, clock)
    claims, _, _ = dead._claim_rows(clock.now(), 100)  # claimed and committed, then the process died
    assert [c.message.id for c in claims] == ids
    survivor = make_sender(db, transport, clock)
    assert await survivor.drain() == 0  # still leased to the dead one
    clock.advance(seconds=RetryPolicy().lease + 1)
    assert await survivor.drain() == 3
    assert transport.sent_ids == ids
    assert all(r.status == S.sent and r.attempts == 2 for r in rows(db).values())


@virtual
async def test_a_crash_between_send_and_mark_sends_that_row_once_more(db, clock, transport):
    """The documented at-least-once edge: the platform took it, the mark was never written."""
    [row_id] = add(db, clock, Outgoing(chat_id=7, text="once?"))
    dying = make_sender(db, transport, clock)
    [claim], _, _ = dying._claim_rows(clock.now(), 100)
    await dying._attempt(claim)  # sent … and the process dies before flushing the outcome
    clock.advance(seconds=RetryPolicy().lease + 1)
    assert await make_sender(db, transport, clock).drain() == 1
    assert transport.sent_ids == [row_id, row_id]
    assert rows(db)[row_id].status == S.sent


@virtual
async def test_two_senders_racing_never_send_a_row_twice_nor_reorder_a_chat(db, clock):
    transport = FakeTransport(latency=0.01)
    outs = [Outgoing(chat_id=200 + i % 17, text=f"m{i}") for i in range(300)]
    ids = add(db, clock, *outs[:150])
    a = make_sender(db, transport, clock, batch=16, poll_interval=0.05, flush_interval=0.003)
    b = make_sender(db, transport, clock, batch=16, poll_interval=0.05, flush_interval=0.003)
    tasks = [asyncio.create_task(s.run()) for s in (a, b)]
    await asyncio.sleep(0.02)
    ids += add(db, clock, *outs[150:])  # more arrive while both are busy
    a.notify()
    b.notify()
    await _until(lambda: len(transport.deliveries) >= 300)
    await asyncio.sleep(1)
    a.stop()
    b.stop()
    await asyncio.gather(*tasks)
    assert sorted(transport.sent_ids) == ids  # each exactly once
    assert a.stats.sent > 0 and b.stats.sent > 0  # both really took part
    for chat in range(200, 217):
        sent = [m.id for m in transport.sent_to(chat)]
        assert sent == sorted(sent)
    assert all(r.status == S.sent for r in rows(db).values())


@virtual
async def test_retry_after_is_waited_out_and_order_is_kept(db):
    clock = LoopClock(START)
    transport = FakeTransport()
    first, second = add(db, clock, Outgoing(chat_id=5, text="1"), Outgoing(chat_id=5, text="2"))
    transport.fail(5, RetryAfter(7))
    sender = make_sender(db, transport, clock, poll_interval=1.0)
    loop = asyncio.get_running_loop()
    start = loop.time()
    task = asyncio.create_task(sender.run())
    await _until(lambda: len(transport.deliveries) == 2)
    sender.stop()
    await task
    [(t0, m0), *_] = transport.attempts
    assert m0.id == first
    assert [d.message.id for d in transport.deliveries] == [first, second]
    assert transport.deliveries[0].at - start >= 7  # not before the platform allowed
    assert transport.deliveries[0].at - start < 8.5
    stored = rows(db)
    assert stored[first].attempts == 2 and stored[first].status == S.sent
    assert stored[second].attempts == 1  # was given back while the first waited
    assert sender.stats.rate_limited == 1


@virtual
async def test_retry_after_is_capped(db):
    clock = LoopClock(START)
    transport = FakeTransport()
    transport.block(5, RetryAfter(2))
    [row_id] = add(db, clock, Outgoing(chat_id=5, text="flood"))
    sender = make_sender(db, transport, clock, retry=RetryPolicy(max_attempts=4), poll_interval=0.5)
    task = asyncio.create_task(sender.run())
    await _until(lambda: rows(db)[row_id].status != S.pending)
    sender.stop()
    await task
    row = rows(db)[row_id]
    assert row.status == S.dead and row.attempts == 4 and transport.calls == 4
    assert "RetryAfter" in row.last_error and "gave up" in row.last_error
    times = [t for t, _ in transport.attempts]
    assert all(b - a >= 2 for a, b in zip(times, times[1:]))


@virtual
async def test_overall_flood_pauses_every_chat(db, clock, transport):
    sender = make_sender(db, transport, clock)
    now = sender.limiter.now()
    sender._flood(1, RetryAfter(3), private=True)
    assert sender.limiter.paused_until() < now  # one chat: only that chat waits
    assert sender.limiter.paused_until(1) >= now + 3
    sender._flood(2, RetryAfter(3), private=True)  # a second chat within a second: it is the bot's limit
    assert sender.limiter.paused_until() >= now + 3
    other = make_sender(db, transport, clock)
    other._flood(9, RetryAfter(4, everywhere=True), private=True)
    assert other.limiter.paused_until(12345) >= now + 4


@virtual
async def test_temporary_errors_back_off_exponentially_then_give_up(db):
    clock = LoopClock(START)
    transport = FakeTransport()
    transport.block(5, TemporaryError("connection reset"))
    [row_id] = add(db, clock, Outgoing(chat_id=5, text="net"))
    policy = RetryPolicy(temporary_attempts=5, backoff_base=1.0, jitter=0.2)
    sender = make_sender(db, transport, clock, retry=policy, poll_interval=60)
    task = asyncio.create_task(sender.run())
    await _until(lambda: rows(db)[row_id].status != S.pending, step=0.5)
    sender.stop()
    await task
    row = rows(db)[row_id]
    assert row.status == S.dead and row.attempts == 5 and "connection reset" in row.last_error
    times = [t for t, _ in transport.attempts]
    gaps = [b - a for a, b in zip(times, times[1:])]
    for n, gap in enumerate(gaps):
        assert 2**n * 0.8 - 0.01 <= gap <= 2**n * 1.2 + 0.01, gaps


def test_backoff_is_capped_and_deterministic_with_a_seed():
    import random

    policy = RetryPolicy(backoff_base=1.0, backoff_max=300.0, jitter=0.2)
    a = [policy.backoff(n, random.Random(3)) for n in range(1, 30)]
    b = [policy.backoff(n, random.Random(3)) for n in range(1, 30)]
    assert a == b and max(a) <= 300.0 and a[0] <= 1.2


@virtual
async def test_permanent_error_is_dead_at_once_and_the_chat_goes_on(db, clock, transport):
    bad, good = add(db, clock, Outgoing(chat_id=5, text="<b>oops"), Outgoing(chat_id=5, text="fine"))
    transport.fail(5, PermanentError("Bad Request: can't parse entities"))
    sender = make_sender(db, transport, clock)
    assert await sender.drain() == 1
    stored = rows(db)
    assert stored[bad].status == S.dead and stored[bad].attempts == 1
    assert "can't parse entities" in stored[bad].last_error
    assert stored[good].status == S.sent
    assert transport.calls == 2


@virtual
async def test_unexpected_transport_errors_are_retried_not_fatal(db, clock, transport):
    [row_id] = add(db, clock, Outgoing(chat_id=5, text="x"))
    transport.fail(5, ValueError("a bug"))
    sender = make_sender(db, transport, clock)
    await sender.drain()
    assert rows(db)[row_id].status == S.pending and "ValueError" in rows(db)[row_id].last_error
    clock.advance(seconds=5)
    assert await sender.drain() == 1


@virtual
async def test_a_row_is_not_sent_before_its_due_time(db, clock, transport):
    later, now_row = add(
        db, clock,
        Outgoing(chat_id=5, text="morning reminder", not_before=clock.now() + timedelta(hours=1)),
        Outgoing(chat_id=5, text="reply now"),
    )
    sender = make_sender(db, transport, clock)
    assert await sender.drain() == 1
    assert transport.sent_ids == [now_row]  # a row held on purpose does not hold the chat
    clock.advance(minutes=59)
    assert await sender.drain() == 0
    clock.advance(minutes=1)
    assert await sender.drain() == 1
    assert transport.sent_ids == [now_row, later]


@virtual
async def test_notify_wakes_the_sender_at_once_and_polling_finds_the_rest(db, clock, transport):
    sender = make_sender(db, transport, clock, poll_interval=30)
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(sender.run())
    await asyncio.sleep(1)
    start = loop.time()
    add(db, clock, Outgoing(chat_id=5, text="new"))
    sender.notify()
    await _until(lambda: len(transport.deliveries) == 1, step=0.001)
    assert loop.time() - start < 0.01
    add(db, clock, Outgoing(chat_id=6, text="written by another process"))  # no notify
    start = loop.time()
    await _until(lambda: len(transport.deliveries) == 2, step=0.5)
    assert loop.time() - start <= 30.5
    sender.stop()
    await task


@virtual
async def test_edit_rows_edit(db, clock, transport):
    [row_id] = add(db, clock, Outgoing(chat_id=5, text="已受理", edit_message_id="77"))
    await make_sender(db, transport, clock).drain()
    [d] = transport.deliveries
    assert d.edit and d.message.edit_message_id == "77"
    assert rows(db)[row_id].sent_message_id == "77"


@virtual
async def test_a_platform_with_text_message_ids_is_answered_and_edited_by_them(db, clock):
    """WeCom names messages by strings: the sender records what the platform answered as it is,
    and an edit of that message reaches the platform with the same string."""

    class TextIds(FakeTransport):
        async def _deliver(self, message, *, edit):
            answered = await super()._deliver(message, edit=edit)
            return answered if edit else f"msgid-{answered}-AbC=="

    transport = TextIds()
    [first] = add(db, clock, Outgoing(chat_id=5, text="问题 Q1"))
    await make_sender(db, transport, clock).drain()
    sent_as = rows(db)[first].sent_message_id
    assert sent_as.startswith("msgid-") and sent_as.endswith("AbC==")
    [edit] = add(db, clock, Outgoing(chat_id=5, text="问题 Q1 已受理", edit_message_id=sent_as, kind="card"))
    await make_sender(db, transport, clock).drain()
    assert transport.deliveries[-1].edit and transport.deliveries[-1].message.edit_message_id == sent_as
    assert rows(db)[edit].sent_message_id == sent_as


@virtual
async def test_stop_gives_unsent_claims_back(db, clock, transport):
    ids = add(db, clock, *[Outgoing(chat_id=GROUP, text=f"m{i}") for i in range(25)])
    sender = make_sender(db, transport, clock, limits=RateLimits())  # 20 a minute in a group
    task = asyncio.create_task(sender.run())
    await _until(lambda: len(transport.deliveries) == 20)
    await asyncio.sleep(5)
    sender.stop()
    await task
    stored = rows(db)
    assert [i for i in ids if stored[i].status == S.sent] == ids[:20]
    rest = [stored[i] for i in ids[20:]]
    assert all(r.status == S.pending and r.attempts == 0 and r.next_attempt_at <= clock.now() for r in rest)
    assert sender.stats.released == 5
    assert await make_sender(db, transport, clock).drain() == 5
    assert transport.sent_ids == ids


@virtual
async def test_drain_after_stop_delivers_what_is_due(db, clock, transport):
    sender = make_sender(db, transport, clock)
    task = asyncio.create_task(sender.run())
    await asyncio.sleep(0.1)
    sender.stop()
    await task
    add(db, clock, Outgoing(chat_id=5, text="last words"))
    assert await sender.drain(timeout=5) == 1


@virtual
async def test_a_sent_mark_is_written_once(db, clock, transport):
    """The mark is guarded by status='pending': a second outcome for the same row changes nothing."""
    [row_id] = add(db, clock, Outgoing(chat_id=5, text="x"))
    sender = make_sender(db, transport, clock)
    [claim], _, _ = sender._claim_rows(clock.now(), 10)
    from bot.outbox.sender import _Outcome

    sender._write([_Outcome("sent", claim, message_id="1")], clock.now())
    clock.advance(seconds=1)
    sender._write([_Outcome("sent", claim, message_id="2"), _Outcome("dead", claim, error="late")], clock.now())
    row = rows(db)[row_id]
    assert row.status == S.sent and row.sent_message_id == "1" and row.last_error == ""


@virtual
async def test_leases_are_renewed_while_rows_wait_for_the_limiter(db):
    clock = LoopClock(START)
    transport = FakeTransport()
    ids = add(db, clock, *[Outgoing(chat_id=GROUP, text=f"m{i}") for i in range(25)])
    owner = make_sender(db, transport, clock, limits=RateLimits())  # 20 a minute: 5 wait ~60 s
    task = asyncio.create_task(owner.drain())  # no polling: only its renewals keep the claims
    await asyncio.sleep(45)  # past the 30 s lease of the 5 still waiting
    thief = make_sender(db, transport, clock)
    assert await thief.drain() == 0  # nothing to take
    assert await task == 25
    assert transport.sent_ids == ids and owner.stats.sent == 25
