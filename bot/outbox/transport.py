"""What the sender needs from a chat platform: a ``Transport``, its ``PlatformLimits``, and the
errors it may raise.

The sender knows nothing of Telegram: an adapter (``bot.platforms.telegram.transport``) declares what its
platform takes (``limits``: message length and how it is counted, length under a photo, bytes of
button data, whether a message can be edited later), renders an ``OutboundMessage`` (its text is
the neutral ``bot.rich.Rich``, already cut to the platform's length by the sender) into API calls,
and turns its platform's errors into the four below, which decide what happens to the row:

==================  =======================================================================
``RetryAfter``      flood control: wait ``seconds`` (that chat; everything if ``everywhere``)
``Unreachable``     the recipient cannot get messages (blocked the bot, kicked it, no chat)
``TemporaryError``  network trouble, a 5xx: back off and try again (capped)
``PermanentError``  the platform refused this message for good (bad markup, nothing to edit)
``ChatMigrated``    (a ``PermanentError``) the group is now a supergroup: the row follows it
==================  =======================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from bot.messages import Button
from bot.rich import Mention, Rich
from bot.rich.render import utf16_units

from .store import buttons_from_json, request_from_json, rich_of

if TYPE_CHECKING:
    from bot.identities import Destination
    from models import OutboxMessage


class TransportError(Exception):
    """Base of the errors a transport raises; anything else counts as a temporary error."""


class RetryAfter(TransportError):
    """The platform asks to wait ``seconds`` before sending again.

    ``everywhere``: the limit is the bot's overall one, not that chat's (a transport that can
    tell sets it; the sender also infers it when several chats are refused at once)."""

    def __init__(self, seconds: float, message: str = "", *, everywhere: bool = False) -> None:
        self.seconds = max(0.0, float(seconds))
        self.everywhere = everywhere
        super().__init__(message or f"retry after {self.seconds:g}s")


class Unreachable(TransportError):
    """The recipient cannot get messages: blocked the bot, removed it, the chat is gone."""


class TemporaryError(TransportError):
    """Worth trying again later: network, timeout, the platform's 5xx."""


class PermanentError(TransportError):
    """This message will never go through as it is (bad markup, message to edit gone …)."""


class ChatMigrated(PermanentError):
    """A group became a supergroup with a new id (the platform's, kept here): the sender moves the
    group there (``groups.move_chat``) and sends the row again to the new chat."""

    def __init__(self, new_chat_id: str | int, message: str = "") -> None:
        self.new_chat_id = str(new_chat_id) if new_chat_id else ""  # "": the platform named none
        super().__init__(message or f"chat migrated to {new_chat_id}")


@dataclass(frozen=True)
class PlatformLimits:
    """What a chat platform takes, declared by its adapter (``Transport.limits``); the core asks
    rather than knowing. ``size`` measures a text as the platform counts its length (Telegram:
    UTF-16 units of what is shown; a markdown platform: bytes of the markup)."""

    platform: str
    button_data_bytes: int
    text_length: int
    caption_length: int  # a text under a photo
    can_edit: bool  # can the bot change a message it sent (its text and buttons) later?
    size: Callable[[Rich], int] = utf16_units

    def length_for(self, message: OutboundMessage) -> int:
        return self.caption_length if message.photo else self.text_length


# what a transport that declares nothing (a test's recorder) is taken to take
UNLIMITED = PlatformLimits("any", button_data_bytes=1 << 20, text_length=1 << 30, caption_length=1 << 30,
                           can_edit=True)


@dataclass(frozen=True)
class OutboundMessage:
    """One outbox row as a transport sees it (platform-neutral, detached from the session)."""

    id: int
    chat_id: int  # the chat's internal key: what the sender queues and limits by
    text: Rich
    buttons: list[list[Button]] = field(default_factory=list)
    reply_to_message_id: str | None = None  # the platform's message ids, as text
    photo: str | None = None  # a file id: sent as a photo with ``text`` as its caption
    edit_message_id: str | None = None  # edit that message instead of sending a new one
    kind: str = "reply"
    member_id: int | None = None
    ref: str | None = None
    ask_contact: str | None = None  # show a "share my phone number" control with this label
    clear_request: bool = False  # take such a control away
    # where the chat is on its platform (``bot.identities.destination``): what the transport uses
    platform: str = ""
    external_chat_id: str = ""
    chat_kind: str = "group"
    # the platform's account id of each person the text mentions, by ``Mention.who`` (looked up by
    # the sender, which has the database: ``bot.identities.mention_ids``); one missing is a name
    mentions: Mapping[tuple[int | None, int | None], str] = field(default_factory=dict)

    def mention_id(self, mention: Mention) -> str | None:
        """The platform's id of the account ``mention`` names, for the renderer to link."""
        return self.mentions.get(mention.who)

    @classmethod
    def from_row(cls, row: OutboxMessage, to: Destination,
                 mentions: Mapping[tuple[int | None, int | None], str] | None = None) -> OutboundMessage:
        ask_contact, clear = request_from_json(row.request)
        return cls(
            ask_contact=ask_contact,
            clear_request=clear,
            id=row.id,
            chat_id=row.chat_id,
            text=rich_of(row.text),
            buttons=buttons_from_json(row.buttons),
            reply_to_message_id=row.reply_to_message_id,
            photo=row.photo,
            edit_message_id=row.edit_message_id,
            kind=row.kind,
            member_id=row.member_id,
            ref=row.ref,
            platform=to.platform,
            external_chat_id=to.external_id,
            chat_kind=to.kind,
            mentions=mentions or {},
        )

    @property
    def is_private(self) -> bool:
        return self.chat_kind == "private"


@runtime_checkable
class Transport(Protocol):
    limits: PlatformLimits

    async def send(self, message: OutboundMessage) -> str:
        """Deliver a new message (its rich text rendered for the platform; a photo with the text as caption when ``photo``;
        inline buttons, or the share-my-number control / its removal; a reply to ``reply_to_message_id`` that still goes out if that message
        is gone). Returns the platform's message id, as text. Raises the errors above."""

    async def edit(self, message: OutboundMessage) -> str:
        """Replace text (or caption) and buttons of ``message.edit_message_id``. "Not modified"
        is success. Returns the edited message's id. Never called when ``limits.can_edit`` is
        false: the sender sends the new state as a new message instead."""
