"""Webhook mode: updates POSTed to the bot with the secret header, retried on failure."""

from __future__ import annotations

import contextlib

import pytest
from aiogram import Dispatcher, F
from aiogram.exceptions import TelegramBadRequest, TelegramConflictError
from aiogram.methods import GetUpdates, SendMessage
from aiogram.types import Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web




@contextlib.asynccontextmanager
async def serve(app: web.Application):
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def test_aiogram_webhook_handler_receives_updates(server, client, bot, community):
    alice, group = community["alice"], community["group"]
    dp = Dispatcher()

    @dp.message(F.text)
    async def on_text(message: Message) -> None:
        await message.answer(f"收到：{message.text}")

    app = web.Application()
    SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token="s3cret-Token_1").register(app, path="/hook")
    async with serve(app) as base:
        assert await bot.set_webhook(f"{base}/hook", secret_token="s3cret-Token_1")
        info = await bot.get_webhook_info()
        assert info.url == f"{base}/hook" and info.pending_update_count == 0
        with pytest.raises(TelegramConflictError, match="can't use getUpdates method while webhook is active"):
            await bot(GetUpdates(timeout=0))
        await client.send_text(alice["id"], group["id"], "你好")
        reply = await client.wait_for_message(group["id"])
        assert reply["text"] == "收到：你好"
        await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""


async def test_secret_header_retries_and_webhook_reply_method(server, client, bot, community):
    alice, group = community["alice"], community["group"]
    seen: list[tuple[str | None, dict]] = []
    fail_first = {"left": 2}

    async def hook(request: web.Request) -> web.Response:
        body = await request.json()
        seen.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), body))
        if fail_first["left"]:
            fail_first["left"] -= 1
            return web.Response(status=500)
        # answer with a method in the response, as Telegram allows
        return web.json_response({"method": "sendMessage", "chat_id": body["message"]["chat"]["id"],
                                  "text": "<b>webhook</b> 回复", "parse_mode": "HTML"})

    app = web.Application()
    app.router.add_post("/tg", hook)
    server.webhook_retry = (0.01, 0.05)
    async with serve(app) as base:
        await bot.set_webhook(f"{base}/tg", secret_token="abc")
        await client.send_text(alice["id"], group["id"], "一次")
        reply = await client.wait_for_message(group["id"])
        assert reply["text"] == "webhook 回复" and reply["entities"][0]["type"] == "bold"
        info = await bot.get_webhook_info()
        assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
        assert info.pending_update_count == 0
    assert len(seen) == 3
    assert {secret for secret, _ in seen} == {"abc"}
    assert len({body["update_id"] for _, body in seen}) == 1  # the same update, retried
    stats = await client.stats()
    assert stats["webhook_failures"] == 2 and stats["webhook_deliveries"] == 1


async def test_aiogram_multipart_webhook_reply_is_executed(server, client, bot, community):
    alice, group = community["alice"], community["group"]
    dp = Dispatcher()

    @dp.message(F.text)
    async def on_text(message: Message):
        return SendMessage(chat_id=message.chat.id, text="直接在响应里回复")

    app = web.Application()
    SimpleRequestHandler(dispatcher=dp, bot=bot, handle_in_background=False).register(app, path="/h")
    async with serve(app) as base:
        await bot.set_webhook(f"{base}/h")
        await client.send_text(alice["id"], group["id"], "hi")
        assert (await client.wait_for_message(group["id"]))["text"] == "直接在响应里回复"


async def test_drop_pending_updates_and_bad_urls(server, client, bot, community):
    alice, group = community["alice"], community["group"]
    await client.send_text(alice["id"], group["id"], "旧消息")
    await bot.delete_webhook(drop_pending_updates=True)
    assert await bot(GetUpdates(timeout=0)) == []
    with pytest.raises(TelegramBadRequest, match="bad webhook"):
        await bot.set_webhook("ftp://x")
