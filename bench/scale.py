"""Benchmark: several instances on PostgreSQL (issue 12) — real ``hgj run`` processes in webhook
mode behind a round-robin load balancer, one Telegram stand-in with Telegram's sending limits on.

    python bench/scale.py [--database-url URL] [--messages 2000] [--alerts 1000] [--reminders 900]

Without ``--database-url`` a fresh database is made on the PostgreSQL server at 127.0.0.1:5432
(user ``postgres``) and dropped at the end. It is filled with the seed's volume — 108 communities,
19,536 members, 5,243 issues through their states (``bench/core.py``) — plus the demo district,
whose groups and 120 more residents' groups take the messages.

1. ingress, one instance: a backlog of ``--messages`` group messages (the pipeline benchmark's
   mix: mostly chatter, some reports, wishes, unsure ones) delivered by webhook; "handled" = every
   delivery answered (the webhook answers after the update's transaction);
2. ingress, two instances behind the balancer: the same again; the ratio of the two;
3. the sender: ``--alerts`` alerts to as many private chats at once, both instances running:
   time, rate and 429s (Telegram's 30/s is the ceiling, whatever the number of instances);
4. failover: alerts going out, the owner of the sender and the scheduler killed with SIGKILL:
   seconds until the standby sends again and until it owns the scheduler (default
   ``HGJ_LOCK_RETRY_SECONDS``), messages doubled;
5. answers first: ``--reminders`` reminders queued, then residents report in a group: seconds
   from the report to the bot's reply (target ≤ 2 s).

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline import chatter_lines, message_mix, prepare_database  # noqa: E402  (bench/ is on the path)

TOKEN = "7000000001:scale-bench-token"
SECRET = "scale-bench-secret"
TARGETS = {"reply_delay_s": 2.0, "failover_s": 5.0, "too_many_requests": 0}
GROUPS = 120


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_database(args) -> tuple[str, callable]:
    if args.database_url:
        return args.database_url, lambda: None
    import psycopg2

    name = f"hgj_scale_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="test")
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    return f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}", drop


def fill(url: str, group_ids: list[int]) -> dict:
    """The seed's volume (bench/core.py, in its own process), the demo district, bound groups."""
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "core.py"), "--database-url", url],
                          capture_output=True, text=True, check=True)
    district = json.loads(done.stdout.strip().splitlines()[-1])
    prepare_database(url, group_ids)
    return {"members": district["members"], "issues": district["issues"], "fill_s": round(time.perf_counter() - t0, 1)}


class Balancer:
    """Round robin over the instances' web ports, as a load balancer in front of them would."""

    def __init__(self) -> None:
        self.backends: list[int] = []
        self.port = free_port()
        self._n = 0
        self.served: dict[int, int] = {}

    async def start(self) -> None:
        import aiohttp
        from aiohttp import web

        self._http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200))
        app = web.Application()
        app.router.add_post("/telegram/webhook", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def _forward(self, request):
        from aiohttp import web

        port = self.backends[self._n % len(self.backends)]
        self._n += 1
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower().startswith("x-telegram") or
                   k.lower() == "content-type"}
        try:
            async with self._http.post(f"http://127.0.0.1:{port}/telegram/webhook", data=body,
                                       headers=headers) as resp:
                self.served[port] = self.served.get(port, 0) + 1
                return web.Response(status=resp.status, body=await resp.read(), content_type=resp.content_type)
        except OSError:  # that instance is gone: Telegram will deliver again
            return web.Response(status=502)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram/webhook"

    async def stop(self) -> None:
        await self._http.close()
        await self._runner.cleanup()


async def until(predicate, timeout: float, what: str, step: float = 0.01) -> float:
    t0 = time.monotonic()
    while not predicate():
        if time.monotonic() - t0 > timeout:
            raise TimeoutError(what)
        await asyncio.sleep(step)
    return time.monotonic()


