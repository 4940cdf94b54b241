"""The small rich text every chat message is written in, whatever the platform.

A ``Rich`` is an immutable row of spans — plain text, a mention of a member (or of a chat
account), a link — each of them bold or not; a line break is ``"\\n"`` inside the text. What
people wrote goes in as plain strings: nothing in the form is markup, so nothing in a text module
needs escaping, and nothing can be escaped twice or forgotten. Each platform's renderer
(``bot.rich.render``: HTML for Telegram, markdown and plain text for WeCom-like platforms) escapes
when it writes its own markup. Masking of phone and ID numbers is not the form's business: a text
is masked (``bot.masking.shown``) before it goes in.

Building one reads like the sentence it makes::

    rich("已记录 ", bold("Q12"), "：", place, BR, "请 ", mention(name, account=key), " 跟进")
    "已记录 " + bold(code) + "：" + place          # str + Rich is a Rich

A ``Rich`` refuses to be put into an f-string or ``str()``-ed (``TypeError``): that would turn it
back into a string and lose what is bold, a mention or a link — use ``.plain`` for the visible text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Union

__all__ = [
    "BR", "Link", "Mention", "Part", "Rich", "Span", "Text", "bold", "join", "link", "mention", "rich",
]

BR = "\n"  # a line break, for texts that read better with it named


@dataclass(frozen=True, slots=True)
class Text:
    text: str
    bold: bool = False


@dataclass(frozen=True, slots=True)
class Mention:
    """A name that notifies that person where the platform can. It names them as the product
    knows them — ``account`` the key of a chat account (``chataccount.id``), ``member`` the member —
    never by a platform's id: whoever sends the message (with the database) finds their account on
    the platform it goes to (``bot.identities.mention_ids``) and the renderer links that. Without
    one there, the name is shown as plain text."""

    name: str
    account: int | None = None
    member: int | None = None
    bold: bool = False

    @property
    def who(self) -> tuple[int | None, int | None]:
        """Whom it names, whatever name it shows (a cut text shows less of it)."""
        return (self.account, self.member)


@dataclass(frozen=True, slots=True)
class Link:
    text: str
    url: str
    bold: bool = False


Span = Union[Text, Mention, Link]
Part = Union[str, Span, "Rich", None]  # what a builder takes: None and "" add nothing


def _label(span: Span) -> str:
    return span.name if isinstance(span, Mention) else span.text


class Rich:
    """An immutable sequence of spans, kept canonical (neighbouring plain texts of the same
    weight merged, empty ones dropped), so two texts that show the same are equal."""

    __slots__ = ("spans",)
    spans: tuple[Span, ...]

    def __init__(self, *parts: Part) -> None:
        out: list[Span] = []
        for part in parts:
            for span in _spans(part):
                if not _label(span):  # shows nothing
                    continue
                if isinstance(span, Text):
                    if out and isinstance(out[-1], Text) and out[-1].bold == span.bold:
                        out[-1] = Text(out[-1].text + span.text, span.bold)
                        continue
                out.append(span)
        object.__setattr__(self, "spans", tuple(out))

    def __setattr__(self, name, value):  # immutable: a text shared by two messages stays theirs
        raise AttributeError("Rich is immutable")

    # --- reading ---------------------------------------------------------------------------
    @property
    def plain(self) -> str:
        """The visible text: what a person reads, without any formatting."""
        return "".join(_label(s) for s in self.spans)

    @property
    def mentions(self) -> tuple[Mention, ...]:
        """The mentions in it (whom the sender looks up for the platform the message goes to)."""
        return tuple(s for s in self.spans if isinstance(s, Mention))

    def __bool__(self) -> bool:
        return bool(self.spans)

    def __len__(self) -> int:
        return len(self.plain)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rich) and other.spans == self.spans

    def __hash__(self) -> int:
        return hash(self.spans)

    def __repr__(self) -> str:
        return f"Rich{self.spans!r}"

    def __str__(self) -> str:
        raise TypeError("a Rich is not a str: use .plain for the visible text, or a renderer")

    def __format__(self, spec: str) -> str:
        raise TypeError("a Rich cannot go into an f-string: build with rich(...) / + instead")

    # --- building ----------------------------------------------------------------------------
    def __add__(self, other: Part) -> Rich:
        if not isinstance(other, (str, Rich, Text, Mention, Link)) and other is not None:
            return NotImplemented
        return Rich(self, other)

    def __radd__(self, other: Part) -> Rich:
        if not isinstance(other, (str, Rich, Text, Mention, Link)) and other is not None:
            return NotImplemented
        return Rich(other, self)

    def map_text(self, fn: Callable[[str], str]) -> Rich:
        """Every piece of visible text (names and link texts included) through ``fn``."""
        out = []
        for s in self.spans:
            if isinstance(s, Mention):
                out.append(replace(s, name=fn(s.name)))
            else:
                out.append(replace(s, text=fn(s.text)))
        return Rich(*out)

    def map_urls(self, fn: Callable[[str], str]) -> Rich:
        return Rich(*(replace(s, url=fn(s.url)) if isinstance(s, Link) else s for s in self.spans))

    def head(self, count: int) -> Rich:
        """The first ``count`` characters of the visible text, each span keeping its kind (a
        mention or link cut short is still one; its account or address is never cut)."""
        out: list[Span] = []
        left = count
        for s in self.spans:
            if left <= 0:
                break
            label = _label(s)
            if len(label) <= left:
                out.append(s)
            else:
                out.append(replace(s, name=label[:left]) if isinstance(s, Mention) else replace(s, text=label[:left]))
            left -= len(label)
        return Rich(*out)

    # --- storing -------------------------------------------------------------------------------
    def to_json(self) -> list:
        """A plain text is a string; everything else an object:
        ``{"b": text}``, ``{"mention": name, "account_id": key, "member": id}``, ``{"link": text,
        "url": url}`` (``"bold": true`` on a bold mention or link). ``account_id`` is a chat
        account's key; rows before migration 0014 held a Telegram user id as ``account``."""
        out: list = []
        for s in self.spans:
            if isinstance(s, Text):
                out.append({"b": s.text} if s.bold else s.text)
            elif isinstance(s, Mention):
                item: dict = {"mention": s.name}
                if s.account is not None:
                    item["account_id"] = s.account
                if s.member is not None:
                    item["member"] = s.member
                if s.bold:
                    item["bold"] = True
                out.append(item)
            else:
                item = {"link": s.text, "url": s.url}
                if s.bold:
                    item["bold"] = True
                out.append(item)
        return out

    @classmethod
    def from_json(cls, data) -> Rich:
        """The form back from what ``to_json`` stored; a bare string (a row written by hand, or
        by a version that stored text) is plain text. Never raises on what it cannot read:
        an unknown piece is kept as the text it carries, so nothing a person should read is lost.
        A mention naming a platform's user id (``"account"``, what rows held before migration 0014,
        which rewrote them) shows its name without a link: a number of unknown meaning is never
        taken for an account's key."""
        if data is None:
            return cls()
        if isinstance(data, str):
            return cls(data)
        if not isinstance(data, list):
            return cls(str(data))
        out: list[Span] = []
        for item in data:
            if isinstance(item, str):
                out.append(Text(item))
            elif isinstance(item, dict):
                bold = bool(item.get("bold"))
                if isinstance(item.get("b"), str):
                    out.append(Text(item["b"], True))
                elif isinstance(item.get("mention"), str):
                    out.append(Mention(item["mention"], _int(item.get("account_id")), _int(item.get("member")), bold))
                elif isinstance(item.get("link"), str) and isinstance(item.get("url"), str):
                    out.append(Link(item["link"], item["url"], bold))
                else:
                    out.append(Text("".join(v for v in item.values() if isinstance(v, str)), bold))
        return cls(*out)


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _spans(part: Part) -> Iterable[Span]:
    if part is None:
        return ()
    if isinstance(part, str):
        return (Text(part),)
    if isinstance(part, Rich):
        return part.spans
    if isinstance(part, (Text, Mention, Link)):
        return (part,)
    raise TypeError(f"not a part of a rich text: {type(part).__name__}")


# --- the builder ---------------------------------------------------------------------------------


def rich(*parts: Part) -> Rich:
    """Strings, spans and rich texts one after the other."""
    return Rich(*parts)


def bold(*parts: Part) -> Rich:
    """Everything in ``parts`` bold."""
    return Rich(*(replace(s, bold=True) for p in parts for s in _spans(p)))


def mention(name: str, account: int | None = None, member: int | None = None) -> Rich:
    """A name that notifies that person where the platform can (``account``: a chat account's key,
    ``member``: a member's id); the plain name otherwise."""
    return Rich(Mention(name, account if account else None, member))


def link(text: str, url: str) -> Rich:
    return Rich(Link(text, url))


def join(separator: Part, parts: Iterable[Part]) -> Rich:
    """``"、".join`` for rich texts."""
    out: list[Part] = []
    for i, part in enumerate(parts):
        if i:
            out.append(separator)
        out.append(part)
    return Rich(*out)
