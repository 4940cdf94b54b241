"""What residents write, made safe to show to someone else: one function for every place.

``shown(text)`` is what a group, a member's card, a digest, the wish wall, the public API, the
dashboard and an export (without ``--with-phones``) print of a resident's text:

- ``clean``: invisible and direction characters are removed (zero-width spaces, joiners and marks
  U+200B–U+200F, embeddings and overrides U+202A–U+202E, isolates U+2066–U+2069, the word joiner
  and invisible operators U+2060–U+2064, U+FEFF, and a few more of the same kind): ``2\\u200b栋``
  would hide the building from the parser, a U+202E in a name would turn a line of the wall round.
  Inbound texts and names are cleaned where they enter; display cleans again for what is stored.
- ``mask``: mainland mobile numbers (with or without +86 / 0086 / 86), ID-card numbers (18 digits,
  the last may be X; the old 15-digit form) and landline numbers with an area code keep their
  first 3 and last 4 digits (``139****5678``), first 3 and last 2, area code and last 4. The digits
  may be any a person types — ASCII, full-width (１３９), circled, other scripts' digits, Chinese
  numerals read out digit by digit (一三九零…, 壹叁玖…) — and be grouped any way, split by spaces,
  line breaks, dashes, dots or slashes (``139\\n0724\\n5678``, ``1 3 9 0 …``, ``4208 0219 …``).
  Building and room numbers, dates, times, prices and member numbers are left alone (none of them
  is a run of exactly 11, 13 or 18 digits with nothing but separators between).

How: each character is first read as what it stands for (a *skeleton* of the text, one character
for one: any digit → ``0``–``9``, any separator → a space, other letters and signs stay or become
``~``); the patterns run on the skeleton, and the masks are cut into the text itself at the same
places, so what is kept reads as it was written.
"""

from __future__ import annotations

import re
import unicodedata

_CN_DIGITS = {
    **dict.fromkeys("零〇", "0"), **dict.fromkeys("一幺壹", "1"), **dict.fromkeys("二贰", "2"),
    **dict.fromkeys("三叁", "3"), **dict.fromkeys("四肆", "4"), **dict.fromkeys("五伍", "5"),
    **dict.fromkeys("六陆", "6"), **dict.fromkeys("七柒", "7"), **dict.fromkeys("八捌", "8"),
    **dict.fromkeys("九玖", "9"),
}
_SEPARATORS = set("-‐‑‒–—－.．·・/／_")  # what a person may put between groups of digits
_SAME = {"+": "+", "＋": "+", "(": "(", "（": "(", ")": ")", "）": ")", "x": "X", "ｘ": "X", "Ｘ": "X"}


