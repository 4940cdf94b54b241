"""Webhook mode: Telegram POSTs each update to a FastAPI endpoint. A request without the right
``X-Telegram-Bot-Api-Secret-Token`` gets 403. The update is handled before the answer, so a
failure (the database gone …) answers 500 and Telegram delivers it again; the processed-update
marks make that harmless."""

from __future__ import annotations

import hashlib
import hmac
import logging
from urllib.parse import urlparse

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from fastapi import APIRouter, HTTPException, Request

from bot.infra.config import Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_PATH = "/telegram/webhook"


def webhook_secret(settings: Settings, token: str) -> str:
    """The configured secret, or one derived from the token (stable across restarts; Telegram
    allows 1–256 characters of A–Z a–z 0–9 _ -)."""
    if settings.webhook_secret:
        return settings.webhook_secret
    return hashlib.sha256(f"hgj-webhook:{token}".encode()).hexdigest()[:48]


def webhook_path(settings: Settings) -> str:
    path = urlparse(settings.webhook_url or "").path
    return path if path and path != "/" else DEFAULT_PATH


def webhook_router(dp: Dispatcher, bot: Bot, secret: str, path: str = DEFAULT_PATH,
                   on_delivery=None) -> APIRouter:
    """``on_delivery()`` is called for each delivery that carries the right secret (``/readyz``)."""
    router = APIRouter()

    @router.post(path, include_in_schema=False)
    async def receive(request: Request) -> dict:
        # compared as bytes: compare_digest refuses non-ASCII text, and a header may carry any byte
        given = request.headers.get(SECRET_HEADER, "").encode("latin-1", "replace")
        if not hmac.compare_digest(given, secret.encode()):
            raise HTTPException(status_code=403, detail="forbidden")
        if on_delivery is not None:
            on_delivery()
        try:
            update = Update.model_validate(await request.json(), context={"bot": bot})
        except ValueError:
            raise HTTPException(status_code=400, detail="not an update") from None
        await dp.feed_update(bot, update)
        return {"ok": True}

    return router


async def set_webhook(bot: Bot, dp: Dispatcher, settings: Settings, secret: str) -> None:
    await bot.set_webhook(url=settings.webhook_url, secret_token=secret,
                          allowed_updates=dp.resolve_used_update_types(), drop_pending_updates=False)
