"""Rich text on Telegram: its HTML, its mentions, its limits (``LIMITS``, which the core asks)."""

from __future__ import annotations

from bot.outbox.transport import PlatformLimits
from bot.rich import Mention, Rich
from bot.rich.render import to_html, utf16_units

PARSE_MODE = "HTML"


def mention_href(m: Mention) -> str | None:
    """A mention notifies the member's Telegram account (a text mention); no account, no link."""
    return f"tg://user?id={int(m.account)}" if m.account else None


def html(text: Rich) -> str:
    return to_html(text, mention_href)


LIMITS = PlatformLimits(
    platform="telegram",
    button_data_bytes=64,  # callback_data
    text_length=4096,  # UTF-16 units of the text as shown (entities parsed)
    caption_length=1024,  # under a photo
    can_edit=True,  # editMessageText / editMessageCaption, the bot's own messages
    size=utf16_units,
)

