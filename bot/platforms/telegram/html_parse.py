"""Telegram's ``parse_mode=HTML``: the same tag subset, the same errors, the same entities.

Modelled on tdlib's ``parse_html`` (which the Bot API server uses): only the documented tags,
named entities ``&lt; &gt; &amp; &quot;`` and numeric ones; an ``&`` that starts no known
entity stays a literal ``&`` (as in Telegram); a ``<`` always starts a tag, so unescaped user
text such as ``a<b`` or ``<3`` is refused with ``can't parse entities``. Offsets and lengths of
the returned entities are in UTF-16 code units, like the Bot API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["EntityParseError", "parse_html", "utf16_len", "strip_formatted"]

_ALLOWED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
        "tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote",
    }
)
_SIMPLE = {
    "b": "bold", "strong": "bold",
    "i": "italic", "em": "italic",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "u": "underline", "ins": "underline",
    "tg-spoiler": "spoiler", "span": "spoiler",
}
_SPACES = " \t\r\n\f\v"
_SPECIAL = re.compile(r"[&<]")


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; ``str(err)`` is tdlib's message."""


def utf16_len(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@dataclass
class _Open:
    tag: str
    argument: str
    utf16_offset: int
    result_pos: int  # index into the result pieces list, to recover the inner text of <a>


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8", "surrogatepass"))


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """``text[pos] == '&'``; the decoded character and the position after it, or None."""
    n = len(text)
    end = pos + 1
    code = 0
    if end < n and text[end] == "#":
        end += 1
        if end < n and text[end] in "xX":
            end += 1
            start = end
            while end < n and text[end] in "0123456789abcdefABCDEF" and end - start < 8:
                end += 1
            digits = text[start:end]
            code = int(digits, 16) if digits else 0
        else:
            start = end
            while end < n and text[end].isdigit() and text[end].isascii() and end - start < 8:
                end += 1
            digits = text[start:end]
            code = int(digits) if digits else 0
        if code == 0 or code >= 0x10FFFF or end - pos >= 10 or 0xD800 <= code <= 0xDFFF:
            return None
        char = chr(code)
    else:
        while end < n and text[end].isascii() and text[end].isalpha():
            end += 1
        name = text[pos + 1 : end]
        char = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}.get(name)
        if char is None:
            return None
    if end < n and text[end] == ";":
        end += 1
    return char, end