class _Skeleton(dict):
    """``str.translate`` table: a character → what it stands for in a number (one character);
    filled on first sight of each character (there are too many digits in Unicode to list)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if ch in _CN_DIGITS:
            out = _CN_DIGITS[ch]
        elif ch in _SAME:
            out = _SAME[ch]
        elif ch.isspace() or ch in _SEPARATORS:
            out = " "
        elif (value := unicodedata.digit(ch, None)) is not None:
            out = str(value)  # ASCII, full-width, circled ①, mathematical 𝟏, Arabic-Indic …
        elif ch.isascii() and ch.isalpha():
            out = ch
        else:
            out = "~"
        self[code] = out
        return out


_SKELETON = _Skeleton()
_GAP = " {0,3}"  # a separator: a space, a line break, 「 - 」 …

_ID18 = re.compile(rf"(?<![0-9])(?P<head>[0-9]{{3}})[0-9]{{3}}{_GAP}[0-9]{{8}}{_GAP}[0-9]{{2}}(?P<tail>[0-9][0-9X])(?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<![0-9])(?P<head>[0-9]{3})[0-9]{10}(?P<tail>[0-9]{2})(?![0-9A-Za-z])")
_MOBILE = re.compile(
    rf"(?<![0-9])(?:(?:\+|00)?86{_GAP})?(?P<head>1[3-9][0-9]){_GAP}[0-9]{{4}}{_GAP}(?P<tail>[0-9]{{4}})(?![0-9])"
)
_LANDLINE = re.compile(
    rf"(?<![0-9])(?P<area>\(?0[0-9]{{2,3}}\)?)(?P<sep>{_GAP})[0-9]{{3,4}}{_GAP}(?P<tail>[0-9]{{4}})(?![0-9])"
)
# digits grouped any other way: a run of digits with nothing but separators between them
_RUN = re.compile(rf"(?<![0-9])[0-9](?:{_GAP}[0-9])*(?:{_GAP}X)?(?![0-9A-Za-z])")

_INVISIBLE = dict.fromkeys(
    [
        0x00AD,  # soft hyphen
        0x061C,  # Arabic letter mark
        0x180E,  # Mongolian vowel separator
        *range(0x200B, 0x2010),  # zero-width space, non-joiner, joiner; LRM, RLM
        *range(0x202A, 0x202F),  # LRE, RLE, PDF, LRO, RLO
        *range(0x2060, 0x2070),  # word joiner, invisible operators, LRI, RLI, FSI, PDI, deprecated formats
        0xFEFF,  # zero-width no-break space (BOM)
    ]
)


def clean(text: str | None) -> str:
    """``text`` without invisible and direction characters."""
    return (text or "").translate(_INVISIBLE)


def _run(sk: str, m: re.Match) -> tuple[int, int, int, int, str] | None:
    """A run of digits that is a number by its count alone: ``(start, keep_to, keep_from, end,
    stars)`` of the mask to cut, or None."""
    at = [i for i in range(m.start(), m.end()) if sk[i] != " "]
    x = sk[at[-1]] == "X"
    digits = at[:-1] if x else at
    lead = "".join(sk[i] for i in digits[:4])
    if not x and len(digits) == 11 and lead[0] == "1" and lead[1] in "3456789":
        return m.start(), digits[2] + 1, digits[7], digits[-1] + 1, "****"
    if not x and len(digits) == 13 and lead[:3] == "861" and lead[3] in "3456789":
        return m.start(), digits[4] + 1, digits[9], digits[-1] + 1, "****"
    if (len(digits) == 18 and not x) or (len(digits) == 17 and x):
        return m.start(), at[2] + 1, at[16], at[-1] + 1, "*" * 13
    return None


def mask(text: str | None) -> str:
    """``text`` with phone and ID-card numbers masked (the rest as it was)."""
    text = text or ""
    sk = text.translate(_SKELETON)
    if sum(sk.count(d) for d in "0123456789") < 10:
        return text  # most texts: too few digits for any number masked here
    cuts: list[tuple[int, int, int, int, str]] = []  # (start, keep_to, keep_from, end, stars)

    def take(found) -> None:
        nonlocal sk
        for start, keep_to, keep_from, end, stars in found:
            cuts.append((start, keep_to, keep_from, end, stars))
            sk = sk[:start] + "*" * (end - start) + sk[end:]  # what is masked is not looked at again

    take([(m.start(), m.end("head"), m.start("tail"), m.end(), "*" * 13) for m in _ID18.finditer(sk)])
    take([(m.start(), m.end("head"), m.start("tail"), m.end(), "*" * 10) for m in _ID15.finditer(sk)])
    take([found for m in _RUN.finditer(sk) if (found := _run(sk, m))])
    take([(m.start(), m.end("head"), m.start("tail"), m.end(), "****") for m in _MOBILE.finditer(sk)])
    take([(m.start(), m.end("sep"), m.start("tail"), m.end(), "****") for m in _LANDLINE.finditer(sk)])
    if not cuts:
        return text
    out, at = [], 0
    for start, keep_to, keep_from, end, stars in sorted(cuts):
        out += [text[at:keep_to], stars, text[keep_from:end]]
        at = end
    out.append(text[at:])
    return "".join(out)


def shown(text: str | None) -> str:
    """A resident's text as anyone else may see it: cleaned, then masked (not escaped: HTML is
    the renderer's job)."""
    return mask(clean(text))
