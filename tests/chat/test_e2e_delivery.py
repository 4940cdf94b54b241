"""End to end, the delivery side: Telegram's limits on, webhook mode."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
from sqlmodel import select

from bot.demo import data as demo_data
from bot.outbox import enqueue
from bot.runtime import Features
from bot.platforms.telegram.standin import Limits
from bot.messages import Action, Button, Outgoing
from models import OutboxMessage

from .live import live_bot
from tests import ids

SUNSHINE = demo_data.GROUP_SUNSHINE


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_500_alerts_at_once_arrive_complete_within_telegrams_limits(demo, parser):
    """The sender keeps to Telegram's limits (30/s); the stand-in is a little stricter (25/s), so
    some sends meet 429 with retry_after — they are retried, none is lost or sent twice."""
    db, _ = demo
    async with live_bot(db, parser, limits=Limits(global_count=25), start=False, send_limits=True) as live:
        users = [live.server.world.add_user(f"红管家{i}", user_id=8_000_000 + i) for i in range(500)]
        for u in users:
            live.server.world.start(u.id, send=False)
        with db.transaction() as s:  # as the conversation would: all in one transaction
            for u in users:
                enqueue(s, Outgoing(chat_id=ids.chat(s, u.id), text=f"🔔 <b>问题 Q{u.id}</b> 请处理",
                                    buttons=[[Button("受理", Action("q", "accept", 1))]], kind="alert",
                                    ref="issue:1"), now=_now())
        await live.start(Features(web=False, scheduler=False, sweep_every=0))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 90
        while True:
            with db.session() as s:
                left = len(s.exec(select(OutboxMessage.id).where(OutboxMessage.status == "pending")).all())
            if left == 0 or loop.time() > deadline:
                break
            await asyncio.sleep(0.2)
        assert left == 0
        with db.session() as s:
            rows = s.exec(select(OutboxMessage).where(OutboxMessage.ref == "issue:1")).all()
        assert len(rows) == 500 and {r.status for r in rows} == {"sent"}
        for u in users:  # every one arrived, once
            chat = live.server.world.private_chat(live.server.world.find_bot(), u)
            assert len(chat.messages) == 1
        stats = await live.sc.stats()
        assert stats["too_many_requests"] > 0
        assert live.runtime.sender.stats.rate_limited == stats["too_many_requests"]
        assert live.runtime.sender.stats.dead == 0


def _now():
    from bot.infra.clock import SystemClock

    return SystemClock().now()


async def test_webhook_mode_checks_the_secret_and_handles_updates(demo, parser, people):
    db, _ = demo
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    async with live_bot(db, parser, start=False, webhook_url=url, webhook_secret="s3cret-token",
                        web_port=port) as live:
        await live.start(Features(polling=False, web=True, scheduler=False, sweep_every=0))
        assert live.runtime.mode == "webhook"
        async with aiohttp.ClientSession() as http:
            async with http.post(url, json={"update_id": 1}) as resp:
                assert resp.status == 403
            async with http.post(url, json={"update_id": 1},
                                 headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}) as resp:
                assert resp.status == 403
            async with http.get(f"http://127.0.0.1:{port}/health") as resp:
                assert (await resp.json()) == {"ok": True}
        sc = live.sc
        await sc.send_text(people.r_li, SUNSHINE, "4栋单元门坏了关不上，外人随便进出")
        card = await sc.wait_for_message(SUNSHINE, lambda m: "已记录" in m["text"], timeout=10)
        assert "阳光花园4栋" in card["text"]
        info = (await sc.stats())
        assert info.get("webhook_deliveries", info.get("webhook", {})) is not None
