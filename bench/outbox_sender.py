"""Benchmark: the outbox sender on SQLite.

1. Throughput with the limits off and an instant fake transport: ``--rows`` rows to
   ``--chats`` chats, on a table that already holds ``--history`` sent rows, sent by
   ``Sender.run()`` as in production (database calls in a thread); rows/s from start to the
   last ``sent`` mark written.
2. Telegram's limits on: ``--alerts`` alerts to as many private chats through the real
   ``TelegramTransport`` and aiogram ``Bot`` over HTTP, against a local Bot API that enforces
   30 messages/s overall, 1/s per private chat and 20/min per group (no slack) and answers 429
   when broken.
3. Priority, limits on, over HTTP: ``--alerts`` alerts are queued and going out; two seconds
   later one reply is queued, and the time from queueing it to its delivery is measured — a
   reply to another chat, to the private chat the alerts go to, to the group they go to; and, as
   the control, the same message queued as bulk (how every reply waited before the lanes).

Prints progress, then one JSON line: {"rows_per_s", "alerts_seconds", "alerts_429",
"reply_delay_s", ...}.

    python bench/outbox_sender.py [--rows 20000] [--chats 1000] [--history 100000] [--alerts 500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import deque
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select  # noqa: E402

from bot.bootstrap import prepare  # noqa: E402
from bot.infra.clock import SystemClock  # noqa: E402
from bot.outbox import RateLimiter, RateLimits, Sender  # noqa: E402
from bot.outbox.testing import FakeTransport  # noqa: E402
from models import OutboxMessage, OutboxStatus  # noqa: E402
from _chats import telegram_chats  # noqa: E402

T = OutboxMessage.__table__


def fill(db, n: int, chats: int, *, status: str = OutboxStatus.pending, start_chat: int = 1) -> None:
    now = datetime.now(timezone.utc)
    with db.transaction() as s:
        keys = telegram_chats(s, [start_chat + c for c in range(min(chats, n))])
    rows = [
        dict(created_at=now, chat_id=keys[start_chat + i % chats], text=f"<b>新问题</b> Q{i}：3栋楼道灯坏了",
             buttons='[[{"text": "受理", "data": "q:accept:%d"}]]' % i, kind="alert", status=status,
             attempts=0 if status == OutboxStatus.pending else 1, next_attempt_at=now, last_error="",
             sent_at=now if status == OutboxStatus.sent else None)
        for i in range(n)
    ]
    with db.transaction() as s:
        for k in range(0, n, 5000):
            s.connection().execute(insert(T), rows[k:k + 5000])


def count(db, status: str) -> int:
    with db.session() as s:
        return s.execute(select(func.count()).select_from(T).where(T.c.status == status)).scalar()


async def throughput(db, n: int, chats: int, batch: int) -> dict:
    transport = FakeTransport()
    sender = Sender(db, transport, clock=SystemClock(), limiter=RateLimiter(RateLimits.off()),
                    batch=batch, poll_interval=0.5)
    t0 = time.perf_counter()
    task = asyncio.create_task(sender.run())
    while sender.stats.sent < n or sender._inflight:
        await asyncio.sleep(0.005)
    seconds = time.perf_counter() - t0
    sender.stop()
    await task
    assert count(db, OutboxStatus.pending) == 0 and len(transport.deliveries) == n
    assert len(set(transport.sent_ids)) == n
    return {"rows": n, "chats": chats, "seconds": round(seconds, 3), "rows_per_s": round(n / seconds)}


class LimitedBotApi:
    """sendMessage only, with Telegram's limits measured on arrival (no slack)."""

    def __init__(self, overall=(30, 1.0), private=(1, 1.0), group=(20, 60.0)) -> None:
        self.overall, self.private, self.group = overall, private, group
        self.stamps: dict[object, deque[float]] = {}
        self.refused = 0
        self.accepted = 0
        self.next_id = 0

    def _full(self, key, count, window, now) -> float:
        stamps = self.stamps.setdefault(key, deque())
        while stamps and stamps[0] <= now - window:
            stamps.popleft()
        return stamps[-count] + window - now if len(stamps) >= count else 0.0

    async def handle(self, request):
        from aiohttp import web

        params = await request.post()
        chat_id = int(params["chat_id"])
        now = time.monotonic()
        per_chat = self.private if chat_id > 0 else self.group
        wait = max(self._full("all", *self.overall, now), self._full(chat_id, *per_chat, now))
        if wait:
            self.refused += 1
            return web.json_response({"ok": False, "error_code": 429, "description": "Too Many Requests",
                                      "parameters": {"retry_after": max(1, round(wait))}}, status=429)
        self.stamps["all"].append(now)
        self.stamps[chat_id].append(now)
        self.accepted += 1
        self.next_id += 1
        return web.json_response({"ok": True, "result": {
            "message_id": self.next_id, "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"}, "text": params["text"]}})


