"""Rich text on Telegram: its HTML, its mentions, its limits (``LIMITS``, which the core asks), and
``from_html``: the form of a Telegram HTML text the bot wrote before the outbox stored the form
(migration 0011), read with the Bot API's own HTML rules (``html_parse``, which the stand-in uses too)."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.outbox.transport import PlatformLimits
from bot.rich import Link, Mention, Rich, Text
from bot.rich.render import to_html, utf16_units

from .html_parse import EntityParseError, parse_html

PARSE_MODE = "HTML"


# a mention's Telegram user id (text), found by whoever has the database (the sender:
# ``OutboundMessage.mention_id``); the renderer itself looks nothing up
UserIds = Callable[[Mention], "str | None"]


def _nobody(m: Mention) -> str | None:
    return None


def mention_href(user_id: str | None) -> str | None:
    """A mention notifies that Telegram account (a text mention); no account there, no link."""
    return f"tg://user?id={int(user_id)}" if user_id and user_id.isdigit() else None


def html(text: Rich, user_ids: UserIds = _nobody) -> str:
    """Telegram's HTML of ``text``; a mention links the Telegram account ``user_ids`` gives it."""
    return to_html(text, lambda m: mention_href(user_ids(m)))


LIMITS = PlatformLimits(
    platform="telegram",
    button_data_bytes=64,  # callback_data
    text_length=4096,  # UTF-16 units of the text as shown (entities parsed)
    caption_length=1024,  # under a photo
    can_edit=True,  # editMessageText / editMessageCaption, the bot's own messages
    size=utf16_units,
)


# --- HTML back into the form -------------------------------------------------------------------

_MENTION_URL = re.compile(r"tg://user\?id=(\d+)\Z")


def from_html(html: str, account_of: Callable[[int], int | None] = lambda user_id: None) -> Rich:
    """The form of an HTML text as the bot wrote it before migration 0011 (Telegram's HTML
    subset): ``<b>``/``<strong>`` bold, ``<a href>`` a link, and a ``tg://user?id=`` link a
    mention of the account ``account_of`` gives for that Telegram user id (a key; without one,
    the name alone). Other styles (the bot never wrote them) keep their text, unstyled.
    Text Telegram would have refused (an unescaped ``<``) is kept as the plain text it is."""
    try:
        plain, entities = parse_html(html)
    except EntityParseError:
        return Rich(html)
    if not entities:
        return Rich(plain)
    # UTF-16 offsets (the entities') → indexes into ``plain``
    index: dict[int, int] = {}
    units = 0
    for i, ch in enumerate(plain):
        index[units] = i
        units += 2 if ord(ch) > 0xFFFF else 1
    index[units] = len(plain)

    def at(offset: int) -> int:
        while offset not in index and offset > 0:
            offset -= 1
        return index.get(offset, 0)

    spans_of = []  # (start, end, entity)
    cuts = {0, len(plain)}
    for e in entities:
        if e["type"] not in ("bold", "text_link", "text_mention"):
            continue
        start, end = at(e["offset"]), at(e["offset"] + e["length"])
        spans_of.append((start, end, e))
        cuts |= {start, end}
    points = sorted(cuts)
    out: list = []
    for start, end in zip(points, points[1:]):
        piece = plain[start:end]
        covering = [e for s, t, e in spans_of if s <= start and end <= t]
        is_bold = any(e["type"] == "bold" for e in covering)
        target = next((e for e in covering if e["type"] != "bold"), None)
        if target is None:
            out.append(Text(piece, is_bold))
            continue
        account = target["user"]["id"] if target["type"] == "text_mention" else None
        url = target.get("url", "")
        if account is None and (m := _MENTION_URL.match(url)):
            account = int(m[1])
        # one link cut into pieces by a bold run inside it joins up again where the weight agrees
        prev = out[-1] if out else None
        key = ("m", account) if account is not None else ("l", url)
        if prev is not None and getattr(prev, "_key", None) == key and prev.bold == is_bold and prev._entity is target:
            out[-1] = _joined(prev, piece)
            continue
        span = Mention(piece, account_of(account), None, is_bold) if account is not None else Link(piece, url, is_bold)
        out.append(_Tagged(span, key, target))
    return Rich(*(s.span if isinstance(s, _Tagged) else s for s in out))


class _Tagged:
    """A span being read, with the entity it came from (to join pieces of the same one)."""

    def __init__(self, span, key, entity) -> None:
        self.span, self._key, self._entity = span, key, entity

    @property
    def bold(self) -> bool:
        return self.span.bold


def _joined(tagged: _Tagged, piece: str) -> _Tagged:
    s = tagged.span
    span = Mention(s.name + piece, s.account, s.member, s.bold) if isinstance(s, Mention) else Link(s.text + piece, s.url, s.bold)
    return _Tagged(span, tagged._key, tagged._entity)
