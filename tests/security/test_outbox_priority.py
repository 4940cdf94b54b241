"""Issue 9, finding 6: an answer to someone is never stuck behind bulk.

The sender puts interactive rows (a reply to what someone just wrote or tapped, a login link, an
edit) ahead of bulk (alerts, reminders, digests, notices), per chat and across chats, without
breaking the order of a chat's messages of one lane; edits of one message keep their order. On
virtual time with Telegram's limits on (and a transport that refuses like Telegram when they are
broken), then once through the stand-in with its limits on.
"""

from __future__ import annotations

import asyncio
from tests.rendered import html_of
from datetime import datetime, timezone

from bot.outbox import RateLimits, RetryAfter
from bot.outbox.testing import FakeTransport, LoopClock
from bot.messages import Outgoing
from tests.chat.conftest import demo, demo_template, parser, people  # noqa: F401 — fixtures
from tests.outbox.conftest import add, make_sender, rows, virtual

GROUP = -100700
LIMITS = RateLimits()


def alerts(chat_id: int, n: int, kind: str = "alert") -> list[Outgoing]:
    return [Outgoing(chat_id=chat_id, text=f"{kind} {i}", kind=kind) for i in range(n)]


async def _run_until(sender, predicate, limit: float = 3600.0) -> float:
    """Run the sender (virtual time) until ``predicate()``; the seconds it took."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    task = asyncio.create_task(sender.run())
    try:
        while not predicate():
            assert loop.time() - start < limit, "never happened"
            await asyncio.sleep(0.01)
        return loop.time() - start
    finally:
        sender.stop()
        await task


def _delivered_at(transport: FakeTransport, text: str) -> float | None:
    return next((d.at for d in transport.deliveries if html_of(d.message) == text), None)


@virtual
async def test_a_reply_to_a_private_chat_goes_ahead_of_the_alerts_queued_there(db, clock):
    transport = FakeTransport(enforce=LIMITS)
    add(db, clock, *alerts(7001, 60))  # a minute of alerts at 1/s
    add(db, clock, Outgoing(chat_id=7001, text="你的登录链接", kind="reply"))
    sender = make_sender(db, transport, clock, limits=LIMITS)
    start = asyncio.get_running_loop().time()
    await _run_until(sender, lambda: _delivered_at(transport, "你的登录链接") is not None)
    assert _delivered_at(transport, "你的登录链接") - start <= 2.1  # the next free second, not the 61st
    assert transport.refused == 0


@virtual
async def test_a_reply_in_a_group_goes_ahead_of_its_bulk_and_bulk_keeps_its_order(db, clock):
    transport = FakeTransport(enforce=LIMITS)
    add(db, clock, *alerts(GROUP, 40, "notice"))  # two minutes at 20 a minute
    add(db, clock, Outgoing(chat_id=GROUP, text="已记录 Q9", kind="reply"))
    sender = make_sender(db, transport, clock, limits=LIMITS)
    start = asyncio.get_running_loop().time()
    await _run_until(sender, lambda: len(transport.sent_to(GROUP)) == 41)
    assert _delivered_at(transport, "已记录 Q9") - start <= 6  # among the first messages, not the 41st
    notices = [html_of(m) for m in transport.sent_to(GROUP) if m.kind == "notice"]
    assert notices == [f"notice {i}" for i in range(40)]
    assert transport.refused == 0


@virtual
async def test_a_burst_of_notices_leaves_a_group_room_for_replies(db, clock):
    """Telegram allows a group 20 messages a minute: bulk takes at most 15 of them, so a reply
    queued after a burst of notices has started still goes at once, not a minute later."""
    transport = FakeTransport(enforce=LIMITS)
    add(db, clock, *alerts(GROUP, 100, "notice"))
    sender = make_sender(db, transport, clock, limits=LIMITS)
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(sender.run())
    await asyncio.sleep(5.0)
    assert len(transport.sent_to(GROUP)) == 15  # the burst: the whole bulk share of the minute
    add(db, clock, Outgoing(chat_id=GROUP, text="已记录 Q10", kind="reply"))
    queued = loop.time()
    sender.notify()
    while _delivered_at(transport, "已记录 Q10") is None:
        await asyncio.sleep(0.01)
    assert _delivered_at(transport, "已记录 Q10") - queued <= 0.5
    await asyncio.sleep(60.0)
    assert 29 <= len(transport.sent_to(GROUP)) <= 31  # 15 a minute of bulk, plus the reply
    sender.stop()
    await task
    assert transport.refused == 0


@virtual
async def test_a_reply_to_another_chat_is_not_stuck_behind_500_alerts(db, clock):
    transport = FakeTransport(enforce=LIMITS)
    add(db, clock, *[Outgoing(chat_id=9000 + i, text=f"alert {i}", kind="alert") for i in range(500)])
    sender = make_sender(db, transport, clock, limits=LIMITS)
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(sender.run())
    await asyncio.sleep(2.0)  # the alerts are going out at 30/s
    add(db, clock, Outgoing(chat_id=8001, text="好的，按问题记录。", kind="reply"))
    queued = loop.time()
    sender.notify()
    while _delivered_at(transport, "好的，按问题记录。") is None:
        await asyncio.sleep(0.01)
    assert _delivered_at(transport, "好的，按问题记录。") - queued <= 1.5  # ~15 s behind the alerts before
    while len(transport.deliveries) < 501:
        await asyncio.sleep(0.1)
    sender.stop()
    await task
    assert transport.refused == 0


@virtual
async def test_replies_keep_their_order_and_edits_of_one_message_too(db, clock):
    transport = FakeTransport(enforce=LIMITS)
    outs = []
    for i in range(12):
        outs.append(Outgoing(chat_id=7002, text=f"alert {i}", kind="alert"))
        if i % 3 == 0:
            outs.append(Outgoing(chat_id=7002, text=f"reply {i}", kind="reply"))
        if i % 4 == 0:  # a refresh of a card already sent, then a tap's edit of it
            outs.append(Outgoing(chat_id=7002, text=f"card v{i}", kind="card", edit_message_id=55))
    add(db, clock, *outs)
    sender = make_sender(db, transport, clock, limits=LIMITS)
    await _run_until(sender, lambda: len(transport.deliveries) == len(outs))
    order = [html_of(d.message) for d in transport.deliveries]
    lane = [t for t in order if not t.startswith("alert")]
    assert lane == [html_of(o) for o in outs if o.kind != "alert"]  # interactive: in the order queued
    assert order[: len(lane)] == lane  # and ahead of every alert
    assert [t for t in order if t.startswith("alert")] == [f"alert {i}" for i in range(12)]
    assert [html_of(d.message) for d in transport.deliveries if d.edit][-1] == "card v8"  # the last state wins


@virtual
async def test_a_retried_reply_holds_back_later_replies_but_not_earlier_alerts(db):
    clock = LoopClock(datetime(2026, 11, 28, 1, 0, tzinfo=timezone.utc))  # retries fall due on the loop's time
    transport = FakeTransport()
    ids = add(db, clock, Outgoing(chat_id=7003, text="alert 0", kind="alert"),
              Outgoing(chat_id=7003, text="reply 1", kind="reply"),
              Outgoing(chat_id=7003, text="reply 2", kind="reply"),
              Outgoing(chat_id=7003, text="alert 3", kind="alert"))
    transport.fail(7003, RetryAfter(5))  # the first send (reply 1) is refused for 5 s
    sender = make_sender(db, transport, clock)
    await _run_until(sender, lambda: len(transport.deliveries) == 4)
    assert [html_of(d.message) for d in transport.deliveries] == ["reply 1", "reply 2", "alert 0", "alert 3"]
    assert all(r.status == "sent" for r in rows(db).values()) and len(ids) == 4


@virtual
async def test_a_busy_chat_does_not_take_every_claim(db, clock):
    """600 notices to four groups (20 a minute each) fill no more than a few claims each: the
    sender keeps claiming, and a private chat's bulk still goes at once."""
    transport = FakeTransport(enforce=LIMITS)
    for g in range(4):
        add(db, clock, *alerts(GROUP - g, 150, "notice"))
    add(db, clock, Outgoing(chat_id=7004, text="提醒：今晚巡逻", kind="reminder"))
    sender = make_sender(db, transport, clock, limits=LIMITS)
    start = asyncio.get_running_loop().time()
    await _run_until(sender, lambda: _delivered_at(transport, "提醒：今晚巡逻") is not None, limit=600)
    assert _delivered_at(transport, "提醒：今晚巡逻") - start <= 2
    assert len(sender._inflight) <= 4 * sender.per_chat + 1


async def test_through_the_standin_a_reply_overtakes_a_queue_of_alerts(demo, parser, people):
    """The stand-in with Telegram's limits on: 40 alerts wait for the office's private chat (40 s
    at 1/s); the office sends /help and has its answer within a few seconds."""
    from bot.platforms.telegram.standin import Limits
    from tests.chat.live import live_bot

    db, _summary = demo
    async with live_bot(db, parser, limits=Limits()) as live:
        from bot.infra.clock import SystemClock

        add(db, SystemClock(), *alerts(people.office, 40))
        live.runtime.sender.notify()
        sc = live.sc
        await sc.wait_for_message(people.office, lambda m: m["text"] == "alert 0", timeout=10)
        loop = asyncio.get_running_loop()
        sent = await sc.send_text(people.office, people.office, "/help")
        t0 = loop.time()
        await sc.wait_for_message(people.office, lambda m: (m.get("reply_to_message") or {}).get("message_id")
                                  == sent["message_id"], timeout=20)
        assert loop.time() - t0 < 5
        alerts_seen = [m for m in await sc.messages(people.office) if m["text"].startswith("alert")]
        assert len(alerts_seen) < 15  # most alerts were still waiting
