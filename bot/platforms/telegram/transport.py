"""The outbox ``Transport`` on Telegram: an aiogram ``Bot`` sends, its errors are translated.

=====================================================  ============================
aiogram                                                outbox
=====================================================  ============================
``TelegramRetryAfter``                                 ``RetryAfter(retry_after)``
``TelegramForbiddenError`` (blocked, kicked, …)        ``Unreachable``
``TelegramBadRequest`` "chat not found" / "user is     ``Unreachable``
deactivated"
``TelegramBadRequest`` "message is not modified"       success (edits)
``TelegramMigrateToChat``                              ``ChatMigrated`` (sent again to the new id)
other ``TelegramBadRequest``, ``TelegramNotFound``,    ``PermanentError``
``TelegramEntityTooLarge``
``TelegramNetworkError``, ``TelegramServerError``,     ``TemporaryError``
aiohttp errors, timeouts, ``OSError``, unreadable
answers, a rejected token (401), a conflict (409)
=====================================================  ============================
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from aiogram import Bot
from aiogram.exceptions import (
    AiogramError,
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
)

from bot.outbox.transport import (
    ChatMigrated,
    OutboundMessage,
    PermanentError,
    RetryAfter,
    TemporaryError,
    Unreachable,
)
from bot.identities import file_id
from bot.messages import Button
from bot.rich.render import fit as rich_fit
from bot.platforms.telegram.render import from_html

from .convert import PLATFORM
from .render import LIMITS, PARSE_MODE, html

log = logging.getLogger(__name__)

TEXT_LIMIT, CAPTION_LIMIT = LIMITS.text_length, LIMITS.caption_length
_UNREACHABLE = ("chat not found", "user is deactivated", "bot was kicked", "peer_id_invalid",
                "have no rights to send", "not enough rights to send")
_NOT_MODIFIED = "message is not modified"


def keyboard(rows: list[list[Button]]) -> InlineKeyboardMarkup | None:
    """Platform-neutral buttons → an inline keyboard (callback data = the packed ``Action``)."""
    out: list[list[InlineKeyboardButton]] = []
    for row in rows:
        line = []
        for b in row:
            if b.url:
                line.append(InlineKeyboardButton(text=b.text, url=b.url))
            elif b.action is not None:
                line.append(InlineKeyboardButton(text=b.text, callback_data=b.action.pack()))
        if line:
            out.append(line)
    return InlineKeyboardMarkup(inline_keyboard=out) if out else None


def reply_markup(message: OutboundMessage) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None:
    """What goes in ``reply_markup``: the share-my-number keyboard (Telegram's request-contact
    button, so the number is the account's own, vouched for by Telegram), its removal, or the
    inline buttons."""
    if message.ask_contact:
        return ReplyKeyboardMarkup(
            keyboard=[[KeyboardButton(text=message.ask_contact, request_contact=True)]],
            resize_keyboard=True, one_time_keyboard=True,
        )
    if message.clear_request:
        return ReplyKeyboardRemove()
    return keyboard(message.buttons)


def fit(text: str, limit: int = TEXT_LIMIT) -> str:
    """An HTML text cut to ``limit`` as Telegram counts it, ended with 「…」: read into the form,
    cut there (``bot.rich.render.fit``, never inside a tag or an escape) and written out again.
    The sender cuts every row this way before it reaches the transport."""
    rich = from_html(text)
    if LIMITS.size(rich) <= limit:
        return text
    return html(rich_fit(rich, limit, LIMITS.size))


def translate(err: BaseException) -> Exception:
    """An aiogram / aiohttp error → the outbox error that says what to do about it."""
    if isinstance(err, TelegramRetryAfter):
        return RetryAfter(err.retry_after, err.message)
    if isinstance(err, TelegramMigrateToChat):
        return ChatMigrated(str(err.migrate_to_chat_id), err.message)
    if isinstance(err, TelegramForbiddenError):
        return Unreachable(err.message)
    if isinstance(err, TelegramBadRequest):
        text = err.message.lower()
        if any(marker in text for marker in _UNREACHABLE):
            return Unreachable(err.message)
        return PermanentError(err.message)
    if isinstance(err, (TelegramNotFound, TelegramEntityTooLarge)):
        return PermanentError(err.message)
    if isinstance(err, (TelegramNetworkError, TelegramServerError, TelegramUnauthorizedError,
                        TelegramConflictError)):
        return TemporaryError(str(err))
    if isinstance(err, TelegramAPIError):
        return TemporaryError(str(err))
    if isinstance(err, (ClientDecodeError, AiogramError, aiohttp.ClientError, asyncio.TimeoutError, OSError)):
        return TemporaryError(f"{type(err).__name__}: {err}")
    return TemporaryError(f"{type(err).__name__}: {err}")


def _target(message: OutboundMessage) -> int:
    """The Telegram chat of an outbox row (its ``chat`` row's external id)."""
    if message.platform != PLATFORM:
        raise PermanentError(f"not a Telegram chat: {message.platform}:{message.external_chat_id}")
    try:
        return int(message.external_chat_id)
    except ValueError:
        raise PermanentError(f"not a Telegram chat id: {message.external_chat_id!r}") from None


def _message(message_id: str) -> int:
    """Telegram's number of a message the core names as text."""
    try:
        return int(message_id)
    except ValueError:
        raise PermanentError(f"not a Telegram message id: {message_id!r}") from None


def _photo(message: OutboundMessage) -> str | None:
    """The Telegram file id of the row's photo; another platform's file goes out as text alone."""
    if message.photo and file_id(message.photo, PLATFORM) is None:
        log.warning("outbox row %s: photo %r is not Telegram's; sent without it", message.id, message.photo[:40])
    return file_id(message.photo, PLATFORM)


class TelegramTransport:
    """Sends outbox rows with ``bot``; built by the runtime, never at import time. The rows come
    cut to ``limits`` (the sender asks); their rich text is written out as Telegram's HTML here."""

    limits = LIMITS

    def __init__(self, bot: Bot, *, request_timeout: int | None = None) -> None:
        self.bot = bot
        self.request_timeout = request_timeout

    async def send(self, message: OutboundMessage) -> str:
        chat_id, photo = _target(message), _photo(message)
        reply = (
            ReplyParameters(message_id=_message(message.reply_to_message_id), allow_sending_without_reply=True)
            if message.reply_to_message_id
            else None
        )
        markup = reply_markup(message)
        try:
            if photo:
                sent = await self.bot.send_photo(
                    chat_id=chat_id, photo=photo, caption=html(message.text, message.mention_id) or None,
                    parse_mode=PARSE_MODE, reply_parameters=reply, reply_markup=markup,
                    request_timeout=self.request_timeout,
                )
            else:
                sent = await self.bot.send_message(
                    chat_id=chat_id, text=html(message.text, message.mention_id), parse_mode=PARSE_MODE,
                    reply_parameters=reply, reply_markup=markup, request_timeout=self.request_timeout,
                )
        except asyncio.CancelledError:
            raise
        except Exception as err:
            raise translate(err) from err
        return str(sent.message_id)

    async def edit(self, message: OutboundMessage) -> str:
        if message.edit_message_id is None:
            raise PermanentError("nothing to edit: no edit_message_id")
        markup = keyboard(message.buttons)
        chat_id, message_id = _target(message), _message(message.edit_message_id)
        try:
            if message.photo:
                result = await self.bot.edit_message_caption(
                    chat_id=chat_id, message_id=message_id, caption=html(message.text, message.mention_id),
                    parse_mode=PARSE_MODE, reply_markup=markup, request_timeout=self.request_timeout,
                )
            else:
                result = await self.bot.edit_message_text(
                    chat_id=chat_id, message_id=message_id, text=html(message.text, message.mention_id),
                    parse_mode=PARSE_MODE, reply_markup=markup, request_timeout=self.request_timeout,
                )
        except asyncio.CancelledError:
            raise
        except TelegramBadRequest as err:
            if _NOT_MODIFIED in err.message.lower():
                return message.edit_message_id  # already says exactly that: done
            raise translate(err) from err
        except Exception as err:
            raise translate(err) from err
        return str(result.message_id) if isinstance(result, Message) else message.edit_message_id
