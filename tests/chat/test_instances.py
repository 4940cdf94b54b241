"""Several instances against one stand-in: polling never deletes a webhook it did not set, a second
poller stands by instead of fighting over getUpdates (and takes over), one sender among them."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.demo import data as demo_data
from bot.health import ANOTHER_PROCESS, THIS_PROCESS, ownership
from bot.runtime import Features, Runtime, WebhookActive
from bot.platforms.telegram.standin import StandinServer

from .live import TOKEN, live_bot

SUNSHINE = demo_data.GROUP_SUNSHINE
REPO = Path(__file__).resolve().parents[2]
HOOK = "https://hgj.example.org/telegram/webhook"
QUIET = dict(web=False, scheduler=False, sweep_every=0)


async def until(cond, timeout: float = 10.0, step: float = 0.05) -> bool:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        if cond():
            return True
        await asyncio.sleep(step)
    return cond()


async def test_polling_refuses_to_delete_a_webhook_it_did_not_set(demo, parser, people, caplog):
    db, _ = demo
    async with live_bot(db, parser, start=False) as live:
        bot = live.server.world.find_bot()
        await live.server.api.call(bot, "setWebhook", _params(url=HOOK))  # a webhook instance set it
        with pytest.raises(WebhookActive) as refused:
            await live.start(Features(**QUIET))
        live.runtime = None
        assert "--replace-webhook" in str(refused.value) and HOOK in str(refused.value)
        assert bot.webhook is not None and bot.webhook["url"] == HOOK  # still there
        stats = await live.sc.stats()
        assert stats["requests"].get("deleteWebhook", 0) == 0 and stats["requests"].get("getUpdates", 0) == 0
        # told to replace it: it does, and says so
        with caplog.at_level(logging.WARNING, logger="bot.platforms.telegram.polling"):
            runtime = await live.start(Features(replace_webhook=True, **QUIET))
        assert bot.webhook is None
        assert any("deleted the webhook" in r.getMessage() and HOOK in r.getMessage() for r in caplog.records)
        await live.sc.send_text(people.r_li, SUNSHINE, "5栋电梯坏了两天了")
        await live.sc.wait_for_message(SUNSHINE, lambda m: "已记录" in m["text"], timeout=10)
        assert runtime.owns("poller") and runtime.owns("sender")


async def test_a_webhook_set_while_polling_stops_the_polling_without_a_fight(demo, parser):
    db, _ = demo
    async with live_bot(db, parser, start=False, lock_retry_seconds=0.1) as live:
        runtime = await live.start(Features(**QUIET))
        assert await until(lambda: runtime.owns("poller"))
        bot = live.server.world.find_bot()
        await live.server.api.call(bot, "setWebhook", _params(url=HOOK))
        assert await until(lambda: not runtime.owns("poller"), timeout=10)
        await asyncio.sleep(0.5)  # five retries: it does not poll again
        assert bot.webhook["url"] == HOOK and not runtime.owns("poller")
        assert (await live.sc.stats())["requests"].get("deleteWebhook", 0) == 0


async def test_a_second_poller_stands_by_and_takes_over(demo, parser, people):
    db, _ = demo
    async with live_bot(db, parser, start=False, lock_retry_seconds=0.1) as live:
        first = await live.start(Features(**QUIET))
        assert await until(lambda: first.owns("poller") and first.owns("sender"))
        second = Runtime(live.settings, db, parser=parser, features=Features(**QUIET))
        await second.start()
        try:
            await asyncio.sleep(1.0)  # ten tries: the standby never polls, so no 409 Conflict
            assert not second.owns("poller") and not second.owns("sender")
            assert ownership(second.probe)["sender"] == ANOTHER_PROCESS  # what its /readyz says
            assert ownership(first.probe)["sender"] == THIS_PROCESS
            stats = await live.sc.stats()
            assert stats["errors"].get("409", stats["errors"].get(409, 0)) == 0
            await first.stop()
            live.runtime = None
            assert await until(lambda: second.owns("poller") and second.owns("sender"), timeout=5)
            assert ownership(second.probe)["sender"] == THIS_PROCESS
            await live.sc.send_text(people.r_li, SUNSHINE, "4栋楼道灯坏了好几天了")
            reply = await live.sc.wait_for_message(SUNSHINE, lambda m: "已记录" in m["text"], timeout=10)
            assert "阳光花园4栋" in reply["text"]
        finally:
            await second.stop()


def test_hgj_run_refuses_with_one_line_when_a_webhook_is_set(demo, tmp_path):
    db, _ = demo
    server = StandinServer(tokens=[TOKEN])
    thread = server.run_in_thread()
    try:
        thread.call(lambda: server.world.find_bot().__setattr__(
            "webhook", {"url": HOOK, "secret_token": None, "max_connections": 40}))
        env = {**os.environ, "HGJ_DATABASE_URL": db.url, "HGJ_TELEGRAM_TOKEN": TOKEN,
               "HGJ_TELEGRAM_API_BASE": thread.base_url, "HGJ_WEB_PORT": "0", "HGJ_SCHEDULER_ENABLED": "false"}
        done = subprocess.run([sys.executable, "-m", "bot.cli", "run"], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 1
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "hgj run --polling --replace-webhook" in lines[0] and HOOK in lines[0]
        assert thread.call(lambda: server.world.find_bot().webhook)["url"] == HOOK
    finally:
        thread.stop()


def _params(**values):
    from bot.platforms.telegram.standin.api import Params

    return Params(values, {})

