"""Factories: the ``Bot`` and the ``Dispatcher`` (nothing is built at import time)."""

from __future__ import annotations

import aiogram.methods as methods
from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.methods.base import Response, TelegramMethod

from bot.infra.config import Settings

from bot.platforms.telegram.bridge import UpdateBridge
from bot.platforms.telegram.routers import all_routers

# aiogram reads every answer as ``Response[method.__returning__]``; pydantic keeps such
# parametrised models only weakly, so between garbage collections each call built the model and
# its schema again (about a fifth of the bot's time under load). Holding them keeps pydantic's
# cache warm. Filled once per process by ``build_bot``.
_RESPONSE_MODELS: dict[str, type] = {}


def _keep_response_models() -> None:
    if _RESPONSE_MODELS:
        return
    for name in dir(methods):
        method = getattr(methods, name)
        if isinstance(method, type) and issubclass(method, TelegramMethod) and method is not TelegramMethod:
            returning = getattr(method, "__returning__", None)
            if returning is not None:
                _RESPONSE_MODELS.setdefault(repr(returning), Response[returning])


def build_bot(settings: Settings, *, token: str | None = None, api_base: str | None = None) -> Bot:
    """A bot on ``HGJ_TELEGRAM_API_BASE`` (Telegram's, a local Bot API server, or the stand-in)."""
    token = token or settings.telegram_token
    if not token:
        raise ValueError("HGJ_TELEGRAM_TOKEN is not set")
    base = (api_base or settings.telegram_api_base).rstrip("/")
    _keep_response_models()
    session = AiohttpSession(api=TelegramAPIServer.from_base(base))
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def build_dispatcher(bridge: UpdateBridge, **workflow) -> Dispatcher:
    """One router per feature; the bridge and the shared services travel as workflow data."""
    # Conversation state lives in the database (pending questions), not in aiogram's FSM: without
    # it every update skips a storage look-up and a middleware.
    dp = Dispatcher(disable_fsm=True)
    dp["bridge"] = bridge
    dp["db"] = bridge.db
    dp["conversation"] = bridge.conversation
    dp["clock"] = bridge.clock
    dp["settings"] = bridge.settings
    for key, value in workflow.items():
        dp[key] = value
    for router in all_routers():
        dp.include_router(router)
    return dp
