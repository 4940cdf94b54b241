"""The stand-in's world: bots, users, chats, messages, update queues, files and the event log.

Everything lives in memory and is touched only from the server's event loop. Every lookup is
by id (dicts per chat, a deque per bot), so the cost of a request does not grow with history.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import re
import secrets
import struct
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from bot.platforms.telegram.html_parse import utf16_len
from bot.platforms.telegram.standin.limits import Limits, RateLimiter

__all__ = [
    "ApiError", "ControlError", "World", "BotAccount", "User", "Chat", "StoredFile",
    "bad_request", "forbidden", "PLACEHOLDER_PNG",
]

DEFAULT_ALLOWED = frozenset(
    {
        "message", "edited_message", "channel_post", "edited_channel_post", "inline_query",
        "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query",
        "poll", "poll_answer", "my_chat_member", "chat_join_request", "chat_boost",
        "removed_chat_boost", "business_connection", "business_message",
        "edited_business_message", "deleted_business_messages", "purchased_paid_media",
    }
)

# A 1x1 grey PNG: what a photo "downloaded" from a URL looks like (the stand-in never fetches).
PLACEHOLDER_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mO8+x8AAr8B3gzOjaQAAAAASUVORK5CYII="
)


class ApiError(Exception):
    """A Bot API error answer: ``{"ok": false, "error_code": code, "description": ...}``."""

    def __init__(self, code: int, description: str, retry_after: int | None = None,
                 migrate_to_chat_id: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def to_dict(self) -> dict:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        if self.migrate_to_chat_id is not None:
            body["parameters"] = {"migrate_to_chat_id": self.migrate_to_chat_id}
        return body


def bad_request(message: str) -> ApiError:
    return ApiError(400, f"Bad Request: {message}")


def forbidden(message: str) -> ApiError:
    return ApiError(403, f"Forbidden: {message}")


class ControlError(Exception):
    """A refused control-API call (HTTP ``status``, JSON ``{"error": message}``)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class User:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "zh-hans"
    phone_number: str | None = None  # the account's number: what its request-contact button shares

    def to_dict(self) -> dict:
        d: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            d["last_name"] = self.last_name
        if self.username:
            d["username"] = self.username
        if self.language_code:
            d["language_code"] = self.language_code
        return d


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    path: str
    data: bytes
    source_url: str | None = None
    mime_type: str | None = None
    file_name: str | None = None
    width: int = 0
    height: int = 0

    def file_dict(self) -> dict:
        return {"file_id": self.file_id, "file_unique_id": self.file_unique_id,
                "file_size": len(self.data), "file_path": self.path}

    def photo_sizes(self) -> list[dict]:
        return [{"file_id": self.file_id, "file_unique_id": self.file_unique_id,
                 "file_size": len(self.data), "width": self.width, "height": self.height}]

    def document_dict(self) -> dict:
        d = {"file_id": self.file_id, "file_unique_id": self.file_unique_id, "file_size": len(self.data)}
        if self.file_name:
            d["file_name"] = self.file_name
        if self.mime_type:
            d["mime_type"] = self.mime_type
        return d


@dataclass
class CallbackRecord:
    id: str
    bot_id: int
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answer: dict | None = None

    def to_dict(self) -> dict:
        return {"id": self.id, "bot_id": self.bot_id, "user_id": self.user_id,
                "chat_id": self.chat_id, "message_id": self.message_id, "data": self.data,
                "answered": self.answer is not None, "answer": self.answer}


