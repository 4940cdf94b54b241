"""A local stand-in for Telegram's Bot API servers (tests, benchmarks, ``hgj demo``).

An unmodified aiogram ``Bot`` talks to it over HTTP through
``AiohttpSession(api=TelegramAPIServer.from_base(server.base_url))``; tests and the demo page
act as users through the control API under ``/_standin/`` (see :class:`StandinClient`).
"""

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.platforms.telegram.standin.client import StandinClient, StandinClientError
from bot.platforms.telegram.standin.limits import Limits, ManualClock
from bot.platforms.telegram.standin.server import StandinServer, StandinThread

__all__ = ["StandinServer", "StandinThread", "StandinClient", "StandinClientError", "Limits",
           "ManualClock", "aiogram_session"]


def aiogram_session(base_url: str, **kwargs):
    """An aiogram ``AiohttpSession`` pointed at the stand-in at ``base_url``."""
    return AiohttpSession(api=TelegramAPIServer.from_base(base_url), **kwargs)
