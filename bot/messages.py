"""The core's message contract: what a domain service hands to the outbox to be delivered.

The core (``bot/`` without its adapters) and the conversation (``handlers/``) both speak it; the
conversation's own values (``Inbound``, ``Press``, ``Reaction``) live in ``handlers.types``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.infra.ids import parse_id
from bot.rich import Rich

# The most bytes the conversation packs a button's action into: what every chat platform it
# runs on carries (each adapter declares its own limit, ``PlatformLimits.button_data_bytes``; a
# test checks each one against this, and the sender checks every button before it sends)
ACTION_BUDGET = 64


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
        if len(data.encode()) > ACTION_BUDGET:
            raise ValueError(f"button data over {ACTION_BUDGET} bytes: {data!r}")
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
class Button:
    text: str
    action: Action | None = None
    url: str | None = None


@dataclass
class Outgoing:
    """One message to deliver. ``text`` is the neutral rich text (``bot.rich``): people's text
    in it is plain, each platform's renderer escapes it."""

    chat_id: int  # the chat's internal key (``chat.id``)
    text: Rich
    buttons: list[list[Button]] = field(default_factory=list)
    reply_to_message_id: str | None = None  # the platform's message ids are text (``message_id``)
    photo: str | None = None  # a file reference (``telegram:<file id>``) to send as a photo, ``text`` its caption
    edit_message_id: str | None = None  # edit that message of the bot's instead of sending
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
        if name == "text" and not isinstance(value, Rich):
            value = Rich(value)  # a plain string: nothing in it is markup
        elif name in _MESSAGE_IDS:
            value = message_id(value)
        object.__setattr__(self, name, value)


_MESSAGE_IDS = frozenset({"reply_to_message_id", "edit_message_id"})


def message_id(value: str | int | None) -> str | None:
    """A platform's message id as the core keeps it: text (Telegram's numbers as their digits,
    WeCom's strings as they are), compared only for equality. A number (a question's payload
    written before ids were text) is taken as its digits, so one message never has two ids."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"a message id is text, not {type(value).__name__}")
    return str(value)