class Chat:
    """A group/supergroup (shared by all bots in it) or one bot's private chat with a user."""

    def __init__(self, chat_id: int, type_: str, *, title: str | None = None,
                 user: User | None = None, bot_id: int | None = None,
                 username: str | None = None) -> None:
        self.id = chat_id
        self.type = type_
        self.title = title
        self.user = user
        self.bot_id = bot_id  # private chats: whose
        self.username = username
        self.members: set[int] = set()
        self.admins: set[int] = set()
        self.owner: int | None = None
        self.bot_ids: set[int] | None = None  # groups: None = every bot is a member
        self.migrated_to: int | None = None  # a group upgraded to this supergroup
        self.started = False
        self.blocked = False
        # the reply keyboard the bot last sent here (``ReplyKeyboardMarkup``): Telegram keeps it in
        # the user's view of the chat, not in any message, until a ``ReplyKeyboardRemove``
        self.keyboard: dict | None = None
        self.messages: dict[int, dict] = {}
        self.next_message_id = 1
        self.chat_instance = str(secrets.randbits(62))
        self.from_bot = 0
        self.from_users = 0
        self._dict: dict | None = None

    @property
    def is_private(self) -> bool:
        return self.type == "private"

    def has_bot(self, bot_id: int) -> bool:
        if self.is_private:
            return self.bot_id == bot_id
        return self.bot_ids is None or bot_id in self.bot_ids

    def to_dict(self) -> dict:
        if self._dict is None:
            if self.is_private:
                assert self.user is not None
                d: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.user.first_name}
                if self.user.last_name:
                    d["last_name"] = self.user.last_name
                if self.user.username:
                    d["username"] = self.user.username
            else:
                d = {"id": self.id, "type": self.type, "title": self.title or ""}
                if self.username:
                    d["username"] = self.username
            self._dict = d
        return self._dict

    def take_message_id(self) -> int:
        mid = self.next_message_id
        self.next_message_id += 1
        return mid

    def summary(self) -> dict:
        d = dict(self.to_dict())
        last = next(reversed(self.messages.values()), None) if self.messages else None
        d["message_count"] = len(self.messages)
        d["last_message"] = last
        d["keyboard"] = self.keyboard
        if self.is_private:
            d["bot_id"] = self.bot_id
            d["user_id"] = self.user.id if self.user else None
            d["started"] = self.started
            d["blocked"] = self.blocked
        else:
            d["members"] = sorted(self.members)
            d["admins"] = sorted(self.admins)
            d["owner"] = self.owner
            d["bot_ids"] = None if self.bot_ids is None else sorted(self.bot_ids)
            if self.migrated_to is not None:
                d["migrated_to"] = self.migrated_to
        return d


class BotAccount:
    def __init__(self, token: str, bot_id: int, username: str, first_name: str,
                 limiter: RateLimiter) -> None:
        self.token = token
        self.id = bot_id
        self.username = username
        self.first_name = first_name
        self.limiter = limiter
        self.updates: deque[tuple[int, dict]] = deque()
        self.next_update_id = 1
        self.allowed: frozenset[str] = DEFAULT_ALLOWED
        self.poll_generation = 0
        self.webhook: dict | None = None  # url, secret_token, max_connections, ...
        self.webhook_task: asyncio.Task | None = None
        self.webhook_error: tuple[int, str] | None = None
        self.commands: dict[str, list] = {}
        self.recent: dict[int, dict] = {}  # the last updates queued, for redelivery
        self.redeliver: deque[dict] = deque()  # returned once more by the next getUpdates
        self._signal = asyncio.Event()
        self.confirmed = 0

    def user_dict(self) -> dict:
        return {"id": self.id, "is_bot": True, "first_name": self.first_name, "username": self.username}

    def me(self) -> dict:
        d = self.user_dict()
        d.update(can_join_groups=True, can_read_all_group_messages=True,
                 supports_inline_queries=False, can_connect_to_business=False,
                 has_main_web_app=False)
        return d

    def notify(self) -> None:
        signal, self._signal = self._signal, asyncio.Event()
        signal.set()

    @property
    def signal(self) -> asyncio.Event:
        return self._signal

    def confirm(self, offset: int) -> None:
        """Forget updates before ``offset`` (negative: keep only the last ``-offset``)."""
        q = self.updates
        if offset < 0:
            while len(q) > -offset:
                q.popleft()
                self.confirmed += 1
            return
        while q and q[0][0] < offset:
            q.popleft()
            self.confirmed += 1

    def info(self) -> dict:
        d = self.user_dict()
        d["token"] = self.token
        d["pending_updates"] = len(self.updates)
        d["webhook_url"] = self.webhook["url"] if self.webhook else ""
        return d


_TOKEN_RE = re.compile(r"^(\d{1,20}):[A-Za-z0-9_-]{1,100}$")
_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])")
_MENTION_RE = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}(?!\w)")
_HASHTAG_RE = re.compile(r"(?<![\w#])#\w*[^\W\d]\w*")
_URL_RE = re.compile(r"(?<![\w/])https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]}）。，；：！？]")


