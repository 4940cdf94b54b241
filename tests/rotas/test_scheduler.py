"""The real scheduler: APScheduler running for a few seconds in this process, and scheduler
processes killed with SIGKILL and restarted. Every due reminder is queued exactly once.

These are the only tests that wait on the wall clock, and they wait on conditions (with timeouts).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time as wall
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from sqlmodel import select

from bot.infra.clock import SystemClock
from bot.infra.config import Settings
from bot.rotas import admin, turns
from models import OutboxMessage, Rota
from tests.factories import build_world
from tests.rendered import html_of

from .conftest import make_rota

REPO = Path(__file__).resolve().parents[2]


def seed(db, *, shifts: int, first_in: float, every: float) -> list[str]:
    """A rota with no rhythm ahead (it starts in 2099) and one-off shifts starting in the next
    seconds; returns the keys of their start reminders."""
    now = datetime.now(timezone.utc)
    settings = Settings(_env_file=None)
    keys = []
    with db.transaction() as s:
        w = build_world(s, now)
        for i, name in enumerate(("张三", "李四", "王五"), start=1):
            w.add_member(name, 5, grid=w.grid1, chat_user_id=7000 + i)
        rota = make_rota(s, w, settings, now, team=("张三", "李四", "王五"), size=1, start=time(20, 0),
                         starts_on=date(2099, 1, 1))
        for i in range(shifts):
            who = w.m[("张三", "李四", "王五")[i % 3]]
            shift = admin.add_shift(s, rota, now + timedelta(seconds=first_in + i * every), members=[who], now=now,
                                      minutes=30)
            keys.append(f"start:shift:{shift.id}:m:{who.id}")
    return keys


def counts(db, prefix="") -> Counter:
    with db.session() as s:
        rows = s.exec(select(OutboxMessage.dedupe_key)).all()
    return Counter(k for k in rows if k and k.startswith(prefix))


async def wait_for(cond, timeout: float, step: float = 0.05) -> bool:
    end = wall.monotonic() + timeout
    while wall.monotonic() < end:
        if cond():
            return True
        await asyncio.sleep(step)
    return cond()


async def test_real_scheduler_fires_each_reminder_once_on_time(db):
    from bot.scheduler import start_scheduler

    keys = seed(db, shifts=4, first_in=1.0, every=0.4)
    settings = Settings(_env_file=None, scheduler_tick_seconds=0.5, lock_retry_seconds=0.3)
    woken = []
    handle = start_scheduler(db, settings, SystemClock(), notify=lambda: woken.append(1))
    try:
        assert handle.is_owner
        # a second scheduler on the same database sees the lock and stays idle
        second = start_scheduler(db, settings, SystemClock())
        assert not second.is_owner
        assert await wait_for(lambda: set(keys) <= set(counts(db, "start:")), timeout=10)
        await asyncio.sleep(1.2)  # two more ticks and a wake-up: nothing is queued again
        got = counts(db)
        assert all(got[k] == 1 for k in keys) and all(v == 1 for v in got.values())
        assert woken
        with db.session() as s:
            rows = {r.dedupe_key: r for r in s.exec(select(OutboxMessage)).all()}
            late = []
            for k in keys:
                shift = s.get(turns.Shift, int(k.split(":")[2]))
                late.append((rows[k].created_at - shift.starts_at).total_seconds())
        assert all(0 <= x < 2 for x in late), late  # the wake-up job fires at the due time, not at the next tick
        # the owner stops: the idle one takes over
        handle.stop()
        assert await wait_for(lambda: second.is_owner, timeout=5)
    finally:
        handle.stop()
        second.stop()


def _start(url: str, tick: float = 0.4) -> subprocess.Popen:
    env = {
        **os.environ, "HGJ_DATABASE_URL": url, "HGJ_SCHEDULER_TICK_SECONDS": str(tick),
        "HGJ_LOCK_RETRY_SECONDS": "0.3", "PYTHONUNBUFFERED": "1",
    }
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli.scheduler"], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    return proc


def _started(proc: subprocess.Popen, timeout: float = 20) -> str:
    import selectors

    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    end = wall.monotonic() + timeout
    while wall.monotonic() < end:
        if sel.select(timeout=0.1):
            line = proc.stdout.readline()
            if line.startswith("scheduler started"):
                return line.strip()
        if proc.poll() is not None:
            break
    raise AssertionError("the scheduler process did not start")


async def test_the_scheduler_process_writes_its_reminders_in_the_conversations_words(db):
    """``python -m bot.cli.scheduler`` installs ``handlers.notices`` itself (this test process's
    install does not reach it): its start reminder reads as the chat's."""
    (key,) = seed(db, shifts=1, first_in=6.0, every=1)  # room for a slow process start
    proc = _start(db.url)
    try:
        assert _started(proc) == "scheduler started owner=True"
        assert await wait_for(lambda: key in counts(db, "start:"), timeout=20)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
    with db.session() as s:
        row = s.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == key)).one()
        code = turns.shift_code(int(key.split(":")[2]))
    assert html_of(row).startswith(f"🔔 <b>夜间巡逻（巡逻） 现在开始</b>（{code}）\n时间：")
    assert html_of(row).endswith("到岗后请点「签到」，可再发位置或照片。")
    assert [[b["text"] for b in r] for r in json.loads(row.buttons)] == [["签到", "写交接"]]


