"""The control API under ``/_standin/`` (JSON) and the demo page at ``/``.

Errors answer ``{"error": "..."}`` with a 4xx status. Private chats are addressed by the
user's id; with several bots, ``bot`` (token, id or username; query or body) picks whose.
"""

from __future__ import annotations

import base64
import binascii
import json
from importlib import resources
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.platforms.telegram.standin.state import ControlError, StoredFile, PLACEHOLDER_PNG

if TYPE_CHECKING:
    from bot.platforms.telegram.standin.server import StandinServer

__all__ = ["add_control_routes"]

_STATIC = {
    "index.html": "text/html",
    "app.js": "application/javascript",
    "style.css": "text/css",
}
_MAX_WAIT = 120.0


def _json(obj: Any, status: int = 200) -> web.Response:
    return web.Response(text=json.dumps(obj, ensure_ascii=False, separators=(",", ":")),
                        status=status, content_type="application/json")


async def _body(request: web.Request) -> dict:
    if not request.body_exists:
        return {}
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        form = await request.post()
        out: dict[str, Any] = {}
        for key, value in form.items():
            if isinstance(value, web.FileField):
                out[key] = {"_bytes": value.file.read(), "filename": value.filename,
                            "content_type": value.content_type}
            else:
                out[key] = value
        return out
    try:
        body = await request.json()
    except ValueError:
        raise ControlError(400, "the body is not JSON") from None
    if not isinstance(body, dict):
        raise ControlError(400, "the body is a JSON object")
    return body


def _int(value: Any, name: str, default: int | None = None) -> int | None:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ControlError(400, f"{name} must be an integer") from None


def _float(value: Any, name: str, default: float) -> float:
    if value is None or value == "":
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ControlError(400, f"{name} must be a number") from None


