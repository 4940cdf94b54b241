"""The real ``TelegramTransport`` and aiogram ``Bot`` over HTTP, against a tiny local Bot API."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import SendMessage
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.infra.clock import SystemClock
from bot.outbox import (
    ChatMigrated,
    OutboundMessage,
    PermanentError,
    RateLimiter,
    RateLimits,
    RetryAfter,
    Sender,
    TemporaryError,
    Unreachable,
)
from bot.platforms.telegram.transport import TelegramTransport, keyboard, translate
from bot.messages import Action, Button, Outgoing
from bot.platforms.telegram.render import from_html
from models import OutboxStatus

from .conftest import add, rows
from .test_reroute import CHAT, blocked, chat_of, setup_world

TOKEN = "123456:TEST-token_for_the_outbox"
FLOODED, BLOCKED, GONE = 100, CHAT["bh3"], 300


class MiniBotApi:
    """sendMessage / sendPhoto / editMessageText, with Telegram's answers for the cases we need."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict]] = []
        self.flooded_once = False
        self.next_id = 500

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = dict(await request.post())
        self.requests.append((method, params))
        chat_id = int(params.get("chat_id", 0))
        if method in ("sendMessage", "sendPhoto"):
            if chat_id == FLOODED and not self.flooded_once:
                self.flooded_once = True
                return self.error(429, "Too Many Requests: retry after 1", retry_after=1)
            if chat_id == BLOCKED:
                return self.error(403, "Forbidden: bot was blocked by the user")
            if chat_id == GONE:
                return self.error(400, "Bad Request: chat not found")
            self.next_id += 1
            result = {
                "message_id": self.next_id, "date": 1764291600,
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group", "title": "g"},
            }
            if method == "sendPhoto":
                result["photo"] = [{"file_id": params["photo"], "file_unique_id": "u", "width": 1, "height": 1}]
                result["caption"] = params.get("caption", "")
            else:
                result["text"] = params["text"]
            return web.json_response({"ok": True, "result": result})
        if method == "editMessageText":
            if params["message_id"] == "55":
                return self.error(400, "Bad Request: message is not modified: specified new message content "
                                       "and reply markup are exactly the same as a current content")
            if params["message_id"] == "66":
                return self.error(400, "Bad Request: message to edit not found")
            return web.json_response({"ok": True, "result": {
                "message_id": int(params["message_id"]), "date": 1764291600,
                "chat": {"id": chat_id, "type": "private"}, "text": params["text"]}})
        return self.error(404, "Not Found")

    @staticmethod
    def error(code: int, description: str, **parameters) -> web.Response:
        body = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=code)


@pytest.fixture
async def api():
    mini = MiniBotApi()
    server = TestServer(mini.app())
    await server.start_server(shutdown_timeout=1.0)
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(str(server.make_url("")).rstrip("/"))))
    try:
        yield mini, bot
    finally:
        await bot.session.close()
        await server.close()


def msg(chat_id: int, text: str = "<b>新问题</b> Q1", **kw) -> OutboundMessage:
    """A row to the Telegram chat ``chat_id`` (its key here is just 1: the transport uses the
    chat's external id)."""
    return OutboundMessage(id=1, chat_id=1, text=from_html(text), platform="telegram", external_chat_id=str(chat_id),
                           chat_kind="private" if chat_id > 0 else "group", **kw)


