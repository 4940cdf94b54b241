"""The whole bot against the Telegram stand-in over HTTP: demo data, the stand-in's world made of
the demo people, and a ``Runtime`` (the real aiogram bot, the bridge, the sender)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import time

from sqlmodel import select

from bot.infra.config import Settings
from bot.infra.db import Database
from bot.runtime import Features, Runtime, populate_standin
from bot.platforms.telegram.standin import Limits, StandinClient, StandinServer
from models import Issue

TOKEN = "7000000001:e2e-test-token"


@dataclass
class Live:
    server: StandinServer
    sc: StandinClient
    db: Database
    settings: Settings
    runtime: Runtime | None
    parser: object

    def issues(self) -> list[Issue]:
        with self.db.session() as s:
            return list(s.exec(select(Issue).order_by(Issue.id)).all())

    def newest(self) -> Issue:
        return self.issues()[-1]

    async def start(self, features: Features | None = None) -> Runtime:
        runtime = Runtime(self.settings, self.db, parser=self.parser,
                          features=features or Features(web=False, scheduler=False, sweep_every=0))
        await runtime.start()
        self.runtime = runtime
        return runtime

    async def restart(self, features: Features | None = None) -> Runtime:
        if self.runtime is not None:
            await self.runtime.stop()
        return await self.start(features)


@contextlib.asynccontextmanager
async def live_bot(db: Database, parser, *, limits: Limits | None = None, start: bool = True,
                   features: Features | None = None, **settings):
    server = StandinServer(limits=limits if limits is not None else Limits.off(), tokens=[TOKEN])
    await server.start()
    populate_standin(server.world, db)
    # the sender keeps to Telegram's limits where the stand-in has them; elsewhere it need not wait
    settings.setdefault("send_limits", limits is not None and limits.enabled)
    # the wall clock runs here: no quiet hours, or alerts would wait for the morning at night
    settings.setdefault("quiet_hours_start", time(0, 0))
    settings.setdefault("quiet_hours_end", time(0, 0))
    config = Settings(database_url=db.url, telegram_token=TOKEN, telegram_api_base=server.base_url, **settings)
    sc = StandinClient(server.base_url)
    live = Live(server, sc, db, config, None, parser)
    try:
        if start:
            await live.start(features)
        yield live
    finally:
        if live.runtime is not None:
            await live.runtime.stop()
        await sc.close()
        await server.stop()


def button(message: dict, label: str) -> str:
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        for b in row:
            if label in b["text"]:
                return b["callback_data"]
    raise AssertionError(f"no button {label!r} under {message.get('text')!r}")
