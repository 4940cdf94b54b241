"""The Bot API methods: parameters in, ``result`` out, :class:`ApiError` with Telegram's texts."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.platforms.telegram.html_parse import EntityParseError, parse_html, strip_formatted
from bot.platforms.telegram.standin.state import (
    DEFAULT_ALLOWED,
    PLACEHOLDER_PNG,
    ApiError,
    BotAccount,
    Chat,
    StoredFile,
    World,
    bad_request,
    detect_entities,
)

__all__ = ["Params", "BotApi", "FileUpload", "SEND_METHODS"]

# Methods that post a message and count against the sending limits.
SEND_METHODS = frozenset(
    {
        "sendmessage", "sendphoto", "senddocument", "sendlocation", "sendvenue", "sendcontact",
        "sendvideo", "sendanimation", "sendaudio", "sendvoice", "sendsticker", "senddice",
        "sendpoll", "sendmediagroup", "copymessage", "forwardmessage", "sendvideonote",
    }
)

_BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
# Telegram finds no URLs, commands, mentions or hashtags inside these.
_OPAQUE = frozenset({"code", "pre", "text_link", "text_mention", "custom_emoji", "url", "email",
                     "mention", "hashtag", "bot_command", "cashtag", "phone_number"})


def _with_detected(text: str, entities: list[dict]) -> list[dict]:
    detected = detect_entities(text)
    if not detected:
        return entities
    opaque = [(e["offset"], e["offset"] + e["length"]) for e in entities if e["type"] in _OPAQUE]
    extra = [d for d in detected
             if not any(d["offset"] < end and start < d["offset"] + d["length"] for start, end in opaque)]
    if not extra:
        return entities
    return sorted(entities + extra, key=lambda e: (e["offset"], -e["length"]))


class FileUpload:
    """A file part of a multipart request."""

    def __init__(self, data: bytes, filename: str | None, content_type: str | None) -> None:
        self.data = data
        self.filename = filename
        self.content_type = content_type


class Params:
    """Method parameters from a query string, a form (values as aiogram encodes them:
    strings raw, everything else JSON) or a JSON body (typed values)."""

    def __init__(self, values: dict[str, Any], files: dict[str, FileUpload] | None = None) -> None:
        self.values = values
        self.files = files or {}

    def has(self, name: str) -> bool:
        v = self.values.get(name)
        return v is not None and v != ""

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def str(self, name: str, default: str | None = None) -> str | None:
        v = self.values.get(name)
        if v is None:
            return default
        if isinstance(v, str):
            return v
        if isinstance(v, FileUpload):
            return default
        return json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list, bool)) else str(v)

    def int(self, name: str, default: int | None = None, *, required: bool = False) -> int | None:
        v = self.values.get(name)
        if v is None or v == "":
            if required:
                raise bad_request(f"{name} is empty")
            return default
        if isinstance(v, bool):
            return int(v)
        try:
            return int(v)
        except (TypeError, ValueError):
            try:
                f = float(v)
            except (TypeError, ValueError):
                raise bad_request(f"invalid {name} specified") from None
            if f != int(f):
                raise bad_request(f"invalid {name} specified") from None
            return int(f)

    def float(self, name: str, *, required: bool = False) -> float | None:
        v = self.values.get(name)
        if v is None or v == "":
            if required:
                raise bad_request(f"{name} is empty")
            return None
        try:
            return float(v)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def bool(self, name: str, default: bool = False) -> bool:
        v = self.values.get(name)
        if v is None or v == "":
            return default
        if isinstance(v, str):
            return v.strip().lower() in ("true", "1", "yes", "on")
        return bool(v)

    def json(self, name: str, what: str | None = None) -> Any:
        v = self.values.get(name)
        if v is None or v == "":
            return None
        if isinstance(v, str):
            try:
                return json.loads(v)
            except ValueError:
                raise bad_request(f"can't parse {what or name} JSON object") from None
        return v

    def chat_id(self, name: str = "chat_id") -> Any:
        v = self.values.get(name)
        if v is None or v == "":
            raise bad_request(f"{name} is empty")
        if isinstance(v, str) and not v.startswith("@"):
            try:
                return int(v)
            except ValueError:
                raise bad_request("chat not found") from None
        return v


Method = Callable[[BotAccount, Params], Awaitable[Any]]


@dataclass(frozen=True)
class Described:
    """A result Telegram answers with a ``description`` beside it (``Webhook was set`` …)."""

    result: Any
    description: str


class BotApi:
    """Implements the methods on a :class:`World`. ``webhook_changed`` is called after
    setWebhook/deleteWebhook so the server can (re)start deliveries."""

    def __init__(self, world: World, webhook_changed: Callable[[BotAccount], None] | None = None,
                 allow_http_webhooks: bool = True) -> None:
        self.world = world
        self.webhook_changed = webhook_changed or (lambda bot: None)
        self.allow_http_webhooks = allow_http_webhooks
        self.methods: dict[str, Method] = {
            name[3:].lower(): getattr(self, name)
            for name in dir(self) if name.startswith("on_")
        }

    async def call(self, bot: BotAccount, method: str, params: Params) -> Any:
        """The method's result; a :class:`Described` result also carries Telegram's description."""
        impl = self.methods.get(method.lower())
        if impl is None:
            raise ApiError(404, "Not Found")
        return await impl(bot, params)

    # -- helpers ------------------------------------------------------------------------
    def _format(self, text: str | None, parse_mode: str | None, entities: Any,
                *, caption: bool) -> tuple[str, list[dict]]:
        text = text or ""
        if parse_mode:
            mode = parse_mode.strip().lower()
            if mode == "html":
                try:
                    text, ents = parse_html(text)
                except EntityParseError as err:
                    raise bad_request(f"can't parse entities: {err}") from None
            elif mode in ("markdown", "markdownv2"):
                ents = []  # accepted, not interpreted (see README of the stand-in)
            else:
                raise bad_request("unsupported parse_mode")
        else:
            ents = entities if isinstance(entities, list) else []
            ents = [e for e in ents if isinstance(e, dict) and "type" in e]
        text, ents = strip_formatted(text, ents)
        ents = _with_detected(text, ents)
        if caption:
            if len(text) > 1024:
                raise bad_request("message caption is too long")
        else:
            if not text:
                raise bad_request("message text is empty")
            if len(text) > 4096:
                raise bad_request("message is too long")
        return text, ents

    def _markup(self, params: Params) -> dict | None:
        markup = params.json("reply_markup", "reply keyboard markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays")
            clean_rows = []
            for row in rows:
                clean = []
                for button in row:
                    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                        raise bad_request("can't parse inline keyboard button: Field \"text\" must be of type String")
                    actions = [a for a in _BUTTON_ACTIONS if button.get(a) is not None]
                    if not actions:
                        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
                    if not button["text"].strip():
                        raise bad_request("BUTTON_TEXT_INVALID")
                    data = button.get("callback_data")
                    if data is not None and (not isinstance(data, str) or not data
                                             or len(data.encode("utf-8")) > 64):
                        raise bad_request("BUTTON_DATA_INVALID")
                    url = button.get("url")
                    if url is not None and not re.match(r"^(https?|tg)://\S+$", str(url)):
                        raise bad_request("BUTTON_URL_INVALID")
                    clean.append({k: v for k, v in button.items() if v is not None})
                clean_rows.append(clean)
            return {"inline_keyboard": clean_rows}
        if "keyboard" in markup:
            return self._reply_keyboard(markup)
        if "remove_keyboard" in markup:
            if markup["remove_keyboard"] is not True:
                raise bad_request("field \"remove_keyboard\" must be true")
            return {k: v for k, v in markup.items() if k in ("remove_keyboard", "selective")}
        if "force_reply" in markup:
            return markup
        raise bad_request("can't parse reply keyboard markup JSON object")

    @staticmethod
    def _reply_keyboard(markup: dict) -> dict:
        """A ``ReplyKeyboardMarkup``: rows of ``KeyboardButton`` (a string, or an object with
        ``text`` and at most one request: contact, location, poll, users, chat, web app)."""
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request("field \"keyboard\" of the ReplyKeyboardMarkup must be an Array of Arrays")
        clean_rows = []
        for row in rows:
            clean = []
            for button in row:
                if isinstance(button, str):
                    button = {"text": button}
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise bad_request("can't parse keyboard button: Field \"text\" must be of type String")
                if not button["text"].strip():
                    raise bad_request("BUTTON_TEXT_INVALID")
                requests = [k for k in ("request_contact", "request_location", "request_poll", "request_users",
                                        "request_chat", "web_app") if button.get(k)]
                if len(requests) > 1:
                    raise bad_request("can't parse keyboard button: only one request per button is allowed")
                clean.append({k: v for k, v in button.items() if v not in (None, False)})
            if clean:
                clean_rows.append(clean)
        if not clean_rows:
            raise bad_request("reply keyboard must not be empty")
        out = {"keyboard": clean_rows}
        for flag in ("is_persistent", "resize_keyboard", "one_time_keyboard", "selective"):
            if markup.get(flag):
                out[flag] = True
        if isinstance(markup.get("input_field_placeholder"), str):
            out["input_field_placeholder"] = markup["input_field_placeholder"][:64]
        return out

    def _reply_to(self, chat: Chat, params: Params) -> dict | None:
        rp = params.json("reply_parameters")
        mid: int | None = None
        allow = params.bool("allow_sending_without_reply")
        if isinstance(rp, dict) and rp.get("message_id") is not None:
            try:
                mid = int(rp["message_id"])
            except (TypeError, ValueError):
                raise bad_request("invalid reply_parameters specified") from None
            allow = bool(rp.get("allow_sending_without_reply", allow))
            other = rp.get("chat_id")
            if other is not None and str(other) != str(chat.id):
                # Replies to another chat: Telegram quotes it; we only keep same-chat replies.
                return None
        else:
            mid = params.int("reply_to_message_id")
        if mid is None:
            return None
        target = self.world.reply_target(chat, mid)
        if target is None and not allow:
            raise bad_request("message to be replied not found")
        return target

    def _send(self, bot: BotAccount, chat: Chat, params: Params, content: dict) -> dict:
        world = self.world
        target = self._reply_to(chat, params)
        markup = self._markup(params)
        wait = bot.limiter.check(chat.id, chat.is_private)
        if wait:
            world.too_many_requests += 1
            raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        message: dict[str, Any] = {
            "message_id": chat.take_message_id(),
            "from": bot.user_dict(),
            "chat": chat.to_dict(),
            "date": world.now(),
        }
        if target is not None:
            message["reply_to_message"] = target
        message.update(content)
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        world.store_message(chat, message, from_bot=True)
        extra = {"keyboard": markup} if markup is not None and "inline_keyboard" not in markup else {}
        if markup is not None and "keyboard" in markup:
            chat.keyboard = markup
        elif markup is not None and "remove_keyboard" in markup:
            chat.keyboard = None
        world.emit("sent", chat_id=chat.id, bot_id=bot.id, message_id=message["message_id"],
                   message=message, **extra)
        return message

    def _file(self, params: Params, name: str, kind: str) -> StoredFile:
        world = self.world
        value = params.raw(name)
        upload: FileUpload | None = None
        if isinstance(value, FileUpload):
            upload = value
        elif isinstance(value, str) and value.startswith("attach://"):
            upload = params.files.get(value[len("attach://"):])
            if upload is None:
                raise bad_request(f"wrong file identifier/HTTP URL specified")
        elif value is None or value == "":
            upload = params.files.get(name)
            if upload is None:
                raise bad_request(f"there is no {name} in the request")
        if upload is not None:
            if not upload.data:
                raise bad_request("file must be non-empty")
            return world.store_file(upload.data, kind, mime_type=upload.content_type,
                                    file_name=upload.filename)
        assert isinstance(value, str)
        existing = world.files.get(value)
        if existing is not None:
            return existing
        if re.match(r"^https?://\S+$", value):
            return world.store_file(PLACEHOLDER_PNG, kind, source_url=value,
                                    file_name=value.rsplit("/", 1)[-1] or None)
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _message_for_edit(self, bot: BotAccount, params: Params) -> tuple[Chat, dict]:
        if params.has("inline_message_id"):
            raise bad_request("inline messages are not supported by the stand-in")
        chat = self.world.chat_for_bot(bot, params.chat_id())
        mid = params.int("message_id", required=True)
        message = chat.messages.get(mid)  # type: ignore[arg-type]
        if message is None:
            raise bad_request("message to edit not found")
        if message.get("from", {}).get("id") != bot.id:
            raise bad_request("message can't be edited")
        return chat, message

    def _edited(self, bot: BotAccount, chat: Chat, old: dict, changes: dict,
                markup: dict | None) -> dict:
        new = {k: v for k, v in old.items() if k not in ("reply_markup", "edit_date")}
        for k, v in changes.items():
            if v is None:
                new.pop(k, None)
            else:
                new[k] = v
        if markup is not None and "inline_keyboard" in markup:
            new["reply_markup"] = markup
        same = all(old.get(k) == new.get(k) for k in set(old) | set(new) if k != "edit_date")
        if same:
            raise bad_request(_NOT_MODIFIED)
        new["edit_date"] = self.world.now()
        self.world.replace_message(chat, new)
        self.world.emit("edited", chat_id=chat.id, bot_id=bot.id, message_id=new["message_id"],
                        message=new)
        return new

    # -- methods ------------------------------------------------------------------------
    async def on_getMe(self, bot: BotAccount, p: Params) -> dict:
        return bot.me()

    async def on_logOut(self, bot: BotAccount, p: Params) -> bool:
        return True

    async def on_close(self, bot: BotAccount, p: Params) -> bool:
        return True

    async def on_getUpdates(self, bot: BotAccount, p: Params) -> list:
        world = self.world
        if bot.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        allowed = p.json("allowed_updates")
        if isinstance(allowed, list):
            bot.allowed = frozenset(allowed) if allowed else DEFAULT_ALLOWED
        offset = p.int("offset", 0) or 0
        limit = max(1, min(100, p.int("limit", 100) or 100))
        timeout = max(0, min(p.int("timeout", 0) or 0, 600))
        if offset:
            bot.confirm(offset)
        bot.poll_generation += 1
        generation = bot.poll_generation
        bot.notify()  # an older pending getUpdates learns it was superseded
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != bot.poll_generation:
                raise ApiError(409, "Conflict: terminated by other getUpdates request; "
                                    "make sure that only one bot instance is running")
            if bot.webhook is not None:
                raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                    "use deleteWebhook to delete the webhook first")
            if bot.updates or bot.redeliver:
                batch = list(bot.redeliver)
                bot.redeliver.clear()
                for uid, update in bot.updates:
                    batch.append(update)
                    if len(batch) >= limit:
                        break
                return batch
            remaining = deadline - loop.time()
            if remaining <= 0 or world.closing:
                return []
            signal = bot.signal
            try:
                await asyncio.wait_for(signal.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    async def on_setWebhook(self, bot: BotAccount, p: Params) -> Described:
        url = (p.str("url") or "").strip()
        if not url:
            return await self.on_deleteWebhook(bot, p)
        if not re.match(r"^https?://[^\s/]+", url) or (url.startswith("http:") and not self.allow_http_webhooks):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.str("secret_token")
        if secret is not None and not re.match(r"^[A-Za-z0-9_-]{1,256}$", secret):
            raise bad_request("bad webhook: secret token contains unallowed characters")
        max_conn = max(1, min(100, p.int("max_connections", 40) or 40))
        if p.bool("drop_pending_updates"):
            bot.confirm(bot.next_update_id)
        allowed = p.json("allowed_updates")
        if isinstance(allowed, list):
            bot.allowed = frozenset(allowed) if allowed else DEFAULT_ALLOWED
        hook = {"url": url, "secret_token": secret, "max_connections": max_conn}
        if bot.webhook == hook:  # as Telegram: the same webhook again changes nothing
            return Described(True, "Webhook is already set")
        bot.webhook = hook
        bot.webhook_error = None
        bot.notify()
        self.webhook_changed(bot)
        return Described(True, "Webhook was set")

    async def on_deleteWebhook(self, bot: BotAccount, p: Params) -> Described:
        if p.bool("drop_pending_updates"):
            bot.confirm(bot.next_update_id)
        if bot.webhook is None:
            return Described(True, "Webhook is already deleted")
        bot.webhook = None
        bot.webhook_error = None
        self.webhook_changed(bot)
        self.world.emit("webhook_deleted", bot_id=bot.id)
        return Described(True, "Webhook was deleted")

    async def on_getWebhookInfo(self, bot: BotAccount, p: Params) -> dict:
        info: dict[str, Any] = {"url": "", "has_custom_certificate": False,
                                "pending_update_count": len(bot.updates)}
        if bot.webhook is not None:
            info["url"] = bot.webhook["url"]
            info["max_connections"] = bot.webhook["max_connections"]
            if bot.allowed != DEFAULT_ALLOWED:
                info["allowed_updates"] = sorted(bot.allowed)
            if bot.webhook_error is not None:
                info["last_error_date"], info["last_error_message"] = bot.webhook_error
        return info

    async def on_sendMessage(self, bot: BotAccount, p: Params) -> dict:
        chat = self.world.chat_for_bot(bot, p.chat_id())
        text, entities = self._format(p.str("text"), p.str("parse_mode"), p.json("entities"),
                                      caption=False)
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = entities
        return self._send(bot, chat, p, content)

    async def _send_media(self, bot: BotAccount, p: Params, field: str, kind: str) -> dict:
        chat = self.world.chat_for_bot(bot, p.chat_id())
        caption, entities = self._format(p.str("caption"), p.str("parse_mode"),
                                         p.json("caption_entities"), caption=True)
        stored = self._file(p, field, kind)
        content: dict[str, Any] = {}
        if field == "photo":
            content["photo"] = stored.photo_sizes()
        else:
            content["document"] = stored.document_dict()
        if caption:
            content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
        return self._send(bot, chat, p, content)

    async def on_sendPhoto(self, bot: BotAccount, p: Params) -> dict:
        return await self._send_media(bot, p, "photo", "photos")

    async def on_sendDocument(self, bot: BotAccount, p: Params) -> dict:
        return await self._send_media(bot, p, "document", "documents")

    async def on_sendLocation(self, bot: BotAccount, p: Params) -> dict:
        chat = self.world.chat_for_bot(bot, p.chat_id())
        lat = p.float("latitude", required=True)
        lon = p.float("longitude", required=True)
        if not (-90 <= lat <= 90) or not (-180 <= lon <= 180):  # type: ignore[operator]
            raise bad_request("wrong latitude or longitude specified")
        return self._send(bot, chat, p, {"location": {"latitude": lat, "longitude": lon}})

    async def on_editMessageText(self, bot: BotAccount, p: Params) -> dict:
        chat, old = self._message_for_edit(bot, p)
        if "text" not in old:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._format(p.str("text"), p.str("parse_mode"), p.json("entities"),
                                      caption=False)
        markup = self._markup(p)
        return self._edited(bot, chat, old, {"text": text, "entities": entities or None}, markup)

    async def on_editMessageCaption(self, bot: BotAccount, p: Params) -> dict:
        chat, old = self._message_for_edit(bot, p)
        if "photo" not in old and "document" not in old:
            raise bad_request("there is no caption in the message to edit")
        caption, entities = self._format(p.str("caption"), p.str("parse_mode"),
                                         p.json("caption_entities"), caption=True)
        markup = self._markup(p)
        return self._edited(bot, chat, old, {"caption": caption or None,
                                             "caption_entities": entities or None}, markup)

    async def on_editMessageReplyMarkup(self, bot: BotAccount, p: Params) -> dict:
        chat, old = self._message_for_edit(bot, p)
        markup = self._markup(p)
        return self._edited(bot, chat, old, {}, markup)

    async def on_deleteMessage(self, bot: BotAccount, p: Params) -> bool:
        chat = self.world.chat_for_bot(bot, p.chat_id())
        mid = p.int("message_id", required=True)
        if chat.messages.pop(mid, None) is None:  # type: ignore[arg-type]
            raise bad_request("message to delete not found")
        self.world.emit("deleted", chat_id=chat.id, bot_id=bot.id, message_id=mid)
        return True

    async def on_answerCallbackQuery(self, bot: BotAccount, p: Params) -> bool:
        world = self.world
        qid = p.str("callback_query_id")
        if not qid:
            raise bad_request("callback_query_id is empty")
        record = world.callbacks.get(qid)
        if record is None or record.bot_id != bot.id or record.answer is not None:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        text = p.str("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        record.answer = {"text": text, "show_alert": p.bool("show_alert"), "url": p.str("url"),
                         "cache_time": p.int("cache_time", 0)}
        world.emit("answered", chat_id=record.chat_id, bot_id=bot.id, message_id=record.message_id,
                   user_id=record.user_id, callback_query_id=qid, data=record.data,
                   answer=record.answer)
        return True

    async def on_sendChatAction(self, bot: BotAccount, p: Params) -> bool:
        self.world.chat_for_bot(bot, p.chat_id())
        if not p.str("action"):
            raise bad_request("action is empty")
        return True

    async def on_getChat(self, bot: BotAccount, p: Params) -> dict:
        chat = self.world.chat_for_bot(bot, p.chat_id(), lenient=True)
        if not chat.is_private and not chat.has_bot(bot.id):
            raise bad_request("chat not found")
        info = dict(chat.to_dict())
        info.update(accent_color_id=0, max_reaction_count=11,
                    accepted_gift_types={"unlimited_gifts": False, "limited_gifts": False,
                                         "unique_gifts": False, "premium_subscription": False,
                                         "gifts_from_channels": False})
        return info

    def _member(self, bot: BotAccount, chat: Chat, user_id: int) -> dict:
        world = self.world
        if user_id == bot.id:
            user = bot.user_dict()
            if chat.is_private:
                return {"status": "member", "user": user}
            return self._admin(user, can_be_edited=False)
        u = world.users.get(user_id)
        if u is None:
            raise bad_request("user not found")
        user = u.to_dict()
        if chat.is_private:
            if user_id != chat.id:
                raise bad_request("user not found")
            return {"status": "member", "user": user}
        if chat.owner == user_id:
            return {"status": "creator", "user": user, "is_anonymous": False}
        if user_id in chat.admins:
            return self._admin(user, can_be_edited=True)
        if user_id in chat.members:
            return {"status": "member", "user": user}
        return {"status": "left", "user": user}

    @staticmethod
    def _admin(user: dict, can_be_edited: bool) -> dict:
        rights = dict.fromkeys(
            ("can_manage_chat", "can_delete_messages", "can_manage_video_chats",
             "can_restrict_members", "can_promote_members", "can_change_info",
             "can_invite_users", "can_post_stories", "can_edit_stories", "can_delete_stories",
             "can_send_welcome_messages", "can_pin_messages"), True)
        return {"status": "administrator", "user": user, "can_be_edited": can_be_edited,
                "is_anonymous": False, **rights}

    async def on_getChatMember(self, bot: BotAccount, p: Params) -> dict:
        chat = self.world.chat_for_bot(bot, p.chat_id(), lenient=True)
        return self._member(bot, chat, p.int("user_id", required=True))  # type: ignore[arg-type]

    async def on_getChatAdministrators(self, bot: BotAccount, p: Params) -> list:
        chat = self.world.chat_for_bot(bot, p.chat_id(), lenient=True)
        if chat.is_private:
            raise bad_request("there are no administrators in the private chat")
        ids = ([chat.owner] if chat.owner is not None else []) + sorted(chat.admins - {chat.owner})
        return [self._member(bot, chat, uid) for uid in ids] + [self._member(bot, chat, bot.id)]

    async def on_getChatMemberCount(self, bot: BotAccount, p: Params) -> int:
        chat = self.world.chat_for_bot(bot, p.chat_id(), lenient=True)
        if chat.is_private:
            return 2
        return len(chat.members) + len(self.world.bots_in(chat))

    @staticmethod
    def _commands_key(p: Params) -> str:
        scope = p.json("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True) + "|" + (p.str("language_code") or "")

    async def on_setMyCommands(self, bot: BotAccount, p: Params) -> bool:
        commands = p.json("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        clean = []
        for c in commands:
            if not isinstance(c, dict) or not _COMMAND_NAME.match(str(c.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            desc = c.get("description")
            if not isinstance(desc, str) or not 1 <= len(desc) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            clean.append({"command": c["command"], "description": desc})
        bot.commands[self._commands_key(p)] = clean
        return True

    async def on_getMyCommands(self, bot: BotAccount, p: Params) -> list:
        return bot.commands.get(self._commands_key(p), [])

    async def on_deleteMyCommands(self, bot: BotAccount, p: Params) -> bool:
        bot.commands.pop(self._commands_key(p), None)
        return True

    async def on_getFile(self, bot: BotAccount, p: Params) -> dict:
        record = self.world.files.get(p.str("file_id") or "")
        if record is None:
            raise bad_request("wrong file_id or the file is temporarily unavailable")
        return record.file_dict()

    async def _noop(self, bot: BotAccount, p: Params) -> bool:
        return True

    on_setMyDescription = on_setMyShortDescription = on_setMyName = _noop
    on_setChatMenuButton = on_setMyDefaultAdministratorRights = _noop
