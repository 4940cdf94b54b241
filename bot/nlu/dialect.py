"""Cantonese written in a group chat: 「有冇人知小区嘅访客停车几钱一个钟？」「阿婆喺花园跌低，郁唔到」.

The corpus and the model know Mandarin; a Guangdong compound's group writes Cantonese. Its
function words and a few everyday words are read as their Mandarin counterparts before anything
else reads the message, so the rules and the model see 「有没有人知小区的访客停车几钱一个钟？」. Only a
message with a sign no Mandarin writer uses (嘅, 咗, 喺, 冇, 佢, 嚟, 啲, 嘢, 哋, 嗰, 乜, 睇, 揾) is
read this way: 係 or 咁 alone are also traditional Mandarin characters.
"""

from __future__ import annotations

import re

_SIGNS = re.compile(r"[嘅咗喺冇佢嚟啲嘢哋嗰乜睇揾]")

# Where one word contains another, the longer is read (有冇 before 冇, 唔该 before 唔, 佢哋 before 佢).
WORDS: dict[str, str] = {
    # function words
    "有冇": "有没有", "冇": "没", "嘅": "的", "咗": "了", "喺": "在", "唔该": "谢谢", "唔使": "不用",
    "唔": "不", "佢哋": "他们", "我哋": "我们", "你哋": "你们", "佢": "他", "嚟": "来", "睇": "看",
    "啲": "些", "乜嘢": "什么", "咩": "什么", "嘢": "东西", "係": "是", "咁": "这么", "嗰": "那",
    "俾": "给", "畀": "给", "揾": "找", "攞": "拿", "边个": "谁", "点样": "怎样", "点解": "为什么",
    "边度": "哪里", "而家": "现在", "依家": "现在", "仲": "还", "好似": "好像", "唔知": "不知道",
    # everyday words that say who and what happened
    "细路": "小孩", "屋企": "家里", "老豆": "爸爸", "阿爷": "爷爷", "阿嫲": "奶奶", "后生仔": "年轻人",
    "执到": "捡到", "跌低": "摔倒", "郁唔到": "动不了", "透唔到气": "喘不过气", "讲唔到嘢": "说不出话",
    "晕低": "晕倒",
}
# a few dozen words, read only in messages showing a sign: a plain alternation, longest first (not
# ``text.longest_first``: text imports this module, and the trie pays off only for a thousand words)
_PATTERN = re.compile("|".join(sorted(WORDS, key=len, reverse=True)))


def read_cantonese(s: str) -> str:
    """``s`` with its Cantonese words written in Mandarin, when it shows a Cantonese sign."""
    if _SIGNS.search(s) is None:
        return s
    return _PATTERN.sub(lambda m: WORDS[m.group()], s)
