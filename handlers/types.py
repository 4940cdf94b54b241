"""What crosses the line between a chat platform and the conversation: platform-neutral values.

A platform adapter turns its updates into ``Inbound`` (a message) or ``Press`` (a button), calls
the conversation, and delivers the ``Outgoing`` messages it returns (through the outbox).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.messages import Action, Outgoing, message_id


def _ids_as_text(value, *names: str) -> None:
    """A message id given as a number (a question's payload from before ids were text, a test)
    is kept as its digits: the core compares ids for equality only, and "7" is not 7."""
    for name in names:
        got = getattr(value, name)
        if got is not None and not isinstance(got, str):
            object.__setattr__(value, name, message_id(got))


@dataclass(frozen=True)
class User:
    """A chat account: ``id`` is its internal key (``chataccount.id``), never a platform's id."""

    id: int
    name: str  # display name
    username: str | None = None


@dataclass(frozen=True)
class Chat:
    """``id`` is the chat's internal key (``chat.id``); ``kind`` says private or group."""

    id: int
    kind: Literal["private", "group"]
    title: str = ""

    @property
    def is_private(self) -> bool:
        return self.kind == "private"


@dataclass(frozen=True)
class SharedContact:
    """A phone number someone shared through the platform. ``user_id`` is the chat account the
    number belongs to as the platform vouches for it: the sender's own account key when they shared
    their own number (Telegram's request-contact button), None for anyone else's card."""

    phone: str
    user_id: int | None = None
    name: str = ""


@dataclass(frozen=True)
class Inbound:
    """A message someone wrote (text, or a photo's caption), or a contact they shared."""

    chat: Chat
    user: User
    message_id: str  # the platform's id of the message, as text
    text: str
    at: datetime
    # the platform's update id tagged with the platform (``telegram:812345``): handled once
    update_id: str | None = None
    reply_to_message_id: str | None = None
    reply_to_bot: bool = False  # the message answers one of the bot's
    photo: str | None = None  # a file reference (``telegram:<file id>``), see ``bot.identities.file_ref``
    location: tuple[float, float] | None = None  # (latitude, longitude)
    contact: SharedContact | None = None

    def __post_init__(self) -> None:
        _ids_as_text(self, "message_id", "reply_to_message_id")

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
class Press:
    """Someone tapped a button under one of the bot's messages."""

    callback_id: str
    chat: Chat
    user: User
    message_id: str  # the pressed message: the platform's id, as text
    data: str
    at: datetime
    update_id: str | None = None  # tagged with the platform, as ``Inbound.update_id``
    message_photo: str | None = None  # the pressed message is a photo (its caption is what edits change)
    # the pressed message's text as the platform shows it, when it says (Telegram does): which of
    # the bot's messages it is while its sending is not recorded yet (``bot.outbox.store.carried``)
    message_text: str | None = None

    def __post_init__(self) -> None:
        _ids_as_text(self, "message_id")

    @property
    def action(self) -> Action | None:
        return Action.unpack(self.data)


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
