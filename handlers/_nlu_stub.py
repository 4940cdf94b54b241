"""TEMPORARY stand-in for ``bot.nlu`` until the nlu branch lands (then this file goes).

Keyword rules only, the same API: ``Gazetteer``, ``get_parser().parse(text, gaz)``,
``same_issue(a, b)``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_CN = "零〇一二两三四五六七八九十"


def _num(raw: str) -> str:
    if raw.isdigit():
        return str(int(raw))
    try:
        import cn2an

        return str(int(cn2an.cn2an(raw, "smart")))
    except Exception:
        return ""


class Gazetteer:
    def __init__(self, compounds=None, buildings=None):
        merged = {v: v for v in (compounds or {}).values()}
        merged.update(compounds or {})
        self.compounds = dict(merged)
        self.buildings = dict(buildings or {})


@dataclass
class Place:
    compound: str = ""
    building: str = ""
    unit: str = ""
    floor: str = ""
    room: str = ""


@dataclass
class ParseResult:
    text: str
    intent: str
    category: str
    urgent: bool
    confidence: float
    place: Place = field(default_factory=Place)


_B = re.compile(rf"(\d+|[{_CN}]+)\s*(?:号楼|号栋|栋|幢|#)")
_U = re.compile(rf"(\d+|[{_CN}]+)\s*单元")
_CATS = [
    ("dispute", "吵架 纠纷 吵起来 矛盾"),
    ("noise", "噪音 吵得 太吵 半夜"),
    ("safety", "飞线 充电 着火 煤气 电线 隐患 消防"),
    ("sanitation", "垃圾 臭 脏 清理 卫生"),
    ("parking", "停车 车位 堵车 挡路"),
    ("facility", "灯 坏了 漏水 电梯 门禁 水管 维修 堵了"),
]
_ISSUE = "坏 漏 垃圾 吵 噪音 堵 脏 臭 飞线 充电 隐患 着火 没人管 不亮 积水 乱停 故障"
_WISH = "想请 希望有 想找人 帮忙 心愿 想要 陪 辅导"
_URGENT = "着火 起火 冒烟 煤气味 燃气味 晕倒 流血 救命 困在 被困 摔倒 漏电"


class Parser:
    def parse(self, text: str, gaz: Gazetteer | None = None) -> ParseResult:
        t = text.strip()
        place = Place()
        for alias, canonical in sorted(((gaz.compounds if gaz else {}) or {}).items(), key=lambda kv: -len(kv[0])):
            if alias and alias in t:
                place.compound = canonical
                break
        for alias, number in ((gaz.buildings if gaz else {}) or {}).items():
            if alias and alias in t:
                place.building = number
        m = _B.search(t)
        if m and not place.building:
            place.building = _num(m.group(1))
        m = _U.search(t)
        if m:
            place.unit = _num(m.group(1))
        urgent = any(w in t for w in _URGENT.split())
        issue = urgent or any(w in t for w in _ISSUE.split())
        wish = any(w in t for w in _WISH.split())
        if wish and not urgent:
            intent, conf = "wish", 0.8
        elif issue:
            intent, conf = "issue", 0.85
        elif "?" in t or "？" in t or "吗" in t:
            intent, conf = "chatter", 0.5
        elif "能不能" in t or "怎么回事" in t:
            intent, conf = "issue", 0.45
        else:
            intent, conf = "chatter", 0.9
        category = "other"
        if intent == "issue":
            for cat, words in _CATS:
                if any(w in t for w in words.split()):
                    category = cat
                    break
        elif intent == "wish":
            category = "errand" if "买" in t else "study" if "辅导" in t else "other"
        return ParseResult(t, intent, category, urgent, conf, place)

    def parse_many(self, texts, gaz=None):
        return [self.parse(t, gaz) for t in texts]


@dataclass
class Same:
    same: bool
    score: float


def same_issue(a, b) -> Same:
    pa = a if isinstance(a, ParseResult) else Parser().parse(a)
    pb = b if isinstance(b, ParseResult) else Parser().parse(b)
    sa, sb = set(pa.text), set(pb.text)
    score = len(sa & sb) / max(1, len(sa | sb))
    same = pa.category == pb.category and score > 0.3
    return Same(same, score)


_PARSER = None


def get_parser() -> Parser:
    global _PARSER
    if _PARSER is None:
        _PARSER = Parser()
    return _PARSER