async def run(args) -> dict:
    from sqlalchemy import func, select

    from bot import identities
    from bot.infra.db import Database
    from bot.outbox import enqueue
    from bot.platforms.telegram.standin import StandinServer
    from bot.platforms.telegram.standin.fleet import Instance, SendLog, holder_pid
    from bot.messages import Outgoing
    from models import OutboxMessage

    rng = random.Random(args.seed)
    result: dict = {"database": "postgresql", "limits": "Telegram's (stand-in and sender)", "cores": _cores()}
    url, drop = make_database(args)
    group_ids = [-1004000000000 - i for i in range(GROUPS)]
    tmp = Path(tempfile.mkdtemp(prefix="hgj-scale-"))
    procs: list[Instance] = []
    server = StandinServer(tokens=[TOKEN])
    balancer = Balancer()
    try:
        log("filling the database (seed volume + demo district) …")
        result["district"] = await asyncio.to_thread(fill, url, group_ids)
        log(f"filled: {result['district']}")
        db = Database(url)
        await server.start()
        world = server.world
        sends = SendLog(world)
        users = [world.add_user(f"居民{i}", user_id=9_100_000 + i).id for i in range(300)]
        for chat_id in group_ids:
            world.add_group(f"阳光花园{chat_id}", members=users, chat_id=chat_id)
        await balancer.start()
        bot = world.find_bot(TOKEN)

        def env(port: int) -> dict:
            return {"HGJ_DATABASE_URL": url, "HGJ_TELEGRAM_TOKEN": TOKEN, "HGJ_TELEGRAM_API_BASE": server.base_url,
                    "HGJ_WEBHOOK_URL": balancer.url, "HGJ_WEBHOOK_SECRET": SECRET, "HGJ_WEB_PORT": str(port),
                    "HGJ_QUIET_HOURS_START": "00:00", "HGJ_QUIET_HOURS_END": "00:00"}

        def pending() -> int:
            with db.session() as s:
                return s.execute(select(func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.status == "pending")).scalar()

        async def start(name: str) -> tuple[Instance, int]:
            port = free_port()
            inst = Instance(name, env(port), tmp / f"{name}.log")
            procs.append(inst)
            await until(inst.started, 180, f"{name} started", step=0.1)
            return inst, port

        async def ingress(label: str) -> float:
            backlog = message_mix(args.messages, group_ids, users, rng, chatter_lines())
            base = bot.confirmed
            t0 = time.monotonic()
            for uid, chat, text in backlog:
                world.user_message(uid, chat, text=text)
            end = await until(lambda: bot.confirmed - base >= len(backlog), 900, f"ingress {label}", step=0.02)
            rate = len(backlog) / (end - t0)
            log(f"ingress, {label}: {rate:.0f} msgs/s ({len(backlog)} in {end - t0:.1f} s)")
            await until(lambda: pending() == 0, 600, "replies sent", step=0.5)
            return rate

        # 1–2. ingress with one instance, then two ----------------------------------------------
        a, port_a = await start("a")
        balancer.backends = [port_a]
        await until(lambda: bot.webhook is not None, 30, "webhook set")
        one = await ingress("one instance")
        b, port_b = await start("b")
        balancer.backends = [port_a, port_b]
        balancer.served.clear()
        two = await ingress("two instances")
        served = list(balancer.served.values())
        balancer.backends = [port_a]  # one instance again (b idles): the first run had cold caches
        one_again = await ingress("one instance, again")
        ones = (one + one_again) / 2
        result["ingress"] = {"one_instance_msgs_per_s": [round(one, 1), round(one_again, 1)],
                             "two_instances_msgs_per_s": round(two, 1), "ratio": round(two / ones, 2),
                             "messages": args.messages, "served_per_instance": served}

        # 3. the sender: 1,000 alerts with two instances running ------------------------------------
        alert_users = [world.add_user(f"红管家{i}", user_id=8_200_000 + i).id for i in range(max(args.alerts, args.reminders))]
        for uid in alert_users:
            world.start(uid, send=False)
        world.reset_stats()

        def queue(n: int, kind: str, tag: str) -> None:
            with db.transaction() as s:
                now = datetime.now(timezone.utc)
                for uid in alert_users[:n]:
                    chat = identities.resolve_chat(s, "telegram", str(uid), kind="private", now=now).id
                    enqueue(s, Outgoing(chat_id=chat, text=f"🔔 {tag} {uid}", kind=kind), now=now)

        before = sends.count()
        t0 = time.monotonic()
        await asyncio.to_thread(queue, args.alerts, "alert", "问题提醒")
        end = await until(lambda: sends.count() - before >= args.alerts, 600, "alerts sent", step=0.05)
        stats = world.stats()
        result["sender"] = {"alerts": args.alerts, "seconds": round(end - t0, 1),
                            "per_s": round(args.alerts / (end - t0), 1),
                            "too_many_requests": stats["too_many_requests"], "instances": 2}
        log(f"sender: {result['sender']}")

        # 4. failover: kill -9 the owner of the sender and the scheduler -------------------------
        owner_pid = await asyncio.to_thread(holder_pid, db.engine, "sender")
        owner = next(p for p in (a, b) if p.pid == owner_pid)
        standby = b if owner is a else a
        scheduler_owner = await asyncio.to_thread(holder_pid, db.engine, "scheduler")
        world.reset_stats()
        n = min(300, len(alert_users))
        before = sends.count()
        per_chat_before = sends.per_chat()
        await asyncio.to_thread(queue, n, "alert", "第二轮提醒")
        await until(lambda: sends.count() - before >= 100, 60, "second round going")
        owner.kill9()
        killed = time.monotonic()
        balancer.backends = [port_b if standby is b else port_a]  # its health check drops the dead one
        resumed = await until(lambda: sends.first_after(killed), 60, "sending again", step=0.01)
        took_scheduler = None
        if scheduler_owner == owner.pid:
            got = await until(lambda: holder_pid(db.engine, "scheduler") == standby.pid, 60, "scheduler taken", step=0.05)
            took_scheduler = round(got - killed, 2)
        await until(lambda: sends.count() - before >= n, 120, "second round sent", step=0.05)
        await asyncio.sleep(1.0)
        per_chat = sends.per_chat()
        doubled = sum(max(0, per_chat[c] - per_chat_before.get(c, 0) - 1) for c in alert_users[:n])
        result["failover"] = {"sender_s": round(resumed - killed, 2), "scheduler_s": took_scheduler,
                              "doubled": doubled, "of": n, "too_many_requests": world.stats()["too_many_requests"],
                              "lock_retry_s": 1.0}
        log(f"failover: {result['failover']}")

        # 5. a resident's report while 900 reminders are queued -----------------------------------
        await until(lambda: pending() == 0, 300, "quiet again", step=0.5)
        await asyncio.to_thread(queue, args.reminders, "reminder", "值班提醒")
        await asyncio.sleep(0.5)  # the reminders are going out
        delays = []
        # residents who wrote nothing yet (the flood rule holds a fourth report within ten minutes)
        fresh = [world.add_user(f"新居民{i}", user_id=9_200_000 + i).id for i in range(3)]
        for i, uid in enumerate(fresh):
            chat = group_ids[100 + i]
            world.groups[chat].members.add(uid)
            message, _ = world.user_message(uid, chat, text=f"{i + 3}栋二单元门口的消防栓一直在漏水")
            mid = message["message_id"]
            await until(lambda: sends.reply_delay(chat, mid) is not None, 60, "reply")
            delays.append(sends.reply_delay(chat, mid))
            await asyncio.sleep(2.0)
        left = pending()
        result["answers_first"] = {"reminders": args.reminders, "reply_delay_s": [round(d, 2) for d in delays],
                                   "reminders_still_queued_after": left}
        log(f"answers first: {result['answers_first']}")
        await until(lambda: pending() == 0, 300, "reminders sent", step=0.5)
        db.dispose()
    finally:
        for p in procs:
            p.stop()
        await balancer.stop()
        await server.stop()
        if args.keep:
            log(f"database kept: {url}")
        else:
            drop()
    result["targets"] = TARGETS
    result["met"] = {
        "reply_delay_s": max(result["answers_first"]["reply_delay_s"]) <= TARGETS["reply_delay_s"],
        "failover_s": max(result["failover"]["sender_s"], result["failover"]["scheduler_s"] or 0) <= TARGETS["failover_s"],
        "too_many_requests": result["sender"]["too_many_requests"] == 0,
    }
    return result


def _cores() -> int:
    import os

    return os.cpu_count() or 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", help="an empty PostgreSQL database (default: make one, drop it after)")
    ap.add_argument("--messages", type=int, default=2000)
    ap.add_argument("--alerts", type=int, default=1000)
    ap.add_argument("--reminders", type=int, default=900)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--keep", action="store_true", help="keep the database made for the run")
    args = ap.parse_args()
    result = asyncio.run(run(args))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