async def test_the_transport_speaks_the_bot_api(api):
    mini, bot = api
    transport = TelegramTransport(bot)
    buttons = [[Button("受理", Action("q", "accept", 1)), Button("地图", url="https://example.org/m")]]
    message_id = await transport.send(msg(42, buttons=buttons, reply_to_message_id="9"))
    assert message_id == "501"  # Telegram's number, as the text the core keeps
    method, params = mini.requests[-1]
    assert method == "sendMessage" and params["parse_mode"] == "HTML" and params["text"] == "<b>新问题</b> Q1"
    assert json.loads(params["reply_parameters"]) == {"message_id": 9, "allow_sending_without_reply": True}
    markup = json.loads(params["reply_markup"])["inline_keyboard"]
    assert markup[0][0] == {"text": "受理", "callback_data": "q:accept:1:"}
    assert markup[0][1] == {"text": "地图", "url": "https://example.org/m"}

    await transport.send(msg(42, text="照片说明", photo="telegram:AgACPHOTO"))  # stored tagged, sent by its id
    method, params = mini.requests[-1]
    assert method == "sendPhoto" and params["photo"] == "AgACPHOTO" and params["caption"] == "照片说明"

    assert await transport.edit(msg(42, text="已受理", edit_message_id="77")) == "77"
    assert await transport.edit(msg(42, text="已受理", edit_message_id="55")) == "55"  # not modified = done
    with pytest.raises(PermanentError, match="message to edit not found"):
        await transport.edit(msg(42, edit_message_id="66"))
    with pytest.raises(RetryAfter) as flood:
        await transport.send(msg(FLOODED))
    assert flood.value.seconds == 1
    with pytest.raises(Unreachable, match="blocked"):
        await transport.send(msg(BLOCKED))
    with pytest.raises(Unreachable, match="chat not found"):
        await transport.send(msg(GONE))


async def test_network_trouble_is_temporary():
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base("http://127.0.0.1:9")))
    try:
        with pytest.raises(TemporaryError):
            await TelegramTransport(bot).send(msg(42))
    finally:
        await bot.session.close()


def test_aiogram_errors_map_to_what_the_sender_does():
    m = SendMessage(chat_id=1, text="x")
    cases = [
        (TelegramRetryAfter(m, "Too Many Requests", 7), RetryAfter),
        (TelegramForbiddenError(m, "Forbidden: bot was kicked from the group chat"), Unreachable),
        (TelegramBadRequest(m, "Bad Request: chat not found"), Unreachable),
        (TelegramBadRequest(m, "Bad Request: can't parse entities: unsupported start tag"), PermanentError),
        (TelegramNotFound(m, "Not Found"), PermanentError),
        (TelegramEntityTooLarge(m, "Request Entity Too Large"), PermanentError),
        (TelegramMigrateToChat(m, "migrated", -1001234), ChatMigrated),
        (TelegramNetworkError(m, "Request timeout error"), TemporaryError),
        (TelegramServerError(m, "Internal Server Error"), TemporaryError),
        (TelegramUnauthorizedError(m, "Unauthorized"), TemporaryError),
        (asyncio.TimeoutError(), TemporaryError),
        (ConnectionResetError(), TemporaryError),
    ]
    for err, expected in cases:
        assert type(translate(err)) is expected, err
    assert translate(cases[0][0]).seconds == 7
    assert translate(cases[6][0]).new_chat_id == "-1001234"
    assert keyboard([]) is None and keyboard([[Button("x")]]) is None


async def test_sender_through_aiogram_429_once_a_blocked_member_rerouted(api, db):
    mini, bot = api
    clock = SystemClock()
    ids, issue_id, alert_id = setup_world(db, clock)  # an alert to the building head, who blocked us
    flooded, fine = add(db, clock, Outgoing(chat_id=FLOODED, text="第一条"), Outgoing(chat_id=FLOODED, text="第二条"))
    sender = Sender(db, TelegramTransport(bot), clock=clock, limiter=RateLimiter(RateLimits()), poll_interval=0.1)
    task = asyncio.create_task(sender.run())
    try:
        async with asyncio.timeout(10):
            while sum(r.status != OutboxStatus.pending for r in rows(db).values()) < 4:
                await asyncio.sleep(0.05)
    finally:
        sender.stop()
        await task
    stored = rows(db)
    assert stored[alert_id].status == OutboxStatus.failed and blocked(db, ids["bh3"])
    [rerouted] = [r for r in stored.values() if chat_of(db, r.chat_id) == CHAT["gm1"]]
    assert rerouted.status == OutboxStatus.sent and rerouted.ref == f"issue:{issue_id}"
    assert stored[flooded].status == stored[fine].status == OutboxStatus.sent
    assert stored[flooded].attempts == 2 and int(stored[flooded].sent_message_id) < int(stored[fine].sent_message_id)
    texts = [p["text"] for m, p in mini.requests if m == "sendMessage" and p["chat_id"] == str(FLOODED)]
    assert texts == ["第一条", "第一条", "第二条"]  # refused once, then in order
    assert sender.stats.rate_limited == 1 and sender.stats.rerouted == 1
