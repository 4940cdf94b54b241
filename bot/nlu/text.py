"""Text normalisation and Chinese numerals.

Everything downstream (places, features, urgency rules) reads the normalised form, so that
full-width digits (３栋), upper-case Latin letters and stray spaces look the same everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .dialect import read_cantonese, read_mao
from .pinyin import read_pinyin

# Characters that spell a number in an address: 三, 十二, 二十三, 五零一, 幺零二 (phone-style 1).
CN_NUMERAL_CHARS = "零〇一二三四五六七八九十百两幺"
CN_NUM = f"[{CN_NUMERAL_CHARS}]+"

_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFKC (full-width digits and punctuation become ASCII), lower-case, single spaces, the
    words that matter typed as pinyin written in characters (``pinyin.read_pinyin``) and
    Cantonese read as Mandarin (``dialect.read_cantonese``), and the 湘 / 赣 冒 for 没 (``dialect.read_mao``)."""
    text = unicodedata.normalize("NFKC", text)
    return read_mao(read_cantonese(read_pinyin(_SPACES.sub(" ", text).strip().lower())))


_DIGIT_BY_DIGIT = str.maketrans("零〇一二三四五六七八九幺", "001234567891")


@lru_cache(maxsize=4096)
def numeral_to_arabic(token: str) -> str:
    """'3' -> '3', '十二' -> '12', '二十三' -> '23', '五零一' -> '501'; '' when not a number.

    Cached: addresses repeat a small set of numerals, and cn2an costs ~10 µs per call.
    """
    if not token:
        return ""
    if token.isdigit():
        return str(int(token)) if token.isascii() else ""
    if "十" not in token and "百" not in token:
        # Room numbers are read digit by digit (五零一, 一零零二); cn2an agrees, but this is
        # exact and does not depend on its "smart" heuristics.
        if "两" in token:
            return "2" if token == "两" else ""
        return token.translate(_DIGIT_BY_DIGIT)
    import cn2an  # heavy (loads its own tables); only for 十/百 numerals, then cached

    try:
        return str(int(cn2an.cn2an(token, "smart")))
    except (ValueError, KeyError, TypeError):
        return ""


def longest_first(words) -> re.Pattern | None:
    """One pattern for a list of words that matches, at each position, the longest of them there
    (阳光小区 before 阳光, 电梯按钮 before 电梯); None for no words.

    Built as a trie (电梯(?:按钮|间)?), not as an alternation of the words longest first: ``re`` tries
    every branch of an alternation at every position, and with the duplicate check's thousand names
    that was a tenth of the parser's time. The greedy optional groups back off to the longest word
    that ends where the text stops matching, so the two match the same spans."""
    trie: dict = {}
    for word in set(words):
        if word:
            node = trie
            for ch in word:
                node = node.setdefault(ch, {})
            node[""] = {}  # a word ends here
    if not trie:
        return None

    def pattern(node: dict) -> str:
        branches = [re.escape(ch) + pattern(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        if len(branches) == 1 and "" not in node:
            return branches[0]
        return "(?:" + "|".join(branches) + ")" + ("?" if "" in node else "")

    return re.compile(pattern(trie))
