"""The operator's view of a running bot (polling the stand-in, the scheduler, the sender, the web
app on a real port): /healthz, /readyz, /metrics and the log line of each update."""

from __future__ import annotations

import logging
import re

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.demo import data as demo_data
from bot.runtime import Features

from .live import live_bot
from .test_e2e_delivery import free_port

SUNSHINE = demo_data.GROUP_SUNSHINE


def _samples(text: str) -> dict:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


async def test_a_running_bot_reports_itself_ready_counts_what_it_does_and_logs_each_update(
        demo, parser, people, caplog):
    db, _ = demo
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    caplog.set_level(logging.INFO, logger="bot")
    async with live_bot(db, parser, start=False, web_port=port) as live, aiohttp.ClientSession() as http:
        await live.start(Features(web=True, scheduler=True, sweep_every=0))
        async with http.get(f"{base}/healthz") as resp:
            assert resp.status == 200 and await resp.json() == {"ok": True}
        async with http.get(f"{base}/metrics") as resp:
            before = _samples(await resp.text())

        text = "4栋单元门坏了关不上，外人随便进出，电话13912345678"
        await live.sc.send_text(people.r_li, SUNSHINE, text)
        card = await live.sc.wait_for_message(SUNSHINE, lambda m: "已记录" in m["text"], timeout=10)
        number = re.search(r"Q\d+", card["text"]).group(0)

        async with http.get(f"{base}/readyz") as resp:
            body = await resp.json()
            assert resp.status == 200, body
        assert body["database"] == {"ok": True}
        assert body["updates"]["mode"] == "polling" and body["updates"]["none_yet"] is False
        assert body["owners"] == {"scheduler": "this process", "sender": "this process"}

        async with http.get(f"{base}/metrics") as resp:
            after = _samples(await resp.text())

        def grew(name, **labels):
            key = (name, tuple(sorted(labels.items())))
            return after.get(key, 0) - before.get(key, 0)

        assert grew("hgj_updates_total", kind="message", result="ok") >= 1
        assert grew("hgj_update_handling_seconds_count", kind="message") >= 1
        assert grew("hgj_parse_seconds_count") >= 1
        assert grew("hgj_sends_total", result="ok", kind="reply") >= 1
        assert after[("hgj_owner", (("role", "scheduler"),))] == 1
        assert after[("hgj_owner", (("role", "sender"),))] == 1

    handled = [r for r in caplog.records if getattr(r, "report", None) == number]
    assert handled, [r.getMessage() for r in caplog.records]
    line = handled[0]
    assert line.chat_id == SUNSHINE and isinstance(line.update_id, int) and line.levelno == logging.INFO
    assert f"chat {SUNSHINE}" in line.getMessage() and number in line.getMessage()
    # what residents wrote stays out of the log
    assert not any("13912345678" in r.getMessage() or "外人随便进出" in r.getMessage() for r in caplog.records)
    # ownership changes are INFO: under systemd they show without -v
    assert any(r.levelno == logging.INFO and "scheduler running" in r.getMessage() for r in caplog.records)


async def test_webhook_deliveries_count_as_updates_arriving(demo, parser, people):
    db, _ = demo
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    async with live_bot(db, parser, start=False, webhook_url=url, webhook_secret="s3cret-token",
                        web_port=port) as live, aiohttp.ClientSession() as http:
        await live.start(Features(polling=False, web=True, scheduler=False, sweep_every=0))
        async with http.get(f"http://127.0.0.1:{port}/readyz") as resp:
            body = await resp.json()
        assert resp.status == 200 and body["updates"]["mode"] == "webhook" and body["updates"]["none_yet"]
        assert body["owners"]["scheduler"] == "not run here"
        async with http.post(url, json={"update_id": 1}) as resp:  # no secret: not a delivery
            assert resp.status == 403
        async with http.get(f"http://127.0.0.1:{port}/readyz") as resp:
            assert (await resp.json())["updates"]["none_yet"] is True
        await live.sc.send_text(people.r_li, SUNSHINE, "4栋单元门坏了关不上，外人随便进出")
        await live.sc.wait_for_message(SUNSHINE, lambda m: "已记录" in m["text"], timeout=10)
        async with http.get(f"http://127.0.0.1:{port}/readyz") as resp:
            assert (await resp.json())["updates"]["none_yet"] is False