def parse_html(text: str) -> tuple[str, list[dict]]:
    """Plain text and Bot API entities of ``text``; raises :class:`EntityParseError`."""
    n = len(text)
    pieces: list[str] = []
    utf16 = 0
    stack: list[_Open] = []
    entities: list[dict] = []
    i = 0
    while i < n:
        # Fast path: the run of ordinary characters up to the next '&' or '<'.
        found = _SPECIAL.search(text, i)
        j = found.start() if found else n
        if j > i:
            chunk = text[i:j]
            pieces.append(chunk)
            utf16 += utf16_len(chunk)
            i = j
            if i >= n:
                break
        c = text[i]
        if c == "&":
            decoded = _decode_entity(text, i)
            if decoded is None:
                pieces.append("&")
                utf16 += 1
                i += 1
            else:
                char, i = decoded
                pieces.append(char)
                utf16 += utf16_len(char)
            continue

        begin = i
        i += 1
        if i < n and text[i] == "/":
            # End tag.
            i += 1
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {_byte_offset(text, begin)}")
            tag_end = i
            while tag_end < n and text[tag_end] not in _SPACES and text[tag_end] != ">":
                tag_end += 1
            end_name = text[i:tag_end].lower()
            while tag_end < n and text[tag_end] in _SPACES:
                tag_end += 1
            if tag_end >= n or text[tag_end] != ">":
                raise EntityParseError(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
            opened = stack[-1]
            if end_name and end_name != opened.tag:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
                    f'expected "</{opened.tag}>", found "</{end_name}>"'
                )
            stack.pop()
            i = tag_end + 1
            if utf16 > opened.utf16_offset:
                _close_entity(opened, utf16, pieces, entities)
            continue

        # Start tag.
        tag_end = i
        while tag_end < n and text[tag_end] not in _SPACES and text[tag_end] != ">":
            tag_end += 1
        if tag_end >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        tag = text[i:tag_end].lower()
        if tag not in _ALLOWED_TAGS:
            raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {_byte_offset(text, begin)}')
        argument = ""
        i = tag_end
        while i < n and text[i] != ">":
            while i < n and text[i] in _SPACES:
                i += 1
            if i >= n:
                break
            if text[i] == ">":
                break
            attr_begin = i
            while i < n and text[i] not in _SPACES and text[i] != "=" and text[i] != ">":
                i += 1
            attr = text[attr_begin:i].lower()
            if not attr:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset {_byte_offset(text, begin)}'
                )
            while i < n and text[i] in _SPACES:
                i += 1
            if i >= n or text[i] != "=":
                if tag == "blockquote" and attr == "expandable":
                    argument = "expandable"
                    continue
                raise EntityParseError(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                    f"at byte offset {_byte_offset(text, begin)}"
                )
            i += 1
            while i < n and text[i] in _SPACES:
                i += 1
            if i >= n:
                raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {_byte_offset(text, begin)}')
            if text[i] not in "'\"":
                token_begin = i
                while i < n and (text[i].isascii() and text[i].isalnum() or text[i] in ".-"):
                    i += 1
                value = text[token_begin:i].lower()
                if i < n and text[i] not in _SPACES and text[i] != ">":
                    raise EntityParseError(
                        f"Unexpected end of name token at byte offset {_byte_offset(text, token_begin)}"
                    )
            else:
                quote = text[i]
                i += 1
                chars: list[str] = []
                while i < n and text[i] != quote:
                    if text[i] == "&":
                        decoded = _decode_entity(text, i)
                        if decoded is not None:
                            chars.append(decoded[0])
                            i = decoded[1]
                            continue
                    chars.append(text[i])
                    i += 1
                if i < n:
                    i += 1
                value = "".join(chars)
            if i >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
            if tag == "a" and attr == "href":
                argument = value
            elif tag == "code" and attr == "class" and value.startswith("language-"):
                argument = value[len("language-"):]
            elif tag == "span" and attr == "class" and value.startswith("tg-"):
                argument = value[len("tg-"):]
            elif tag == "tg-emoji" and attr == "emoji-id":
                argument = value
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        i += 1  # past '>'
        if tag == "span" and argument != "spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(text, begin)}'
            )
        if tag == "tg-emoji" and not argument.isdigit():
            raise EntityParseError(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {_byte_offset(text, begin)}'
            )
        stack.append(_Open(tag, argument, utf16, len(pieces)))

    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(pieces), [_public(e) for e in entities]


def _close_entity(opened: _Open, utf16: int, pieces: list[str], entities: list[dict]) -> None:
    offset = opened.utf16_offset
    length = utf16 - offset
    tag = opened.tag
    if tag in _SIMPLE:
        entities.append({"type": _SIMPLE[tag], "offset": offset, "length": length})
    elif tag == "a":
        url = opened.argument or "".join(pieces[opened.result_pos:])
        if url.startswith("tg://user?id=") and url[len("tg://user?id="):].isdigit():
            entities.append({"type": "text_mention", "offset": offset, "length": length,
                             "user": {"id": int(url[len("tg://user?id="):]), "is_bot": False,
                                      "first_name": "".join(pieces[opened.result_pos:])}})
        elif url:
            entities.append({"type": "text_link", "offset": offset, "length": length, "url": url})
    elif tag == "code":
        entity = {"type": "code", "offset": offset, "length": length}
        if opened.argument:
            entity["_language"] = opened.argument
        entities.append(entity)
    elif tag == "pre":
        entity = {"type": "pre", "offset": offset, "length": length}
        if entities and entities[-1]["type"] == "code" and entities[-1]["offset"] == offset \
                and entities[-1]["length"] == length:
            inner = entities.pop()
            if inner.get("_language"):
                entity["language"] = inner["_language"]
        entities.append(entity)
    elif tag == "blockquote":
        kind = "expandable_blockquote" if opened.argument == "expandable" else "blockquote"
        entities.append({"type": kind, "offset": offset, "length": length})
    elif tag == "tg-emoji":
        entities.append({"type": "custom_emoji", "offset": offset, "length": length,
                         "custom_emoji_id": opened.argument})


def strip_formatted(text: str, entities: list[dict]) -> tuple[str, list[dict]]:
    """Trim surrounding whitespace as Telegram does, shifting and clipping the entities."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    out = []
    for e in entities:
        start = max(e["offset"] - lead, 0)
        end = min(e["offset"] + e["length"] - lead, total)
        if end > start:
            e = dict(e, offset=start, length=end - start)
            out.append(e)
    return stripped, out


def _public(entity: dict) -> dict:
    if "_language" in entity:
        entity = {k: v for k, v in entity.items() if k != "_language"}
    return entity
