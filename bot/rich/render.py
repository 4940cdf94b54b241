"""Rich text written out for a platform, cut to what it takes, and read back from HTML.

- ``to_html``: the HTML subset Telegram's ``parse_mode=HTML`` takes (``<b>``, ``<a href>``); the
  platform says how a mention links (``bot.platforms.telegram.render`` gives ``tg://user?id=…``).
- ``to_markdown``: markdown (bold ``**…**``, ``[text](url)``) for platforms that take it, such as
  WeCom's markdown messages; the platform says how a mention is written (WeCom: ``<@userid>``).
- ``to_plain``: no formatting at all; a link keeps its address so it still works.
- ``fit``: a text cut to a platform's length, measured as that platform measures, ended with 「…」.
  The cut is made on the form, before any markup exists, so it never falls inside an escape or
  a tag, and a mention or link cut short stays whole.
- ``from_html``: the form of an HTML text the bot wrote before the outbox stored the form
  (migration 0011).

Every piece of text is escaped here and only here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from itertools import groupby

from . import Link, Mention, Rich, Text
from .html_parse import EntityParseError, parse_html

ELLIPSIS = "…"


def _esc(text: str) -> str:
    return escape(text, quote=False)


def _write(text: Rich, *, plain: Callable[[str], str], mention: Callable[[Mention], str],
           link: Callable[[Link], str], bolded: Callable[[str], str]) -> str:
    """One markup: each span written its way, each run of bold spans wrapped once."""
    out: list[str] = []
    for is_bold, run in groupby(text.spans, key=lambda s: s.bold):
        body = "".join(plain(s.text) if isinstance(s, Text) else mention(s) if isinstance(s, Mention) else link(s)
                       for s in run)
        out.append(bolded(body) if is_bold else body)
    return "".join(out)


def to_html(text: Rich, mention_href: Callable[[Mention], str | None] = lambda m: None) -> str:
    """``<b>`` around each run of bold spans, ``<a href>`` for links and for mentions the platform
    can link (``mention_href``); everything else escaped text."""

    def mention(m: Mention) -> str:
        href = mention_href(m)
        return f'<a href="{escape(href)}">{_esc(m.name)}</a>' if href else _esc(m.name)

    return _write(text, plain=_esc, mention=mention, link=lambda s: f'<a href="{escape(s.url)}">{_esc(s.text)}</a>',
                  bolded=lambda body: f"<b>{body}</b>")


# CommonMark lets any ASCII punctuation be escaped with a backslash; these are the ones that
# can start or end markup inside a line
_MD_INLINE = re.compile(r"([\\`*_\[\]()<>~|#!])")
# and these only where a line starts (a heading, a quote, a list item, a rule)
_MD_LINE_START = re.compile(r"^([ \t]*)([-+=>]|\d+(?=[.)]))", re.MULTILINE)


def md_escape(text: str) -> str:
    text = _MD_INLINE.sub(r"\\\1", text)
    text = _MD_LINE_START.sub(lambda m: m[1] + "\\" + m[2] if not m[2][0].isdigit() else m[1] + m[2] + "\\", text)
    return text.replace("&", "&amp;")


def _md_url(url: str) -> str:
    # inside (…) a space, a bracket or an angle bracket would end or break the address
    return re.sub(r"[\s()<>\\]", lambda m: "%{:02X}".format(ord(m[0])) if ord(m[0]) < 128 else m[0], url)


def _md_bold(body: str) -> str:
    # markdown bold cannot start or end on a space: keep the spaces outside
    inner = body.strip()
    if not inner:
        return body
    return f"{body[: len(body) - len(body.lstrip())]}**{inner}**{body[len(body.rstrip()):]}"


def to_markdown(text: Rich, mention: Callable[[Mention], str | None] = lambda m: None) -> str:
    """Markdown: ``**bold**``, ``[text](url)``; a mention as ``mention(m)`` (the platform's own
    markup, written as it is) or, where it has none, as 「@name」."""
    return _write(text, plain=md_escape, mention=lambda m: mention(m) or "@" + md_escape(m.name),
                  link=lambda s: f"[{md_escape(s.text)}]({_md_url(s.url)})", bolded=_md_bold)


def to_plain(text: Rich) -> str:
    """No formatting: a mention is 「@name」, a link its text and then its address (unless the
    text is the address)."""
    out = []
    for s in text.spans:
        if isinstance(s, Mention):
            out.append("@" + s.name)
        elif isinstance(s, Link):
            out.append(s.text if s.text == s.url else f"{s.text}（{s.url}）")
        else:
            out.append(s.text)
    return "".join(out)


def utf16_units(text: Rich) -> int:
    """Length as Telegram counts it: UTF-16 code units of what is shown."""
    plain = text.plain
    return len(plain) if plain.isascii() else len(plain.encode("utf-16-le", "surrogatepass")) // 2


def fit(text: Rich, limit: int, size: Callable[[Rich], int] = utf16_units) -> Rich:
    """``text`` cut so that ``size`` (the platform's measure: shown characters, bytes of the
    rendered markup …) is at most ``limit``, ended with 「…」. A message a platform refuses as too
    long never arrives; a cut one still answers. ``size`` must not shrink as text is added."""
    if size(text) <= limit:
        return text
    lo, hi = 0, len(text.plain) - 1
    while lo < hi:  # the longest head that fits with its 「…」
        mid = (lo + hi + 1) // 2
        if size(text.head(mid) + ELLIPSIS) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return text.head(lo) + ELLIPSIS


# --- HTML back into the form -------------------------------------------------------------------

_MENTION_URL = re.compile(r"tg://user\?id=(\d+)\Z")


def from_html(html: str) -> Rich:
    """The form of an HTML text as the bot wrote it before migration 0011 (Telegram's HTML
    subset): ``<b>``/``<strong>`` bold, ``<a href>`` a link, and a ``tg://user?id=`` link a
    mention of that account. Other styles (the bot never wrote them) keep their text, unstyled.
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
        span = Mention(piece, account, None, is_bold) if account is not None else Link(piece, url, is_bold)
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
