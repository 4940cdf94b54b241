"""What crosses the line between a chat platform and the conversation: platform-neutral values.

A platform adapter turns its updates into ``Inbound`` (a message) or ``Press`` (a button), calls
the conversation, and delivers the ``Outgoing`` messages it returns (through the outbox).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.ids import parse_id
from bot.rich import Rich
from bot.rich.render import from_html

CALLBACK_LIMIT = 64  # bytes of button data Telegram (and most platforms) carry


@dataclass(frozen=True)
class User:
    id: int
    name: str  # display name
    username: str | None = None


@dataclass(frozen=True)
class Chat:
    id: int
    kind: Literal["private", "group"]
    title: str = ""

    @property
    def is_private(self) -> bool:
        return self.kind == "private"


@dataclass(frozen=True)
class SharedContact:
    """A phone number someone shared through the platform. ``user_id`` is the chat account the
    number belongs to as the platform vouches for it: the sender's own id when they shared their
    own number (Telegram's request-contact button), another id or None for a forwarded card."""

    phone: str
    user_id: int | None = None
    name: str = ""


@dataclass(frozen=True)
class Inbound:
    """A message someone wrote (text, or a photo's caption), or a contact they shared."""

    chat: Chat
    user: User
    message_id: int
    text: str
    at: datetime
    update_id: int | None = None
    reply_to_message_id: int | None = None
    reply_to_bot: bool = False  # the message answers one of the bot's
    photo_file_id: str | None = None
    location: tuple[float, float] | None = None  # (latitude, longitude)
    contact: SharedContact | None = None

    @property
    def command(self) -> tuple[str, str] | None:
        """``/bind@hgj_bot 6-012…`` → ("bind", "6-012…"); None for plain text."""
        text = self.text.strip()
        if not text.startswith("/"):
            return None
        head, _, rest = text.partition(" ")
        name = head[1:].split("@", 1)[0].lower()
        return (name, rest.strip()) if name else None


@dataclass(frozen=True)
class Action:
    """What a button does, packed into its callback data as ``kind:verb:id:arg`` (``arg`` may be
    empty; the four parts are always there, so the string is exactly what aiogram's
    ``CallbackData(prefix=kind)`` with fields ``verb, id, arg`` packs)."""

    kind: str  # feature prefix: "q" issue, "w" wish, "ask" question, "t" task, "s" shift …
    verb: str
    id: int = 0
    arg: str = ""

    def pack(self) -> str:
        for part in (self.kind, self.verb, self.arg):
            if ":" in part:
                raise ValueError(f"':' is the separator and cannot appear in {part!r}")
        data = f"{self.kind}:{self.verb}:{self.id}:{self.arg}"
        if len(data.encode()) > CALLBACK_LIMIT:
            raise ValueError(f"callback data over {CALLBACK_LIMIT} bytes: {data!r}")
        return data

    @classmethod
    def unpack(cls, data: str) -> Action | None:
        """None for data we did not pack: no id, an id that is not plain ASCII digits (「²」), or
        one no id column holds (a client may send any callback data)."""
        parts = data.split(":", 3)
        if len(parts) < 3:
            return None
        id_ = parse_id(parts[2], signed=True)
        if id_ is None:
            return None
        return cls(parts[0], parts[1], id_, parts[3] if len(parts) == 4 else "")


@dataclass(frozen=True)
class Press:
    """Someone tapped a button under one of the bot's messages."""

    callback_id: str
    chat: Chat
    user: User
    message_id: int
    data: str
    at: datetime
    update_id: int | None = None
    message_photo: str | None = None  # the pressed message is a photo (its caption is what edits change)

    @property
    def action(self) -> Action | None:
        return Action.unpack(self.data)


@dataclass(frozen=True)
class Button:
    text: str
    action: Action | None = None
    url: str | None = None


@dataclass
class Outgoing:
    """One message to deliver. ``text`` is the neutral rich text (``bot.rich``): people's text
    in it is plain, each platform's renderer escapes it."""

    chat_id: int
    text: Rich
    buttons: list[list[Button]] = field(default_factory=list)
    reply_to_message_id: int | None = None
    photo: str | None = None  # a file id to send as a photo, ``text`` as its caption
    edit_message_id: int | None = None  # edit that message of the bot's instead of sending
    kind: str = "reply"  # reply | alert | notice | reminder | digest
    member_id: int | None = None  # the member it is for, when it is for one
    ref: str | None = None  # what it is about ("issue:12"), to find it again or re-route it
    dedupe_key: str | None = None  # unique: the same key is never queued twice
    not_before: datetime | None = None  # hold until then (quiet hours)
    # interactive (0) goes ahead of bulk (1) in its chat; None: by kind (reply and card edits are
    # interactive, alerts, notices, reminders and digests bulk) — see ``bot.outbox.store.priority_of``
    priority: int | None = None
    # Instead of the person's keyboard, a control that shares their own phone number (labelled
    # so); ``clear_request`` takes such a control away again. Private chats; a platform without
    # it says so in text. Not with ``buttons`` (a platform shows one kind of keyboard at a time).
    ask_contact: str | None = None
    clear_request: bool = False

    def __setattr__(self, name, value) -> None:
        if name == "text" and isinstance(value, str):
            # TEMPORARY (issue 11, until every producer builds the form): a str is the HTML the
            # texts were written in before, read into the form here
            value = from_html(value)
        object.__setattr__(self, name, value)


@dataclass(frozen=True)
class Answer:
    """The small notice shown to whoever pressed a button."""

    text: str = ""
    alert: bool = False


@dataclass
class Reaction:
    """What the conversation does about one update."""

    outgoing: list[Outgoing] = field(default_factory=list)
    answer: Answer | None = None  # only for a Press
