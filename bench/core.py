"""Benchmark: the seed's volume created through the core services on SQLite.

108 communities, 19,536 members, 5,243 issues taken through their states (1,640 into the task
list, 1,229 solved) with points booked on the way. Prints progress, then one JSON line:
{"seconds", "rows", "rows_per_s", ...}.

    python bench/core.py [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func  # noqa: E402
from sqlmodel import select  # noqa: E402

from bot.issues import service as issues
from bot.places import service as places  # noqa: E402
from bot.bootstrap import prepare  # noqa: E402
from bot.issues.lifecycle import Actor  # noqa: E402
from bot.members import service as members  # noqa: E402
from bot.members.service import Titles  # noqa: E402
from models import IssueEvent, IssueFollower, Member, PointsEntry, Resident  # noqa: E402

COMMUNITIES, MEMBERS, ISSUES, ACCEPTED, SOLVED = 108, 19_536, 5_243, 1_640, 1_229
GRIDS, BUILDINGS = 4, 20
CATEGORIES = ["sanitation", "facility", "safety", "noise", "parking", "property", "order", "other"]


def split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    db = prepare(url)
    rng = random.Random(20221202)
    now = datetime(2026, 11, 1, tzinfo=timezone.utc)
    t0 = time.perf_counter()
    phone = 13000000000
    member_counts, issue_counts = split(MEMBERS, COMMUNITIES), split(ISSUES, COMMUNITIES)
    accepted_counts, solved_counts = split(ACCEPTED, COMMUNITIES), split(SOLVED, COMMUNITIES)
    units = []
    with db.transaction() as s:
        for u in range(52):
            units.append(members.ensure_work_unit(s, f"区直单位{u + 1:02d}")[0].id)
    for c in range(COMMUNITIES):
        with db.transaction() as s:
            community = places.create_community(s, f"社区{c + 1:03d}", now=now)
            grids = [places.ensure_grid(s, community, f"第{g + 1}网格")[0] for g in range(GRIDS)]
            buildings = [
                places.ensure_building(s, community, f"{b + 1}栋", grid=grids[b % GRIDS])[0] for b in range(BUILDINGS)
            ]
            from models import WorkUnit

            roster: dict[str, list[Member]] = {"gm": [], "head": [], "cadre": [], "resident": []}
            plan = ([(1, None, None, None, Titles())]
                    + [(3, grids[g], None, None, Titles(grid_manager=True)) for g in range(GRIDS)]
                    + [(3, None, None, None, Titles(office_admin=True))]
                    + [(6, b.grid_id and grids[(b.code - 1) % GRIDS], b, None, Titles()) for b in buildings])
            while len(plan) < member_counts[c]:
                k = len(plan)
                if k % 12 == 0:
                    plan.append((2, grids[k % GRIDS], None, s.get(WorkUnit, units[k % 52]), Titles()))
                elif k % 12 == 1:
                    plan.append((4, grids[k % GRIDS], None, None, Titles(mediator=k % 24 == 1)))
                else:
                    plan.append((5, grids[k % GRIDS], buildings[k % BUILDINGS], None, Titles()))
            for role, grid, building, unit, titles in plan[: member_counts[c]]:
                phone += 1
                m = members.create_member(s, name=f"成员{phone % 100000}", role=role, community=community,
                                          phone=str(phone), now=now, grid=grid, building=building,
                                          work_unit=unit, titles=titles)
                key = {6: "head", 2: "cadre"}.get(role, "gm" if titles.grid_manager else "resident")
                roster[key].append(m)
            heads = {m.building_id: m for m in roster["head"]}
            reporters = [members.resident_for_member(s, m, now=now) for m in roster["resident"][:40]]
            n_acc, n_sol = accepted_counts[c], solved_counts[c]
            for i in range(issue_counts[c]):
                building = buildings[rng.randrange(BUILDINGS)]
                t = now + timedelta(minutes=i)
                reporter = reporters[i % len(reporters)]
                issue = issues.report(s, reporter=reporter, community_id=community.id, text=f"{building.number}栋问题{i}",
                                      category=rng.choice(CATEGORIES), building=building, now=t)
                head = Actor(member=heads[building.id])
                if i < n_sol:
                    issues.claim(s, issue, head, now=t + timedelta(hours=1))
                    issues.resolve(s, issue, head, note="已处理", now=t + timedelta(hours=5))
                    if i % 3:
                        issues.confirm(s, issue, Actor(resident=reporter), now=t + timedelta(days=1))
                elif i < n_acc:
                    if i % 2:
                        issues.accept(s, issue, head, now=t + timedelta(hours=1))
                    else:
                        issues.claim(s, issue, head, now=t + timedelta(hours=1))
                elif i % 10 == 0:
                    issues.reject(s, issue, head, reason="不属于社区管理范围", now=t + timedelta(hours=2))
        if (c + 1) % 12 == 0:
            print(f"  {c + 1}/{COMMUNITIES} communities, {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    seconds = time.perf_counter() - t0
    with db.session() as s:
        counts = {m.__name__: s.exec(select(func.count()).select_from(m)).one()
                  for m in (Member, Resident, IssueEvent, IssueFollower, PointsEntry)}
        from bot.office.stats import funnel

        f = funnel(s)
    rows = sum(counts.values()) + ISSUES + COMMUNITIES * (1 + GRIDS + BUILDINGS)
    result = {
        "database": db.engine.dialect.name,
        "seconds": round(seconds, 2),
        "rows": rows,
        "rows_per_s": round(rows / seconds),
        "members": counts["Member"],
        "issues": ISSUES,
        "collected": f.collected,
        "accepted": f.accepted,
        "solved": f.solved,
        "points_entries": counts["PointsEntry"],
        "events": counts["IssueEvent"],
    }
    db.dispose()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
