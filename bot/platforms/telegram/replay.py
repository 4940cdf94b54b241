"""Running dead letters (``FailedUpdate``) through the dispatcher once more."""

from __future__ import annotations

from datetime import timezone

from aiogram.types import Update

from bot.infra.clock import SystemClock
from bot.infra.config import Settings
from bot.infra.db import Database
from bot.platforms.telegram.app import build_bot, build_dispatcher
from bot.platforms.telegram.bridge import UpdateBridge, raw_update
from handlers import build_conversation
from handlers.understanding import get_parser
from models import FailedUpdate


async def replay(db: Database, settings: Settings, rows: list[FailedUpdate], *, parser=None,
                 clock=None) -> tuple[int, int]:
    """Handle each saved update again (its outbox rows are sent by the running bot's sender).
    Returns (handled, failed again)."""
    clock = clock or SystemClock()
    bot = build_bot(settings)
    bridge = UpdateBridge(db, build_conversation(), settings, parser=parser or get_parser(), clock=clock,
                          offload=False)
    dp = build_dispatcher(bridge)
    ok = failed = 0
    try:
        for row in rows:
            before = bridge.stats.failed
            update = Update.model_validate(raw_update(row), context={"bot": bot})
            await dp.feed_update(bot, update)
            if bridge.stats.failed > before:
                failed += 1
                continue
            ok += 1
            with db.transaction() as session:
                saved = session.get(FailedUpdate, row.id)
                saved.replayed_at = clock.now().astimezone(timezone.utc)
                session.add(saved)
    finally:
        await bot.session.close()
        bridge.close()
    return ok, failed