async def alerts_within_limits(db, n: int) -> dict:
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiohttp import web
    from aiohttp.test_utils import TestServer

    from bot.platforms.telegram.transport import TelegramTransport

    api = LimitedBotApi()
    app = web.Application()
    app.router.add_post("/bot{token}/sendMessage", api.handle)
    server = TestServer(app)
    await server.start_server(shutdown_timeout=1.0)
    bot = Bot("123456:BENCH", session=AiohttpSession(api=TelegramAPIServer.from_base(str(server.make_url("")).rstrip("/"))))
    fill(db, n, n, start_chat=1_000_000)
    sender = Sender(db, TelegramTransport(bot), clock=SystemClock(), limiter=RateLimiter(RateLimits()), poll_interval=0.5)
    t0 = time.perf_counter()
    task = asyncio.create_task(sender.run())
    try:
        while sender.stats.sent < n:
            await asyncio.sleep(0.05)
        seconds = time.perf_counter() - t0
    finally:
        sender.stop()
        await task
        await bot.session.close()
        await server.close()
    return {"alerts": n, "seconds": round(seconds, 2), "per_s": round(n / seconds, 1),
            "server_429": api.refused, "sender_429": sender.stats.rate_limited, "accepted": api.accepted}


async def reply_behind_alerts(db, n: int, where: str, kind: str = "reply", start_chat: int = 2_000_000) -> dict:
    """``n`` alerts going out (to ``n`` private chats, or all to one private chat or one group);
    two seconds in, one message of ``kind`` is queued: to another chat (``where="other"``) or to
    the alerts' own chat. Returns the seconds from queueing it to its delivery."""
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiohttp import web
    from aiohttp.test_utils import TestServer

    from bot.outbox import enqueue
    from bot.platforms.telegram.transport import TelegramTransport
    from bot.messages import Outgoing

    api = LimitedBotApi()
    app = web.Application()
    app.router.add_post("/bot{token}/sendMessage", api.handle)
    server = TestServer(app)
    await server.start_server(shutdown_timeout=1.0)
    bot = Bot("123456:BENCH", session=AiohttpSession(api=TelegramAPIServer.from_base(str(server.make_url("")).rstrip("/"))))
    target = {"other": start_chat + n + 1, "private": start_chat, "group": -start_chat}[where]
    if where == "other":
        fill(db, n, n, start_chat=start_chat)
    else:
        fill(db, n, 1, start_chat=target)
    clock = SystemClock()
    sender = Sender(db, TelegramTransport(bot), clock=clock, limiter=RateLimiter(RateLimits()), poll_interval=0.5)
    task = asyncio.create_task(sender.run())
    try:
        await asyncio.sleep(2.0)
        with db.transaction() as s:
            [key] = telegram_chats(s, [target]).values()
            row = enqueue(s, Outgoing(chat_id=key, text="好的，按问题记录。", kind=kind), now=clock.now())
            s.flush()
            row_id = row.id
        queued = time.perf_counter()
        sender.notify()
        while True:
            with db.session() as s:
                if s.execute(select(T.c.status).where(T.c.id == row_id)).scalar() == OutboxStatus.sent:
                    break
            await asyncio.sleep(0.01)
        delay = time.perf_counter() - queued
    finally:
        sender.stop()
        await task
        await bot.session.close()
        await server.close()
        with db.transaction() as s:  # what was not sent is not the next measurement's business
            s.connection().execute(T.update().where(T.c.status == OutboxStatus.pending).values(status="dead"))
    return {"where": where, "kind": kind, "alerts": n, "delay_s": round(delay, 2), "server_429": api.refused}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--chats", type=int, default=1_000)
    ap.add_argument("--history", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--alerts", type=int, default=500)
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    db = prepare(f"sqlite:///{Path(tmp.name) / 'bench.db'}")
    result: dict = {}

    if args.history:
        fill(db, args.history, args.chats, status=OutboxStatus.sent)
        print(f"history: {args.history} rows already sent", flush=True)
    fill(db, args.rows, args.chats)
    r = asyncio.run(throughput(db, args.rows, args.chats, args.batch))
    print(f"limits off: {r['rows']} rows to {r['chats']} chats in {r['seconds']} s = {r['rows_per_s']} rows/s", flush=True)
    result.update(rows_per_s=r["rows_per_s"], throughput=r)

    one = asyncio.run(_one_chat(db, 5_000, args.batch))
    print(f"limits off, one chat: {one['rows']} rows in {one['seconds']} s = {one['rows_per_s']} rows/s", flush=True)
    result["one_chat_rows_per_s"] = one["rows_per_s"]

    if args.alerts:
        a = asyncio.run(alerts_within_limits(db, args.alerts))
        print(f"limits on: {a['alerts']} alerts to {a['alerts']} private chats over HTTP in {a['seconds']} s "
              f"({a['per_s']}/s); 429 from the server: {a['server_429']}", flush=True)
        result.update(alerts_seconds=a["seconds"], alerts_429=a["server_429"], alerts=a)
        delays = {}
        for where, kind, start in (("other", "reply", 2_000_000), ("private", "reply", 3_000_000),
                                   ("group", "reply", 4_000_000), ("other", "alert", 5_000_000)):
            d = asyncio.run(reply_behind_alerts(db, args.alerts, where, kind, start))
            label = f"{where}{'' if kind == 'reply' else '_as_bulk'}"
            delays[label] = d["delay_s"]
            print(f"a {kind} to {'another chat' if where == 'other' else 'their ' + where + ' chat'} queued behind "
                  f"{args.alerts} alerts: delivered {d['delay_s']} s later; 429 from the server: {d['server_429']}",
                  flush=True)
        result.update(reply_delay_s=delays)
    db.dispose()
    print(json.dumps(result))


async def _one_chat(db, n: int, batch: int) -> dict:
    fill(db, n, 1, start_chat=-100_000_001)
    return await throughput(db, n, 1, batch)


if __name__ == "__main__":
    main()
