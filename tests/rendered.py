"""What a message looks like on Telegram, for tests that read outbox rows or ``Outgoing`` values
directly (the chat harness and the stand-in render the same way)."""

from __future__ import annotations

from bot import identities
from bot.outbox.store import rich_of
from bot.rich import Rich
from bot.platforms.telegram.render import html


def html_of(message, session=None) -> str:
    """Telegram HTML of an outbox row, an ``Outgoing`` / ``OutboundMessage``, or a rich text.
    With a ``session``, mentions link the people's Telegram accounts, as the sender finds them."""
    text = message if isinstance(message, Rich) else message.text
    return telegram_html(text if isinstance(text, Rich) else rich_of(text), session)


def telegram_html(text: Rich, session=None) -> str:
    if session is None or not text.mentions:
        return html(text)
    found = identities.mention_ids(session, "telegram", (m.who for m in text.mentions))
    return html(text, lambda m: found.get(m.who))