def _bool(value: Any, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes", "on")
    return bool(value)


def add_control_routes(app: web.Application, server: "StandinServer") -> None:
    world = server.world

    def handler(fn):
        async def wrapped(request: web.Request) -> web.StreamResponse:
            try:
                return await fn(request)
            except ControlError as err:
                return _json({"error": err.message}, err.status)

        return wrapped

    def bot_ref(request: web.Request, body: dict | None = None) -> Any:
        if body and body.get("bot") not in (None, ""):
            return body["bot"]
        return request.query.get("bot") or None

    def user_id_of(body: dict) -> Any:
        uid = body.get("user_id", body.get("from_user_id"))
        if uid is None:
            raise ControlError(400, "user_id is required")
        return uid

    def photo_of(value: Any, kind: str = "photos") -> StoredFile:
        """A photo given as uploaded bytes, {"data_b64"|"file_id"}, base64 text, or True."""
        if isinstance(value, dict) and "_bytes" in value:
            return world.store_file(value["_bytes"], kind, mime_type=value.get("content_type"),
                                    file_name=value.get("filename"))
        if isinstance(value, dict) and value.get("file_id"):
            record = world.files.get(value["file_id"])
            if record is None:
                raise ControlError(404, "unknown file_id")
            return record
        data_b64 = value.get("data_b64") if isinstance(value, dict) else value
        if data_b64 in (None, True, "", "placeholder"):
            return world.store_file(PLACEHOLDER_PNG, kind, mime_type="image/png")
        if isinstance(data_b64, str):
            if data_b64.startswith("data:") and "," in data_b64:
                data_b64 = data_b64.split(",", 1)[1]
            try:
                data = base64.b64decode(data_b64, validate=True)
            except (binascii.Error, ValueError):
                raise ControlError(400, "photo data is not base64") from None
            if not data:
                raise ControlError(400, "photo data is empty")
            name = value.get("filename") if isinstance(value, dict) else None
            ctype = value.get("content_type") if isinstance(value, dict) else None
            return world.store_file(data, kind, mime_type=ctype, file_name=name)
        raise ControlError(400, "photo is base64 text, {data_b64}, {file_id} or true")

    # -- health, bots, users --------------------------------------------------------------
    @handler
    async def health(request: web.Request) -> web.Response:
        return _json({"ok": True, "cursor": world.cursor})

    @handler
    async def list_bots(request: web.Request) -> web.Response:
        return _json([b.info() for b in world.bots.values()])

    @handler
    async def add_bot(request: web.Request) -> web.Response:
        body = await _body(request)
        token = body.get("token")
        if not isinstance(token, str):
            raise ControlError(400, "token is required")
        bot = world.add_bot(token, body.get("username") or None, body.get("first_name") or None)
        return _json(bot.info())

    @handler
    async def list_users(request: web.Request) -> web.Response:
        return _json([{**u.to_dict(), **({"phone_number": u.phone_number} if u.phone_number else {})}
                      for u in world.users.values()])

    @handler
    async def add_user(request: web.Request) -> web.Response:
        body = await _body(request)
        user = world.add_user(body.get("first_name") or "", username=body.get("username"),
                              user_id=_int(body.get("id"), "id"), last_name=body.get("last_name"),
                              language_code=body.get("language_code", "zh-hans"),
                              phone_number=body.get("phone_number") or None)
        return _json(user.to_dict())

    @handler
    async def start(request: web.Request) -> web.Response:
        body = await _body(request)
        chat, message, update_ids = world.start(
            request.match_info["user_id"], bot_ref(request, body), payload=body.get("payload"),
            send=_bool(body.get("send"), True))
        return _json({"chat": chat.summary(), "message": message, "update_ids": update_ids,
                      "cursor": world.cursor})

    @handler
    async def block(request: web.Request) -> web.Response:
        body = await _body(request)
        blocked = request.match_info["action"] == "block"
        chat = world.set_blocked(request.match_info["user_id"], blocked, bot_ref(request, body))
        return _json({"chat": chat.summary(), "cursor": world.cursor})

    # -- chats and messages ---------------------------------------------------------------
    @handler
    async def list_chats(request: web.Request) -> web.Response:
        ref = bot_ref(request)
        bot = world.find_bot(ref) if ref or world.bots else None
        return _json(world.chats_for(bot))

    @handler
    async def add_chat(request: web.Request) -> web.Response:
        body = await _body(request)
        members = body.get("members") or []
        if not isinstance(members, list):
            raise ControlError(400, "members is a list of user ids")
        chat = world.add_group(body.get("title") or "", members=members,
                               chat_id=_int(body.get("id"), "id"),
                               type_=body.get("type") or "supergroup",
                               admins=body.get("admins") or [], owner=body.get("owner"),
                               username=body.get("username"), bots=body.get("bots"))
        return _json(chat.summary())

    @handler
    async def get_chat(request: web.Request) -> web.Response:
        chat = world.control_chat(request.match_info["chat_id"], bot_ref(request))
        return _json(chat.summary())

    @handler
    async def add_member(request: web.Request) -> web.Response:
        body = await _body(request)
        chat = world.add_member(_int(request.match_info["chat_id"], "chat_id"), user_id_of(body))
        return _json(chat.summary())

    @handler
    async def migrate(request: web.Request) -> web.Response:
        body = await _body(request)
        old, new, update_ids = world.migrate_group(request.match_info["chat_id"], _int(body.get("id"), "id"),
                                                   body.get("user_id"))
        return _json({"chat": new.summary(), "old": old.summary(), "update_ids": update_ids,
                      "cursor": world.cursor})

    @handler
    async def list_messages(request: web.Request) -> web.Response:
        chat = world.control_chat(request.match_info["chat_id"], bot_ref(request))
        limit = _int(request.query.get("limit"), "limit")
        return _json(world.messages(chat, limit))

    @handler
    async def get_message(request: web.Request) -> web.Response:
        chat = world.control_chat(request.match_info["chat_id"], bot_ref(request))
        message = chat.messages.get(_int(request.match_info["message_id"], "message_id"))  # type: ignore[arg-type]
        if message is None:
            raise ControlError(404, "no such message")
        return _json(message)

    @handler
    async def post_message(request: web.Request) -> web.Response:
        body = await _body(request)
        photo = body.get("photo")
        if photo is None and body.get("photo_b64"):
            photo = {"data_b64": body["photo_b64"]}
        document = body.get("document")
        location = body.get("location")
        if isinstance(location, str):
            try:
                location = json.loads(location)
            except ValueError:
                raise ControlError(400, "location is {latitude, longitude}") from None
        message, update_ids = world.user_message(
            user_id_of(body), request.match_info["chat_id"],
            text=body.get("text"),
            reply_to=_int(body.get("reply_to_message_id"), "reply_to_message_id"),
            photo=photo_of(photo) if photo not in (None, False, "") else None,
            document=photo_of(document, "documents") if document not in (None, False, "") else None,
            caption=body.get("caption"), location=location, bot_ref=bot_ref(request, body),
            contact=body.get("contact"), on_behalf=body.get("on_behalf"))
        return _json({"message": message, "update_ids": update_ids, "cursor": world.cursor})

    # -- callbacks ------------------------------------------------------------------------
    @handler
    async def press(request: web.Request) -> web.Response:
        body = await _body(request)
        if body.get("chat_id") is None or body.get("message_id") is None:
            raise ControlError(400, "chat_id and message_id are required")
        record, update_id = world.press(user_id_of(body), body["chat_id"], body["message_id"],
                                        data=body.get("data"), button_text=body.get("button_text"),
                                        bot_ref=bot_ref(request, body), force=_bool(body.get("force")))
        return _json({"callback_query_id": record.id, "data": record.data, "update_id": update_id,
                      "cursor": world.cursor})

    @handler
    async def get_callback(request: web.Request) -> web.Response:
        qid = request.match_info["query_id"]
        record = world.callbacks.get(qid)
        if record is None:
            raise ControlError(404, "unknown callback query")
        wait = min(_float(request.query.get("wait"), "wait", 0.0), _MAX_WAIT)
        if record.answer is None and wait > 0:
            await world.wait_events(world.cursor, wait,
                                    lambda ev: ev["type"] == "answered" and ev["callback_query_id"] == qid)
        return _json(record.to_dict())

    @handler
    async def redeliver(request: web.Request) -> web.Response:
        body = await _body(request)
        update = world.redeliver(world.find_bot(bot_ref(request, body)),
                                 _int(body.get("update_id"), "update_id"))
        return _json({"update": update, "cursor": world.cursor})

    # -- events, limits, stats, files -----------------------------------------------------
    @handler
    async def events(request: web.Request) -> web.Response:
        q = request.query
        after = _int(q.get("after"), "after", 0) or 0
        if after < 0:
            after = max(0, world.cursor + after)
        wait = min(_float(q.get("wait"), "wait", 0.0), _MAX_WAIT)
        limit = max(1, _int(q.get("limit"), "limit", 1000) or 1000)
        types = frozenset(t for t in (q.get("types") or "").split(",") if t)
        chat_id = _int(q.get("chat_id"), "chat_id")
        ref = q.get("bot")
        bot_id = world.find_bot(ref).id if ref else None

        def match(ev: dict) -> bool:
            if types and ev["type"] not in types:
                return False
            if chat_id is not None and ev.get("chat_id") != chat_id:
                return False
            if bot_id is not None and ev.get("bot_id") not in (None, bot_id):
                return False
            return True

        found, cursor = await world.wait_events(after, wait, match if (types or chat_id is not None or bot_id) else None, limit)
        return _json({"events": found, "cursor": cursor})

    @handler
    async def get_limits(request: web.Request) -> web.Response:
        return _json(world.limits.to_dict())

    @handler
    async def set_limits(request: web.Request) -> web.Response:
        body = await _body(request)
        return _json(world.set_limits(body).to_dict())

    @handler
    async def stats(request: web.Request) -> web.Response:
        return _json(world.stats())

    @handler
    async def reset_stats(request: web.Request) -> web.Response:
        world.reset_stats()
        return _json(world.stats())

    @handler
    async def get_file(request: web.Request) -> web.Response:
        record = world.files.get(request.match_info["file_id"])
        if record is None:
            raise ControlError(404, "unknown file")
        return web.Response(body=record.data, content_type=record.mime_type or "application/octet-stream",
                            headers={"Cache-Control": "max-age=3600"})

    # -- demo page ------------------------------------------------------------------------
    async def static(request: web.Request) -> web.Response:
        name = request.match_info.get("name", "index.html")
        ctype = _STATIC.get(name)
        if ctype is None:
            raise web.HTTPNotFound()
        data = resources.files("bot.platforms.telegram.standin").joinpath("static", name).read_bytes()
        return web.Response(body=data, content_type=ctype, charset="utf-8",
                            headers={"Cache-Control": "no-cache"})

    r = app.router
    p = "/_standin"
    r.add_get(f"{p}/health", health)
    r.add_get(f"{p}/bots", list_bots)
    r.add_post(f"{p}/bots", add_bot)
    r.add_get(f"{p}/users", list_users)
    r.add_post(f"{p}/users", add_user)
    r.add_post(f"{p}/users/{{user_id}}/start", start)
    r.add_post(f"{p}/users/{{user_id}}/{{action:block|unblock}}", block)
    r.add_get(f"{p}/chats", list_chats)
    r.add_post(f"{p}/chats", add_chat)
    r.add_get(f"{p}/chats/{{chat_id}}", get_chat)
    r.add_post(f"{p}/chats/{{chat_id}}/members", add_member)
    r.add_post(f"{p}/chats/{{chat_id}}/migrate", migrate)
    r.add_get(f"{p}/chats/{{chat_id}}/messages", list_messages)
    r.add_post(f"{p}/chats/{{chat_id}}/messages", post_message)
    r.add_get(f"{p}/chats/{{chat_id}}/messages/{{message_id}}", get_message)
    r.add_post(f"{p}/callbacks", press)
    r.add_get(f"{p}/callbacks/{{query_id}}", get_callback)
    r.add_post(f"{p}/updates/redeliver", redeliver)
    r.add_get(f"{p}/events", events)
    r.add_get(f"{p}/limits", get_limits)
    r.add_post(f"{p}/limits", set_limits)
    r.add_get(f"{p}/stats", stats)
    r.add_post(f"{p}/stats/reset", reset_stats)
    r.add_get(f"{p}/files/{{file_id}}", get_file)
    r.add_get("/", static)
    r.add_get("/static/{name}", static)
