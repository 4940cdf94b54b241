"""Rich text written out for a platform, cut to what it takes, and read back from HTML.

- ``to_html``: the HTML subset Telegram's ``parse_mode=HTML`` takes (``<b>``, ``<a href>``); the
  platform says how a mention links (``bot.platforms.telegram.render.mention_href``).
- ``to_markdown``: markdown (bold ``**…**``, ``[text](url)``) for platforms that take it, such as
  WeCom's markdown messages; the platform says how a mention is written (WeCom: ``<@userid>``).
- ``to_plain``: no formatting at all; a link keeps its address so it still works.
- ``fit``: a text cut to a platform's length, measured as that platform measures, ended with 「…」.
  The cut is made on the form, before any markup exists, so it never falls inside an escape or
  a tag, and a mention or link cut short stays whole.

Every piece of text is escaped here and only here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from itertools import groupby

from . import Link, Mention, Rich, Text

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
