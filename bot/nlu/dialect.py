"""Cantonese written in a group chat: 「有冇人知小区嘅访客停车几钱一个钟？」「阿婆喺花园跌低，郁唔到」.

The corpus and the model know Mandarin; a Guangdong compound's group writes Cantonese. Its
function words and a few everyday words are read as their Mandarin counterparts before anything
else reads the message, so the rules and the model see 「有没有人知小区的访客停车几钱一个钟？」. Only a
message with a sign no Mandarin writer uses (嘅, 咗, 喺, 冇, 佢, 嚟, 啲, 嘢, 哋, 嗰, 乜, 睇, 揾) is
read this way: 係 or 咁 alone are also traditional Mandarin characters.

And 冒 for 没, as 湘 and 赣 speakers write it (「有冒得人晓得」「好几天冒人清了」「游泳池开了冒」): read only
before the words it negates there and as a question's last word after 了, never after what gushes or
smokes (冒烟, 冒水, 冒气) or in 感冒; the urgency head had read 「赣江苑游泳池开了冒」 and 「好久冒看到李
爹爹了」 as emergencies (0.65), 没 in their place as nothing (0.01, 0.05).
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


_MAO = re.compile(
    r"(?<=了)冒(?=[？?吧呢啊哦，,。!！\s]|$)"
    r"|(?<![烟水火气血泡油汗光感假外上出里])冒(?:得(?!很|厉害|好|太|老|满|到处|凶|猛|越|更|快|多|跟)"
    r"|(?=看|听|有|人|去|来|吃|搞|做|用|办法|事|钱|空|问题|关系|反应|动静|声音))"
)


def read_mao(s: str) -> str:
    """``s`` with the 湘 / 赣 冒 that means 没 written 没 (冒得 没有)."""
    return _MAO.sub(lambda m: "没有" if m.group() == "冒得" else "没", s) if "冒" in s else s