def detect_entities(text: str) -> list[dict]:
    """The entities Telegram finds in a user's plain text: commands, mentions, hashtags, URLs."""
    if not text:
        return []
    found: list[tuple[int, int, str]] = []
    for regex, kind in ((_COMMAND_RE, "bot_command"), (_MENTION_RE, "mention"),
                        (_HASHTAG_RE, "hashtag"), (_URL_RE, "url")):
        if kind == "bot_command" and "/" not in text:
            continue
        if kind == "mention" and "@" not in text:
            continue
        if kind == "hashtag" and "#" not in text:
            continue
        if kind == "url" and "://" not in text:
            continue
        for m in regex.finditer(text):
            found.append((m.start(), m.end(), kind))
    found.sort()
    out: list[dict] = []
    last_end = -1
    ascii_text = text.isascii()
    for start, end, kind in found:
        if start < last_end:
            continue
        last_end = end
        if ascii_text:
            offset, length = start, end - start
        else:
            offset, length = utf16_len(text[:start]), utf16_len(text[start:end])
        out.append({"type": kind, "offset": offset, "length": length})
    return out


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, GIF or JPEG; (0, 0) when unknown."""
    try:
        if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
            return struct.unpack(">II", data[16:24])
        if data[:6] in (b"GIF87a", b"GIF89a"):
            return struct.unpack("<HH", data[6:10])
        if data[:2] == b"\xff\xd8":
            i = 2
            while i + 9 < len(data):
                if data[i] != 0xFF:
                    i += 1
                    continue
                marker = data[i + 1]
                if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                    i += 2
                    continue
                seg_len = struct.unpack(">H", data[i + 2 : i + 4])[0]
                if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                    h, w = struct.unpack(">HH", data[i + 5 : i + 9])
                    return w, h
                i += 2 + seg_len
    except struct.error:
        pass
    return 0, 0


def _shallow(message: dict) -> dict:
    """A message as it appears inside ``reply_to_message`` (no nested reply)."""
    if "reply_to_message" not in message:
        return message
    return {k: v for k, v in message.items() if k != "reply_to_message"}


class World:
    """All state of one stand-in server."""

    def __init__(self, limits: Limits | None = None,
                 time_source: Callable[[], float] = time.monotonic,
                 wall_clock: Callable[[], float] = time.time,
                 bot_username: str = "hgj_demo_bot",
                 bot_first_name: str = "红管家",
                 max_events: int = 200_000) -> None:
        self.limits = limits if limits is not None else Limits()
        self.time_source = time_source
        self.wall_clock = wall_clock
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.max_events = max_events
        self.bots_by_token: dict[str, BotAccount] = {}
        self.bots: dict[int, BotAccount] = {}
        self.users: dict[int, User] = {}
        self.users_by_name: dict[str, User] = {}
        self.groups: dict[int, Chat] = {}
        self.groups_by_name: dict[str, Chat] = {}
        self.privates: dict[tuple[int, int], Chat] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.callbacks: dict[str, CallbackRecord] = {}
        self._events: list[dict] = []
        self._events_base = 1  # seq of self._events[0]
        self._seq = 0
        self._event_signal = asyncio.Event()
        self._user_ids = itertools.count(10001)
        self._group_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self.closing = False
        # statistics
        self.requests: Counter[str] = Counter()
        self.errors: Counter[int] = Counter()
        self.too_many_requests = 0
        self.updates_queued = 0
        self.webhook_deliveries = 0
        self.webhook_failures = 0

    # -- time -------------------------------------------------------------------------------
    def now(self) -> int:
        return int(self.wall_clock())

    # -- events -----------------------------------------------------------------------------
    @property
    def cursor(self) -> int:
        return self._seq

    def emit(self, type_: str, **fields: Any) -> int:
        self._seq += 1
        fields["seq"] = self._seq
        fields["type"] = type_
        self._events.append(fields)
        if len(self._events) > self.max_events:
            drop = len(self._events) // 2
            del self._events[:drop]
            self._events_base += drop
        signal, self._event_signal = self._event_signal, asyncio.Event()
        signal.set()
        return self._seq

    def events_after(self, after: int) -> list[dict]:
        start = max(0, after + 1 - self._events_base)
        return self._events[start:]

    async def wait_events(self, after: int, wait: float,
                          match: Callable[[dict], bool] | None = None,
                          limit: int = 1000) -> tuple[list[dict], int]:
        """Events after ``after`` that ``match``, waiting up to ``wait`` s for the first one."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, wait)
        cursor = after
        while True:
            found: list[dict] = []
            for ev in self.events_after(cursor):
                cursor = ev["seq"]
                if match is None or match(ev):
                    found.append(ev)
                    if len(found) >= limit:
                        return found, cursor
            cursor = max(cursor, self._seq)
            if found or self.closing:
                return found, cursor
            remaining = deadline - loop.time()
            if remaining <= 0:
                return found, cursor
            signal = self._event_signal
            try:
                await asyncio.wait_for(signal.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    def wake_all(self) -> None:
        self.closing = True
        signal, self._event_signal = self._event_signal, asyncio.Event()
        signal.set()
        for bot in self.bots.values():
            bot.notify()

    # -- bots -------------------------------------------------------------------------------
    def add_bot(self, token: str, username: str | None = None,
                first_name: str | None = None) -> BotAccount:
        m = _TOKEN_RE.match(token)
        if not m:
            raise ControlError(400, "a token looks like 123456:ABC-def")
        existing = self.bots_by_token.get(token)
        if existing is not None:
            return existing
        bot_id = int(m.group(1))
        if bot_id in self.bots:
            raise ControlError(409, f"another token already uses bot id {bot_id}")
        if username is None:
            username = self.bot_username if not self.bots else f"{self.bot_username.removesuffix('_bot')}{bot_id}_bot"
        bot = BotAccount(token, bot_id, username, first_name or self.bot_first_name,
                         RateLimiter(self.limits, self.time_source))
        self.bots_by_token[token] = bot
        self.bots[bot_id] = bot
        self.emit("bot", bot=bot.user_dict())
        return bot

    def bot_for_token(self, token: str) -> BotAccount | None:
        bot = self.bots_by_token.get(token)
        if bot is None:
            m = _TOKEN_RE.match(token)
            if not m or int(m.group(1)) in self.bots:
                return None
            bot = self.add_bot(token)
        return bot

    def find_bot(self, ref: Any = None) -> BotAccount:
        if ref in (None, ""):
            if not self.bots:
                raise ControlError(409, "no bot yet: register a token (POST /_standin/bots) or let the bot call getMe")
            return next(iter(self.bots.values()))
        if isinstance(ref, str):
            if ref in self.bots_by_token:
                return self.bots_by_token[ref]
            for bot in self.bots.values():
                if bot.username == ref.lstrip("@"):
                    return bot
            if ref.lstrip("-").isdigit():
                ref = int(ref)
        if isinstance(ref, int) and ref in self.bots:
            return self.bots[ref]
        raise ControlError(404, f"unknown bot {ref!r}")

    def set_limits(self, changes: dict) -> Limits:
        try:
            new = self.limits.updated(changes)
        except (ValueError, TypeError) as err:
            raise ControlError(400, str(err)) from None
        self.limits = new
        for bot in self.bots.values():
            bot.limiter.limits = new
        return new

    # -- users and chats --------------------------------------------------------------------
    def add_user(self, first_name: str, username: str | None = None, user_id: int | None = None,
                 last_name: str | None = None, language_code: str | None = "zh-hans",
                 phone_number: str | None = None) -> User:
        if not first_name:
            raise ControlError(400, "first_name is required")
        if phone_number is not None and not re.fullmatch(r"\+?\d{5,20}", str(phone_number)):
            raise ControlError(400, "phone_number is digits, optionally after +")
        if user_id is None:
            user_id = next(self._user_ids)
            while user_id in self.users or user_id in self.bots:
                user_id = next(self._user_ids)
        elif user_id <= 0:
            raise ControlError(400, "user ids are positive")
        elif user_id in self.users:
            raise ControlError(409, f"user {user_id} exists")
        if username:
            username = username.lstrip("@")
            if username.lower() in self.users_by_name:
                raise ControlError(409, f"username @{username} is taken")
        user = User(user_id, first_name, last_name, username or None, language_code,
                    str(phone_number) if phone_number else None)
        self.users[user_id] = user
        if username:
            self.users_by_name[username.lower()] = user
        self.emit("user", user=user.to_dict())
        return user

    def user(self, user_id: Any) -> User:
        try:
            uid = int(user_id)
        except (TypeError, ValueError):
            raise ControlError(400, f"bad user id {user_id!r}") from None
        user = self.users.get(uid)
        if user is None:
            raise ControlError(404, f"unknown user {uid}")
        return user

    def add_group(self, title: str, members: Iterable[int] = (), chat_id: int | None = None,
                  type_: str = "supergroup", admins: Iterable[int] = (), owner: int | None = None,
                  username: str | None = None, bots: Iterable[Any] | None = None) -> Chat:
        if type_ not in ("group", "supergroup"):
            raise ControlError(400, "type is group or supergroup")
        if not title:
            raise ControlError(400, "title is required")
        if chat_id is None:
            while True:
                n = next(self._group_ids)
                chat_id = -(1000000000000 + n) if type_ == "supergroup" else -(4000000000 + n)
                if chat_id not in self.groups:
                    break
        elif chat_id >= 0:
            raise ControlError(400, "group ids are negative")
        elif chat_id in self.groups:
            raise ControlError(409, f"chat {chat_id} exists")
        chat = Chat(chat_id, type_, title=title, username=username)
        for uid in members:
            chat.members.add(self.user(uid).id)
        for uid in admins:
            chat.admins.add(self.user(uid).id)
            chat.members.add(int(uid))
        if owner is not None:
            chat.owner = self.user(owner).id
            chat.members.add(chat.owner)
        if bots is not None:
            chat.bot_ids = {self.find_bot(ref).id for ref in bots}
        self.groups[chat_id] = chat
        if username:
            self.groups_by_name[username.lower()] = chat
        self.emit("chat", chat=chat.summary())
        return chat

    def add_member(self, chat_id: int, user_id: int) -> Chat:
        chat = self.groups.get(int(chat_id))
        if chat is None:
            raise ControlError(404, f"unknown group {chat_id}")
        chat.members.add(self.user(user_id).id)
        self.emit("chat", chat=chat.summary())
        return chat

    def migrate_group(self, chat_id: Any, new_id: int | None = None, by: Any = None) -> tuple[Chat, Chat, list[int]]:
        """Upgrade a group to a supergroup, as Telegram does: a new chat id, the same title,
        members, admins and bots; the old id answers 400 ``group chat was upgraded to a
        supergroup chat`` with ``migrate_to_chat_id``; the bots get a service message in each
        (``migrate_to_chat_id`` in the old, ``migrate_from_chat_id`` in the new)."""
        old = self.control_chat(chat_id)
        if old.is_private or old.type != "group":
            raise ControlError(400, "only a group (not a supergroup) is upgraded")
        if old.migrated_to is not None:
            raise ControlError(409, f"chat {old.id} was already upgraded to {old.migrated_to}")
        user = self.user(by) if by is not None else (self.users.get(old.owner) if old.owner else None)
        new = self.add_group(old.title or "", members=old.members, chat_id=new_id, type_="supergroup",
                             admins=old.admins, owner=old.owner,
                             bots=None if old.bot_ids is None else sorted(old.bot_ids))
        old.migrated_to = new.id
        update_ids: list[int] = []
        for chat, field_, other in ((old, "migrate_to_chat_id", new.id), (new, "migrate_from_chat_id", old.id)):
            message: dict[str, Any] = {"message_id": chat.take_message_id(), "chat": chat.to_dict(),
                                       "date": self.now(), field_: other}
            if user is not None:
                message["from"] = user.to_dict()
            chat.messages[message["message_id"]] = message
            for bot in self.bots_in(chat):
                uid = self.enqueue(bot, "message", message)
                if uid is not None:
                    update_ids.append(uid)
        self.emit("chat", chat=old.summary())
        self.emit("migrated", chat_id=old.id, new_chat_id=new.id)
        return old, new, update_ids

    def writable(self, chat: Chat) -> Chat:
        """A chat users may write or tap in (not a group that became a supergroup)."""
        if chat.migrated_to is not None:
            raise ControlError(409, f"chat {chat.id} was upgraded to supergroup {chat.migrated_to}")
        return chat

    def private_chat(self, bot: BotAccount, user: User) -> Chat:
        key = (bot.id, user.id)
        chat = self.privates.get(key)
        if chat is None:
            chat = Chat(user.id, "private", user=user, bot_id=bot.id)
            self.privates[key] = chat
        return chat

    def control_chat(self, chat_id: Any, bot_ref: Any = None) -> Chat:
        """The chat a control call names (private chats: of the given or default bot)."""
        try:
            cid = int(chat_id)
        except (TypeError, ValueError):
            raise ControlError(400, f"bad chat id {chat_id!r}") from None
        if cid < 0:
            chat = self.groups.get(cid)
            if chat is None:
                raise ControlError(404, f"unknown chat {cid}")
            return chat
        user = self.user(cid)
        return self.private_chat(self.find_bot(bot_ref), user)

    def chat_for_bot(self, bot: BotAccount, chat_id: Any, *, lenient: bool = False) -> Chat:
        """Resolve a Bot API ``chat_id`` with Telegram's errors."""
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            chat = self.groups_by_name.get(chat_id[1:].lower())
            if chat is None:
                raise bad_request("chat not found")
            cid = chat.id
        else:
            try:
                cid = int(chat_id)
            except (TypeError, ValueError):
                raise bad_request("chat not found") from None
        if cid > 0:
            user = self.users.get(cid)
            if user is None:
                raise bad_request("chat not found")
            chat = self.privates.get((bot.id, cid))
            if lenient:
                return chat if chat is not None else self.private_chat(bot, user)
            if chat is None or not chat.started:
                raise forbidden("bot can't initiate conversation with a user")
            if chat.blocked:
                raise forbidden("bot was blocked by the user")
            return chat
        chat = self.groups.get(cid)
        if chat is None:
            raise bad_request("chat not found")
        if chat.migrated_to is not None:
            raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                           migrate_to_chat_id=chat.migrated_to)
        if not chat.has_bot(bot.id):
            kind = "supergroup" if chat.type == "supergroup" else "group"
            raise forbidden(f"bot is not a member of the {kind} chat")
        return chat

    # -- updates ----------------------------------------------------------------------------
    def enqueue(self, bot: BotAccount, kind: str, payload: dict) -> int | None:
        if kind not in bot.allowed:
            return None
        uid = bot.next_update_id
        bot.next_update_id += 1
        update = {"update_id": uid, kind: payload}
        bot.updates.append((uid, update))
        bot.recent[uid] = update
        if len(bot.recent) > 1000:
            del bot.recent[next(iter(bot.recent))]
        self.updates_queued += 1
        bot.notify()
        return uid

    def redeliver(self, bot: BotAccount, update_id: int | None = None) -> dict:
        """Deliver an already queued update once more, with the same ``update_id`` (as
        Telegram does when it is not sure the bot got it)."""
        if update_id is None:
            if not bot.recent:
                raise ControlError(404, "no update to redeliver")
            update_id = next(reversed(bot.recent))
        update = bot.recent.get(update_id)
        if update is None:
            raise ControlError(404, f"update {update_id} is unknown or too old")
        if bot.webhook is not None:
            bot.updates.appendleft((update_id, update))
        else:
            bot.redeliver.append(update)
        self.emit("redelivered", bot_id=bot.id, update_id=update_id)
        bot.notify()
        return update

    def bots_in(self, chat: Chat) -> list[BotAccount]:
        if chat.is_private:
            bot = self.bots.get(chat.bot_id) if chat.bot_id is not None else None
            return [bot] if bot else []
        if chat.bot_ids is None:
            return list(self.bots.values())
        return [self.bots[b] for b in chat.bot_ids if b in self.bots]

    # -- messages ---------------------------------------------------------------------------
    def store_message(self, chat: Chat, message: dict, *, from_bot: bool) -> None:
        chat.messages[message["message_id"]] = message
        if from_bot:
            chat.from_bot += 1
        else:
            chat.from_users += 1

    def replace_message(self, chat: Chat, message: dict) -> None:
        chat.messages[message["message_id"]] = message

    def reply_target(self, chat: Chat, message_id: int | None) -> dict | None:
        if message_id is None:
            return None
        target = chat.messages.get(message_id)
        return _shallow(target) if target is not None else None

    def user_message(self, user_ref: Any, chat_id: Any, *, text: str | None = None,
                     reply_to: int | None = None, photo: StoredFile | None = None,
                     caption: str | None = None, location: dict | None = None,
                     document: StoredFile | None = None, bot_ref: Any = None,
                     contact: Any = None, on_behalf: Any = None) -> tuple[dict, list[int]]:
        """A user writes in a chat; the message is stored and queued for the chat's bots.
        ``contact``: a contact card ``{phone_number, first_name, last_name?, user_id?}``, or
        ``"own"`` — the user's own, as the request-contact button shares it (``user_id`` = theirs).
        ``on_behalf`` (groups): the message is sent on behalf of a chat, as Telegram shows it —
        ``"anonymous_admin"`` (from GroupAnonymousBot, ``sender_chat`` the group), ``{"channel":
        {id, title}}`` (a member posting as their channel: from Channel_Bot) or ``{"linked_channel":
        {id, title}}`` (a post of the group's linked channel, forwarded automatically: from
        Telegram, 777000, ``is_automatic_forward``)."""
        user = self.user(user_ref)
        chat = self.writable(self.control_chat(chat_id, bot_ref))
        if chat.is_private:
            if chat.user is not user:
                raise ControlError(403, "a private chat is written in only by its user")
            if chat.blocked:
                self._set_blocked(chat, False)
            chat.started = True
        elif user.id not in chat.members:
            raise ControlError(403, f"user {user.id} is not a member of chat {chat.id}")
        message: dict[str, Any] = {
            "message_id": chat.take_message_id(),
            "from": user.to_dict(),
            "chat": chat.to_dict(),
            "date": self.now(),
        }
        if on_behalf is not None:
            if chat.is_private:
                raise ControlError(400, "only a group message is sent on behalf of a chat")
            message.update(_on_behalf(chat, on_behalf))
        if reply_to is not None:
            target = self.reply_target(chat, int(reply_to))
            if target is None:
                raise ControlError(404, f"no message {reply_to} in chat {chat.id}")
            message["reply_to_message"] = target
        if photo is not None:
            message["photo"] = photo.photo_sizes()
        elif document is not None:
            message["document"] = document.document_dict()
        if location is not None:
            try:
                message["location"] = {"latitude": float(location["latitude"]),
                                       "longitude": float(location["longitude"])}
            except (KeyError, TypeError, ValueError):
                raise ControlError(400, "location needs latitude and longitude") from None
        if photo is not None or document is not None:
            if caption:
                message["caption"] = caption
                entities = detect_entities(caption)
                if entities:
                    message["caption_entities"] = entities
        elif text is not None and text != "":
            message["text"] = text
            entities = detect_entities(text)
            if entities:
                message["entities"] = entities
        elif contact is not None:
            message["contact"] = self._contact(user, contact)
        elif location is None:
            raise ControlError(400, "a message needs text, a photo, a document, a location or a contact")
        self.store_message(chat, message, from_bot=False)
        update_ids = []
        for bot in self.bots_in(chat):
            uid = self.enqueue(bot, "message", message)
            if uid is not None:
                update_ids.append(uid)
        self.emit("user_message", chat_id=chat.id, bot_id=chat.bot_id, message_id=message["message_id"],
                  message=message)
        return message, update_ids

    @staticmethod
    def _contact(user: User, contact: Any) -> dict:
        if contact == "own" or (isinstance(contact, dict) and contact.get("own")):
            extra = contact if isinstance(contact, dict) else {}
            phone = extra.get("phone_number") or user.phone_number
            if not phone:
                raise ControlError(400, f"user {user.id} has no phone_number to share; give one")
            card = {"phone_number": str(phone), "first_name": user.first_name, "user_id": user.id}
            if user.last_name:
                card["last_name"] = user.last_name
            return card
        if not isinstance(contact, dict):
            raise ControlError(400, "contact is {phone_number, first_name, last_name?, user_id?} or \"own\"")
        phone, first = contact.get("phone_number"), contact.get("first_name")
        if not isinstance(phone, str) or not phone.strip() or not isinstance(first, str) or not first:
            raise ControlError(400, "a contact needs phone_number and first_name (strings)")
        card = {"phone_number": phone.strip(), "first_name": first}
        if contact.get("last_name"):
            card["last_name"] = str(contact["last_name"])
        if contact.get("user_id") not in (None, ""):
            try:
                card["user_id"] = int(contact["user_id"])
            except (TypeError, ValueError):
                raise ControlError(400, "contact user_id must be an integer") from None
        return card

    def start(self, user_ref: Any, bot_ref: Any = None, payload: str | None = None,
              send: bool = True) -> tuple[Chat, dict | None, list[int]]:
        user = self.user(user_ref)
        bot = self.find_bot(bot_ref)
        chat = self.private_chat(bot, user)
        if chat.blocked:
            self._set_blocked(chat, False)
        newly = not chat.started
        chat.started = True
        if newly:
            self.emit("chat", chat=chat.summary())
        if not send:
            return chat, None, []
        text = "/start" + (f" {payload}" if payload else "")
        message, update_ids = self.user_message(user.id, user.id, text=text, bot_ref=bot.id)
        return chat, message, update_ids

    def set_blocked(self, user_ref: Any, blocked: bool, bot_ref: Any = None) -> Chat:
        user = self.user(user_ref)
        chat = self.private_chat(self.find_bot(bot_ref), user)
        if chat.blocked != blocked:
            self._set_blocked(chat, blocked)
        return chat

    def _set_blocked(self, chat: Chat, blocked: bool) -> None:
        chat.blocked = blocked
        bot = self.bots[chat.bot_id]  # type: ignore[index]
        assert chat.user is not None
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        me = bot.user_dict()

        def member(status: str) -> dict:
            d = {"status": status, "user": me}
            if status == "kicked":
                d["until_date"] = 0
            return d

        self.enqueue(bot, "my_chat_member", {
            "chat": chat.to_dict(), "from": chat.user.to_dict(), "date": self.now(),
            "old_chat_member": member(old), "new_chat_member": member(new),
        })
        self.emit("chat", chat=chat.summary())

    def press(self, user_ref: Any, chat_id: Any, message_id: Any, data: str | None = None,
              button_text: str | None = None, bot_ref: Any = None,
              force: bool = False) -> tuple[CallbackRecord, int | None]:
        """A user taps an inline button of a bot's message."""
        user = self.user(user_ref)
        chat = self.writable(self.control_chat(chat_id, bot_ref))
        if chat.is_private and chat.user is not user:
            raise ControlError(403, "only its user taps buttons in a private chat")
        if not chat.is_private and user.id not in chat.members:
            raise ControlError(403, f"user {user.id} is not a member of chat {chat.id}")
        try:
            mid = int(message_id)
        except (TypeError, ValueError):
            raise ControlError(400, f"bad message id {message_id!r}") from None
        message = chat.messages.get(mid)
        if message is None:
            raise ControlError(404, f"no message {mid} in chat {chat.id}")
        sender = message.get("from", {})
        bot = self.bots.get(sender.get("id")) if sender.get("is_bot") else None
        if bot is None:
            raise ControlError(400, "only a bot's message has inline buttons")
        buttons = [b for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
                   for b in row if "callback_data" in b]
        if button_text is not None and data is None:
            match = [b for b in buttons if b.get("text") == button_text]
            if not match:
                raise ControlError(404, f"no button {button_text!r} on message {mid}")
            data = match[0]["callback_data"]
        if data is None:
            raise ControlError(400, "give the callback data or the button text")
        if not force and not any(b["callback_data"] == data for b in buttons):
            raise ControlError(404, f"message {mid} has no button with data {data!r}")
        cq_id = f"{bot.id}{next(self._callback_ids):010d}{secrets.randbelow(1000):03d}"
        record = CallbackRecord(cq_id, bot.id, user.id, chat.id, mid, data)
        self.callbacks[cq_id] = record
        payload = {"id": cq_id, "from": user.to_dict(), "message": message,
                   "chat_instance": chat.chat_instance, "data": data}
        update_id = self.enqueue(bot, "callback_query", payload)
        self.emit("pressed", chat_id=chat.id, bot_id=bot.id, message_id=mid, user_id=user.id,
                  callback_query_id=cq_id, data=data)
        return record, update_id

    # -- files ------------------------------------------------------------------------------
    def store_file(self, data: bytes, kind: str = "photos", *, source_url: str | None = None,
                   mime_type: str | None = None, file_name: str | None = None) -> StoredFile:
        n = next(self._file_ids)
        unique = secrets.token_urlsafe(9)
        prefix = "AgAC" if kind == "photos" else "BQAC"
        file_id = f"{prefix}{n:06d}{secrets.token_urlsafe(18)}"
        ext = {"photos": "jpg"}.get(kind)
        if ext is None and file_name and "." in file_name:
            ext = file_name.rsplit(".", 1)[1][:8]
        path = f"{kind}/file_{n}.{ext or 'bin'}"
        width, height = image_size(data) if kind == "photos" else (0, 0)
        if kind == "photos" and not width:
            width, height = 320, 320
        record = StoredFile(file_id, unique, path, data, source_url, mime_type, file_name, width, height)
        self.files[file_id] = record
        self.files_by_path[path] = record
        return record

    # -- reading ----------------------------------------------------------------------------
    def messages(self, chat: Chat, limit: int | None = None) -> list[dict]:
        if limit is None or limit >= len(chat.messages):
            return list(chat.messages.values())
        out = list(itertools.islice(reversed(chat.messages.values()), max(0, limit)))
        out.reverse()
        return out

    def chats_for(self, bot: BotAccount | None) -> list[dict]:
        out = [c.summary() for c in self.groups.values() if bot is None or c.has_bot(bot.id)]
        out += [c.summary() for (bid, _), c in self.privates.items()
                if (bot is None or bid == bot.id) and (c.started or c.blocked or c.messages)]
        return out

    def stats(self) -> dict:
        per_chat: dict[str, dict[str, int]] = {}
        for chat in itertools.chain(self.groups.values(), self.privates.values()):
            if chat.from_bot or chat.from_users:
                entry = per_chat.setdefault(str(chat.id), {"from_bot": 0, "from_users": 0})
                entry["from_bot"] += chat.from_bot
                entry["from_users"] += chat.from_users
        return {
            "requests": dict(self.requests),
            "requests_total": sum(self.requests.values()),
            "errors": {str(k): v for k, v in self.errors.items()},
            "too_many_requests": self.too_many_requests,
            "messages_per_chat": per_chat,
            "messages_from_bots": sum(c["from_bot"] for c in per_chat.values()),
            "messages_from_users": sum(c["from_users"] for c in per_chat.values()),
            "updates_queued": self.updates_queued,
            "updates_confirmed": sum(b.confirmed for b in self.bots.values()),
            "updates_pending": {str(b.id): len(b.updates) for b in self.bots.values()},
            "webhook_deliveries": self.webhook_deliveries,
            "webhook_failures": self.webhook_failures,
            "events": self._seq,
        }

    def reset_stats(self) -> None:
        self.requests.clear()
        self.errors.clear()
        self.too_many_requests = 0
        self.webhook_deliveries = 0
        self.webhook_failures = 0


