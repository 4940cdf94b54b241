"""Fixtures: a stand-in server on a free port, its control client, and real aiogram bots."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties

from bot.platforms.telegram.standin import Limits, StandinClient, StandinServer, aiogram_session

TOKEN = "424242:test-token_ABC"


def make_bot(server: StandinServer, token: str = TOKEN) -> Bot:
    return Bot(token, session=aiogram_session(server.base_url),
               default=DefaultBotProperties(parse_mode="HTML"))


@contextlib.asynccontextmanager
async def polling(dp: Dispatcher, bot: Bot):
    """Run ``dp.start_polling`` in a task for the duration of the block."""
    task = asyncio.create_task(dp.start_polling(bot, handle_signals=False, close_bot_session=False,
                                                polling_timeout=10))
    try:
        yield task
    finally:
        if dp._running_lock.locked():
            await dp.stop_polling()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@pytest.fixture
async def server():
    async with StandinServer(limits=Limits.off(), tokens=[TOKEN]) as srv:
        yield srv


@pytest.fixture
async def client(server):
    async with StandinClient(server.base_url) as c:
        yield c


@pytest.fixture
async def bot(server):
    b = make_bot(server)
    try:
        yield b
    finally:
        await b.session.close()


@pytest.fixture
async def community(client):
    """Two residents in a supergroup, both with an open private chat (no /start queued)."""
    alice = await client.add_user("王阿姨", username="wang_ayi")
    bob = await client.add_user("李师傅", username="li_shifu")
    group = await client.add_group("幸福里居民群", members=[alice["id"], bob["id"]])
    for u in (alice, bob):
        await client.start_private(u["id"], send=False)
    return {"alice": alice, "bob": bob, "group": group}
