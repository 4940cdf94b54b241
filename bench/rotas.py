"""Benchmark: what is due at one tick, and how late reminders fire in a real scheduler run.

Setup (SQLite file): 108 communities, each with 4 grids, 20 buildings, ~185 members (20,000 in
all, every one with a chat account), one daily patrol (20:00–22:00, 2 a shift, 8 in the team) and
20 weekly duty rotas (1–2 a shift, 4 in the team, times spread over the day); a month of shifts
materialised through the service; 4 issues per community in different states; a group per grid;
90 % of shifts get a check-in.

1. ``due_ms``: a simulated day (tomorrow, local time) walked in 30-minute steps: at each step
   ``fire`` sends what fell due (a burst: e.g. 20:00, every evening reminder at once), then the
   following ticks — the steady state a scheduler lives in — are timed with ``due``. Reported:
   the median and p95 of the steady ticks (target ≤ 50 ms) and the worst burst.
2. ``late_p99_s``: the real ``AsyncIOScheduler`` (tick 15 s, the default) runs against the same
   database; after its first tick, 400 one-off shifts are added starting at random instants
   20–50 s ahead; lateness = when each start reminder was queued minus when it was due.
   Target p99 ≤ 2 s.

    python bench/rotas.py [--communities 108] [--quick]

Prints progress on stderr, then one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time as wall
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert  # noqa: E402
from sqlmodel import select  # noqa: E402

from bot.due import fire as D  # noqa: E402
from bot.issues import service as issues
from bot.places import service as places  # noqa: E402
from bot.bootstrap import prepare  # noqa: E402
from bot.infra.clock import SystemClock  # noqa: E402
from bot.infra.config import Settings  # noqa: E402
from bot.issues.lifecycle import Actor  # noqa: E402
from bot.members import service as members  # noqa: E402
from bot.rotas import admin, turns  # noqa: E402
from bot.rotas.spec import RotaSpec  # noqa: E402
from models import ChatAccount, CheckIn, ChatGroup, Member, OutboxMessage, Rota, Shift, ShiftAssignment  # noqa: E402
from _chats import telegram_chats  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
UTC = timezone.utc
MEMBERS, GRIDS, BUILDINGS, DUTY_ROTAS = 20_000, 4, 20, 20
TARGET_DUE_MS, TARGET_LATE_S = 50.0, 2.0


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def pct(values, q):
    values = sorted(values)
    if not values:
        return None
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def build(db, settings: Settings, communities: int, now: datetime, rng: random.Random) -> dict:
    per = MEMBERS // communities
    uid = 10_000_000
    t0 = wall.perf_counter()
    for c in range(communities):
        with db.transaction() as s:
            community = places.create_community(s, f"社区{c + 1:03d}", now=now)
            grids = [places.ensure_grid(s, community, f"第{g + 1}网格")[0] for g in range(GRIDS)]
            buildings = [places.ensure_building(s, community, f"{b + 1}栋", grid=grids[b % GRIDS])[0]
                         for b in range(BUILDINGS)]
            rows, uids = [], []
            for k in range(per):
                uid += 1
                if k == 0:
                    role, grid, building, flags = 1, None, None, {}
                elif k == 1:
                    role, grid, building, flags = 3, None, None, {"is_office_admin": True}
                elif k < 2 + GRIDS:
                    role, grid, building, flags = 3, grids[k - 2], None, {"is_grid_manager": True}
                elif k < 2 + GRIDS + BUILDINGS:
                    b = buildings[k - 2 - GRIDS]
                    role, grid, building, flags = 6, grids[(b.code - 1) % GRIDS], b, {}
                else:
                    role, grid, building, flags = 5, grids[k % GRIDS], buildings[k % BUILDINGS], {}
                row = dict(
                    number=f"{role}-{community.code:03d}-000-{grid.number if grid else 0:02d}-"
                           f"{building.code if building else 0:03d}-{k + 1:04d}",
                    seq=k + 1, name=f"成员{c:03d}{k:03d}", role=role, community_id=community.id,
                    grid_id=grid.id if grid else None, building_id=building.id if building else None,
                    status="active", is_grid_manager=False,
                    is_mediator=False, is_office_admin=False, created_at=now, updated_at=now,
                )
                row.update(flags)
                rows.append(row)
                uids.append(uid)
            s.execute(insert(Member), rows)
            # every member has a Telegram account (its private chat has the same number)
            members_by_seq = dict(s.exec(select(Member.seq, Member.id).where(Member.community_id == community.id)).all())
            keys = telegram_chats(s, uids + [-(10**12) - g.id for g in grids])
            s.execute(insert(ChatAccount), [
                dict(platform="telegram", external_id=str(u), member_id=members_by_seq[k + 1], private_chat_id=keys[u],
                     display_name="", bound_at=now, created_at=now) for k, u in enumerate(uids)])
            ids = list(s.exec(select(Member.id).where(Member.community_id == community.id, Member.role == 5)
                              .order_by(Member.id)).all())
            for g in grids:
                s.add(ChatGroup(chat_id=keys[-(10**12) - g.id], community_id=community.id, grid_id=g.id, bound_at=now))
            team = ids[:8]
            admin.create_rota(s, RotaSpec(
                community_id=community.id, name="义务巡逻", kind="patrol", weekdays="1234567", start_time=time(20),
                duration_minutes=120, size=2, grid_id=None, team=team), by=None, now=now, settings=settings)
            for r in range(DUTY_ROTAS):
                hour = 7 + (r * 7 + c) % 15
                size = 1 + (r % 2)
                admin.create_rota(s, RotaSpec(
                    community_id=community.id, name=f"值班{r + 1:02d}", kind="duty", weekdays=str(1 + (r + c) % 7),
                    start_time=time(hour, 30 * (r % 2)), duration_minutes=120 + 60 * (r % 3), size=size,
                    grid_id=grids[r % GRIDS].id, team=ids[8 + 4 * r: 12 + 4 * r] or ids[:4],
                ), by=None, now=now, settings=settings)
            reporter = members.resident_for_member(s, s.get(Member, ids[-1]), now=now)
            for i in range(4):
                issue = issues.report(s, reporter=reporter, community_id=community.id, text=f"{i + 1}栋楼道灯坏了",
                                      category="facility", building=buildings[i], now=now - timedelta(hours=6 * i),
                                      urgent=(i == 3 and c % 10 == 0))
                if i == 1:
                    head = s.exec(select(Member).where(Member.role == 6, Member.building_id == buildings[i].id)).first()
                    issues.claim(s, issue, Actor(member=head), now=now - timedelta(days=2))
        if (c + 1) % 12 == 0:
            log(f"  {c + 1}/{communities} communities, {wall.perf_counter() - t0:.1f}s")
    with db.transaction() as s:
        shift_rows = s.exec(select(Shift.id, Shift.starts_at)).all()
        starts = dict(shift_rows)
        present = []
        for sid, mid in s.exec(select(ShiftAssignment.shift_id, ShiftAssignment.member_id)
                               .where(ShiftAssignment.role == "on")).all():
            if rng.random() < 0.9:  # nine in ten turn up and check in
                present.append(dict(key=f"shift:{sid}:m:{mid}", kind="shift", shift_id=sid, member_id=mid,
                                    community_id=1, at=starts[sid] + timedelta(minutes=5)))
        s.execute(insert(CheckIn), present)
        stats = {
            "communities": communities,
            "members": s.exec(select(func.count()).select_from(Member)).one(),
            "rotas": s.exec(select(func.count()).select_from(Rota)).one(),
            "shifts": len(shift_rows),
            "build_s": round(wall.perf_counter() - t0, 1),
        }
    return stats


def walk_day(db, settings: Settings, day: date) -> dict:
    """Fire at each 30-minute step of the day, then time the steady ticks that follow."""
    steady, bursts, queued = [], [], 0
    t = datetime.combine(day, time(0), TZ)
    end = t + timedelta(days=1)
    while t < end:
        with db.transaction() as s:
            t0 = wall.perf_counter()
            report = D.fire(s, t, settings=settings)
            bursts.append((wall.perf_counter() - t0) * 1000)
            queued += report.queued
        for k in range(1, 4):  # the next ticks, 15 s apart: nothing new, the common case
            with db.session() as s:
                t0 = wall.perf_counter()
                D.due(s, t + timedelta(seconds=15 * k), settings=settings)
                steady.append((wall.perf_counter() - t0) * 1000)
        t += timedelta(minutes=30)
    return {
        "due_ms": round(statistics.median(steady), 2),
        "due_p95_ms": round(pct(steady, 95), 2),
        "due_max_ms": round(max(steady), 2),
        "burst_max_ms": round(max(bursts), 1),
        "queued_in_day": queued,
    }


async def real_run(db, settings: Settings, shifts: int, spread: float, rng: random.Random) -> dict:
    """Start the scheduler, let its first tick (the start-up catch-up) pass, then add one-off
    shifts starting 20 s to 20 s + ``spread`` ahead — known at least a tick before they are due,
    as materialised shifts are — and measure when each start reminder is queued."""
    from bot.scheduler import start_scheduler

    handle = start_scheduler(db, settings, SystemClock())
    expected: dict[str, datetime] = {}
    try:
        t0 = wall.monotonic()
        while handle.runtime.ticks < 1 and wall.monotonic() - t0 < 120:
            await asyncio.sleep(0.1)
        now = datetime.now(UTC)
        with db.transaction() as s:
            rotas = list(s.exec(select(Rota).where(Rota.kind == "patrol")).all())
            for i in range(shifts):
                rota = rotas[i % len(rotas)]
                team = turns.team(s, rota)
                starts = now + timedelta(seconds=20 + rng.random() * spread)
                people = rng.sample(team, 1 + i % 2)
                shift = admin.add_shift(s, rota, starts, members=people, now=now, minutes=60)
                for m in people:
                    expected[f"start:shift:{shift.id}:m:{m.id}"] = shift.starts_at
        deadline = wall.monotonic() + 20 + spread + settings.scheduler_tick_seconds * 3
        keys = list(expected)
        got: dict[str, datetime] = {}
        while wall.monotonic() < deadline and len(got) < len(keys):
            await asyncio.sleep(0.5)
            with db.session() as s:
                for start in range(0, len(keys), 500):
                    for k, at in s.exec(select(OutboxMessage.dedupe_key, OutboxMessage.created_at)
                                        .where(OutboxMessage.dedupe_key.in_(keys[start:start + 500]))).all():
                        got[k] = at
        await asyncio.sleep(settings.scheduler_tick_seconds + 1)  # one more tick: nothing doubles
        with db.session() as s:
            rows = 0
            for start in range(0, len(keys), 500):
                rows += s.exec(select(func.count()).select_from(OutboxMessage)
                               .where(OutboxMessage.dedupe_key.in_(keys[start:start + 500]))).one()
    finally:
        handle.stop()
    late = [(got[k] - expected[k]).total_seconds() for k in keys if k in got]
    return {
        "reminders": len(keys),
        "fired": len(got),
        "late_p50_s": round(pct(late, 50), 3) if late else None,
        "late_p99_s": round(pct(late, 99), 3) if late else None,
        "late_max_s": round(max(late), 3) if late else None,
        "ticks": handle.runtime.ticks,
        "doubles": rows - len(got),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--communities", type=int, default=108)
    ap.add_argument("--quick", action="store_true", help="12 communities, a short real run")
    ap.add_argument("--database-url")
    args = ap.parse_args()
    communities = 12 if args.quick else args.communities
    tmp = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    settings = Settings(_env_file=None, database_url=url, rota_horizon_days=30, scheduler_tick_seconds=15.0)
    db = prepare(url)
    rng = random.Random(20221202)
    now = datetime.now(UTC)
    log(f"building {communities} communities …")
    stats = build(db, settings, communities, now, rng)
    log(f"  {stats}")
    day = now.astimezone(TZ).date() + timedelta(days=1)
    log(f"walking {day} in 30-minute steps …")
    walk = walk_day(db, settings, day)
    log(f"  {walk}")
    log("real scheduler run …")
    real = asyncio.run(real_run(db, settings, 100 if args.quick else 400, 10.0 if args.quick else 30.0, rng))
    log(f"  {real}")
    result = {
        **stats, **walk, **real,
        "target_due_ms": TARGET_DUE_MS, "target_late_p99_s": TARGET_LATE_S,
        "due_ok": walk["due_p95_ms"] <= TARGET_DUE_MS,
        "late_ok": real["late_p99_s"] is not None and real["late_p99_s"] <= TARGET_LATE_S and real["fired"] == real["reminders"],
        "database": db.engine.dialect.name,
    }
    print(f"due (steady tick): median {walk['due_ms']} ms, p95 {walk['due_p95_ms']} ms (target ≤ {TARGET_DUE_MS} ms); "
          f"worst burst {walk['burst_max_ms']} ms", file=sys.stderr)
    print(f"lateness: p99 {real['late_p99_s']} s (target ≤ {TARGET_LATE_S} s), {real['fired']}/{real['reminders']} fired",
          file=sys.stderr)
    db.dispose()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
