"""A community with a patrol team, a rota builder and helpers to read the outbox."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.infra.config import Settings
from bot.rotas import admin
from bot.rotas.spec import RotaSpec
from models import OutboxMessage
from tests.factories import build_world
from tests import ids

TZ = ZoneInfo("Asia/Shanghai")


def at(day: int, hh: int, mm: int = 0, ss: int = 0, month: int = 11) -> datetime:
    """A local time in Shanghai, November 2026 by default."""
    return datetime(2026, month, day, hh, mm, ss, tzinfo=TZ)


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None, database_url="sqlite://")


@pytest.fixture
def world(db, clock):
    """The factories' community plus four patrol volunteers with chat accounts (ids 7001…)."""
    with db.transaction() as s:
        w = build_world(s, clock.now())
        for i, name in enumerate(("张三", "李四", "王五", "赵六"), start=1):
            w.add_member(name, 5, grid=w.grid1, chat_user_id=7000 + i)
        for key, uid in (("gm1", 8001), ("office", 8002), ("bh3", 8003), ("leader", 8004), ("worker1", 8005)):
            ids.bind(w.session, w.m[key], uid)
            s.add(w.m[key])
        s.flush()
    return w


def make_rota(s, w, settings, now, *, name="夜间巡逻", team=("张三", "李四", "王五", "赵六"), weekdays="1234567",
              start=time(20, 0), minutes=120, size=2, quorum=None, building=None, by=None, starts_on=None,
              tz="Asia/Shanghai"):
    spec = RotaSpec(
        community_id=w.community.id, name=name, kind="patrol", weekdays=weekdays, start_time=start,
        duration_minutes=minutes, size=size, quorum=quorum, grid_id=w.grid1.id,
        building_id=building.id if building else None, team=[w.m[k].id for k in team], starts_on=starts_on,
        timezone=tz,
    )
    return admin.create_rota(s, spec, by=by, now=now, settings=settings)


def outbox(db, prefix: str = "") -> list[OutboxMessage]:
    with db.session() as s:
        rows = s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    return [r for r in rows if (r.dedupe_key or "").startswith(prefix)]


def fire(db, when, settings):
    from bot.due import fire as due

    with db.transaction() as s:
        return due.fire(s, when, settings=settings)


def due_now(db, when, settings, **kw):
    from bot.due import fire as due

    with db.session() as s:
        items = due.due(s, when, settings=settings, **kw)
        for d in items:  # addressed as the tests name chats: by Telegram ids
            d.out.chat_id = ids.telegram_chat(s, d.out.chat_id)
        return items
