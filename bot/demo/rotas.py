"""Demo rotas for the demo district (``bot.demo_data``): a nightly patrol of 阳光花园, the office's
weekday duty and a weekend checkpoint at 翠苑小区. Idempotent; skipped when the demo community is
not there. ``hgj demo-data`` and ``hgj demo`` load them after ``bot.demo_data.load``."""

from __future__ import annotations

from datetime import datetime, time

from sqlmodel import Session, select

from models import Rota

from bot.places import service as places
from bot.infra.config import Settings
from bot.rotas import admin
from bot.rotas.spec import RotaSpec, find_members

# (name, kind, weekdays, start, minutes, size, quorum, grid, team)
DEMO_ROTAS = [
    ("阳光花园夜间巡逻", "patrol", "1234567", time(20, 0), 120, 2, 2, "第一网格", ["郑小红", "黄德胜", "马桂兰", "杨志强", "李明"]),
    ("社区工作室值班", "duty", "12345", time(8, 30), 210, 1, 1, None, ["刘洋", "陈静", "赵磊", "孙丽"]),
    ("翠苑小区卡口值守", "checkpoint", "67", time(9, 0), 120, 1, 2, "第三网格", ["何晓燕", "郭淑珍", "林国庆"]),
]
COMMUNITY = "白庙社区"


def load(session: Session, *, now: datetime, settings: Settings) -> list[Rota]:
    community = places.find_community(session, COMMUNITY)
    if community is None:
        return []
    made = []
    for name, kind, weekdays, start, minutes, size, quorum, grid_name, team in DEMO_ROTAS:
        if session.exec(select(Rota.id).where(Rota.community_id == community.id, Rota.name == name)).first():
            continue
        members, problems = find_members(session, community.id, team)
        if problems or not members:
            continue
        grid = places.find_grid(session, community.id, grid_name) if grid_name else None
        spec = RotaSpec(
            community_id=community.id, name=name, kind=kind, weekdays=weekdays, start_time=start,
            duration_minutes=minutes, size=size, quorum=quorum, grid_id=grid.id if grid else None,
            timezone=settings.timezone, team=[m.id for m in members],
        )
        made.append(admin.create_rota(session, spec, by=None, now=now, settings=settings))
    return made
