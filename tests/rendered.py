"""What a message looks like on Telegram, for tests that read outbox rows or ``Outgoing`` values
directly (the chat harness and the stand-in render the same way)."""

from __future__ import annotations

from bot.outbox.store import rich_of
from bot.rich import Rich
from bot.platforms.telegram.render import html


def html_of(message) -> str:
    """Telegram HTML of an outbox row, an ``Outgoing`` / ``OutboundMessage``, or a rich text."""
    text = message if isinstance(message, Rich) else message.text
    return html(text if isinstance(text, Rich) else rich_of(text))
