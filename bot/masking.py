"""What residents write, made safe to show to someone else: one function for every place.

``shown(text)`` is what a group, a member's card, a digest, the wish wall, the public API, the
dashboard and an export (without ``--with-phones``) print of a resident's text:

- ``clean``: invisible and direction characters are removed (zero-width spaces, joiners and marks
  U+200B–U+200F, embeddings and overrides U+202A–U+202E, isolates U+2066–U+2069, the word joiner
  and invisible operators U+2060–U+2064, U+FEFF, and a few more of the same kind): ``2\\u200b栋``
  would hide the building from the parser, a U+202E in a name would turn a line of the wall round.
  Inbound texts and names are cleaned where they enter; display cleans again for what is stored.
- ``mask``: mainland mobile numbers (with or without +86 / 0086 / 86, in 3-4-4 groups separated
  by spaces, dashes, dots or slashes, in full-width digits too, or spelt in Chinese numerals
  一三九零七二四…) keep their first 3 and last 4 digits (``139****5678``); ID-card numbers (18 digits, the last may be X; the old 15-digit form) keep
  their first 3 and last 2; landline numbers with an area code (027-8888 8888) keep the area code
  and the last 4. Building and room numbers, dates, times, prices and member numbers are left alone
  (none of them has the shape of the numbers above).
"""

from __future__ import annotations

import re

# Python's \d matches every Unicode decimal digit, so full-width １３９… is a number here too.
_SEP = r"[ \t\u00a0\u3000\-‐‑‒–—－.．·・/_]"  # one separator a person may put between digit groups
_CN = "零〇一二三四五六七八九幺"  # a number read out digit by digit, as some write it
_X = "XxＸｘ"

_MOBILE = re.compile(
    rf"(?<!\d)(?P<prefix>(?:[+＋]|00)?86{_SEP}?)?(?P<head>[1１][3-9３-９]\d){_SEP}?\d{{4}}{_SEP}?(?P<tail>\d{{4}})(?!\d)"
)
_ID18 = re.compile(rf"(?<!\d)(?P<head>\d{{3}})\d{{3}}{_SEP}?\d{{8}}{_SEP}?\d\d(?P<tail>\d[\d{_X}])(?![\dA-Za-z])")
_ID15 = re.compile(r"(?<!\d)(?P<head>\d{3})\d{10}(?P<tail>\d{2})(?![\dA-Za-z])")
_MOBILE_CN = re.compile(rf"(?<![{_CN}])(?P<head>[一幺][三四五六七八九][{_CN}])[{_CN}]{{4}}(?P<tail>[{_CN}]{{4}})(?![{_CN}])")
_LANDLINE = re.compile(
    rf"(?<!\d)(?P<area>[(（]?[0０]\d{{2,3}}[)）]?)(?P<sep>{_SEP}?)\d{{3,4}}{_SEP}?(?P<tail>\d{{4}})(?!\d)"
)

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


def mask(text: str | None) -> str:
    """``text`` with phone and ID-card numbers masked (the rest as it was)."""
    text = text or ""
    if _MOBILE_CN.search(text):
        text = _MOBILE_CN.sub(lambda m: m["head"] + "****" + m["tail"], text)
    if not any(ch.isdigit() for ch in text):
        return text  # most texts: nothing more to look at
    text = _ID18.sub(lambda m: m["head"] + "*" * 13 + m["tail"], text)
    text = _ID15.sub(lambda m: m["head"] + "*" * 10 + m["tail"], text)
    text = _MOBILE.sub(lambda m: (m["prefix"] or "") + m["head"] + "****" + m["tail"], text)
    return _LANDLINE.sub(lambda m: m["area"] + m["sep"] + "****" + m["tail"], text)


def shown(text: str | None) -> str:
    """A resident's text as anyone else may see it: cleaned, then masked (not escaped: HTML is
    the renderer's job)."""
    return mask(clean(text))