# Telegram's service accounts behind messages sent on behalf of a chat
GROUP_ANONYMOUS_BOT = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
CHANNEL_BOT = {"id": 136817688, "is_bot": True, "first_name": "Channel", "username": "Channel_Bot"}
TELEGRAM = {"id": 777000, "is_bot": False, "first_name": "Telegram"}


def _on_behalf(chat, how: Any) -> dict:
    """The ``from`` and ``sender_chat`` (and the forward marks) of a message sent on behalf of a chat."""
    if how == "anonymous_admin":
        return {"from": dict(GROUP_ANONYMOUS_BOT), "sender_chat": chat.to_dict()}
    if isinstance(how, dict) and len(how) == 1:
        (kind, channel), = how.items()
        if kind in ("channel", "linked_channel") and isinstance(channel, dict) and isinstance(channel.get("id"), int):
            sender = {"id": channel["id"], "type": "channel", "title": str(channel.get("title") or "频道")}
            if kind == "channel":
                return {"from": dict(CHANNEL_BOT), "sender_chat": sender}
            return {"from": dict(TELEGRAM), "sender_chat": sender, "is_automatic_forward": True,
                    "forward_origin": {"type": "channel", "chat": sender, "message_id": 1, "date": 0}}
    raise ControlError(400, 'on_behalf is "anonymous_admin", {"channel": {id, title}} or {"linked_channel": {id, title}}')
