"""Two real ``hgj run`` processes on one database and one stand-in with Telegram's limits on: one
owner polls, sends and runs the scheduler, the other stands by; after a SIGKILL of the owner the
standby takes over within 5 s; every alert arrives, none is refused with 429, and only messages
in flight at the kill can arrive twice."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from bot.outbox import enqueue
from bot.platforms.telegram.standin import StandinServer
from bot.platforms.telegram.standin.fleet import Instance, SendLog, holder_pid, wait_until
from bot.messages import Outgoing
from tests import ids

TOKEN = "7000000001:fleet-test-token"
ALERTS = 120


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_killing_the_owner_hands_every_role_to_the_standby(backend, request, tmp_path):
    db = request.getfixturevalue("sqlite_db" if backend == "sqlite" else "pg_db")
    server = StandinServer(tokens=[TOKEN])  # Telegram's limits: 30/s, 1/s per private chat
    thread = server.run_in_thread()
    log = SendLog(server.world)
    users = thread.call(lambda: [server.world.add_user(f"红管家{i}", user_id=8_100_000 + i).id for i in range(ALERTS)])
    for uid in users:
        thread.call(lambda uid=uid: server.world.start(uid, send=False))
    env = {"HGJ_DATABASE_URL": db.url, "HGJ_TELEGRAM_TOKEN": TOKEN, "HGJ_TELEGRAM_API_BASE": thread.base_url,
           "HGJ_WEB_PORT": "0", "HGJ_LOCK_RETRY_SECONDS": "0.5", "HGJ_SCHEDULER_TICK_SECONDS": "1",
           "HGJ_QUIET_HOURS_START": "00:00", "HGJ_QUIET_HOURS_END": "00:00", "HGJ_WEBHOOK_URL": ""}
    a, b = Instance("a", env, tmp_path / "a.log"), Instance("b", env, tmp_path / "b.log")
    try:
        wait_until(lambda: a.started() and b.started(), 120, "both started")
        roles = ("sender", "poller", "scheduler")

        def owned() -> dict | None:
            found = {r: holder_pid(db.engine, r) for r in roles}
            return found if all(p in (a.pid, b.pid) for p in found.values()) else None

        owners = wait_until(owned, 10, "each role has an owner")
        time.sleep(1.0)  # two tries of each standby: nothing changes hands
        assert {r: holder_pid(db.engine, r) for r in roles} == owners
        owner, standby = (a, b) if owners["sender"] == a.pid else (b, a)
        with db.transaction() as s:  # alerts at once, one per private chat: 4 s at 30/s
            now = datetime.now(timezone.utc)
            for uid in users:
                enqueue(s, Outgoing(chat_id=ids.chat(s, uid), text=f"🔔 问题 Q{uid} 请处理", kind="alert"), now=now)
        wait_until(lambda: log.count() >= 40, 30, "the owner sends")
        # two pollers for seconds and no 409: the standby never fought over getUpdates (after the
        # kill there is one, answering the dead process's pending poll, as Telegram does)
        assert thread.call(server.world.stats)["errors"].get("409", 0) == 0
        owner.kill9()
        killed = time.monotonic()
        wait_until(lambda: log.first_after(killed), 5, "the standby sends within 5 s")
        wait_until(lambda: all(holder_pid(db.engine, r) == standby.pid for r in roles), 5,
                   "the standby owns every role within 5 s")
        wait_until(lambda: len(log.per_chat()) >= ALERTS, 30, "every alert arrived")
        time.sleep(0.5)
        per_chat = log.per_chat()
        doubled = sum(n - 1 for n in per_chat.values() if n > 1)
        # what the owner had sent and not yet marked when it died: a few at 30/s, never a batch
        assert doubled <= 3, (doubled, owner.text()[-2000:])
        stats = thread.call(server.world.stats)
        assert stats["too_many_requests"] == 0  # one sender at a time kept Telegram's limits
        assert "leased by an earlier sender are due again" in standby.text()  # the claims, taken back at once
    finally:
        a.stop()
        b.stop()
        thread.stop()