@pytest.mark.slow
async def test_scheduler_killed_mid_run_and_restarted_sends_everything_once(db):
    keys = seed(db, shifts=8, first_in=6.0, every=0.8)  # room for a slow process start on a loaded machine
    first = _start(db.url)
    procs = [first]
    try:
        assert _started(first) == "scheduler started owner=True"
        assert await wait_for(lambda: len(set(keys) & set(counts(db, "start:"))) >= 2, timeout=15)
        first.send_signal(signal.SIGKILL)  # mid-run: more reminders are due in the next seconds
        first.wait(5)
        done_before = len(set(keys) & set(counts(db, "start:")))
        assert done_before < len(keys)
        # restart two: the kernel dropped the dead one's file lock; exactly one of them takes it
        b = _start(db.url)
        procs.append(b)
        line_b = _started(b)
        c = _start(db.url)
        procs.append(c)
        line_c = _started(c)
        assert sorted([line_b, line_c]) == ["scheduler started owner=False", "scheduler started owner=True"]
        assert await wait_for(lambda: set(keys) <= set(counts(db, "start:")), timeout=20)
        await asyncio.sleep(1.0)
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
    got = counts(db)
    assert all(got[k] == 1 for k in keys)
    assert all(v == 1 for v in got.values()), [k for k, v in got.items() if v > 1]
    eves = {k.split(":m:")[0] for k in got if k.startswith("eve:")}
    assert len(eves) == len(keys)  # each one-off shift also had its (late) evening reminder, once
    with db.session() as s:
        assert s.exec(select(Rota)).one().name == "夜间巡逻"


def test_file_lock_beside_the_sqlite_file(tmp_path):
    from bot.infra.db import make_engine
    from bot.scheduler.lock import FileSchedulerLock, NoLock, lock_for

    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    a, b = lock_for(engine), lock_for(engine)
    assert isinstance(a, FileSchedulerLock) and a.path == tmp_path / "x.db.scheduler.lock"
    assert a.acquire() and a.acquire()  # re-entrant for its holder
    assert not b.acquire()
    a.release()
    assert b.acquire() and b.alive()
    b.release()
    assert isinstance(lock_for(make_engine("sqlite://")), NoLock)


@pytest.mark.postgres
def test_advisory_lock_on_postgres(pg_db):
    from bot.scheduler.lock import AdvisorySchedulerLock, lock_for

    a, b = lock_for(pg_db.engine), lock_for(pg_db.engine)
    assert isinstance(a, AdvisorySchedulerLock)
    try:
        assert a.acquire() and a.alive()
        assert not b.acquire()
        a.release()
        assert b.acquire()
    finally:
        a.release()
        b.release()
