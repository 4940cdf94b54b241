"""Where a message says something happens: compound, building, unit, floor, room.

Rules, not a model: addresses follow a handful of written patterns (3栋 / 三号楼 / 3#楼 /
3幢, 2单元, 5楼, 501 / 五零一, 3-2-501) and a rule is exact where a classifier would guess.
Works on text already passed through ``text.normalize``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from .text import CN_NUM, longest_first, numeral_to_arabic

PLACE_FIELDS = ("compound", "building", "unit", "floor", "room")


@dataclass(frozen=True, slots=True)
class Place:
    compound: str = ""
    building: str = ""
    unit: str = ""
    floor: str = ""
    room: str = ""

    def to_dict(self) -> dict[str, str]:
        # Spelled out: dataclasses.asdict deep-copies and costs a tenth of a whole parse.
        return {"compound": self.compound, "building": self.building, "unit": self.unit,
                "floor": self.floor, "room": self.room}

    @property
    def is_empty(self) -> bool:
        return not (self.compound or self.building or self.unit or self.floor or self.room)


EMPTY_PLACE = Place()


class Gazetteer:
    """A community's own place names.

    ``compounds`` maps every alias (and the canonical name itself, added automatically) to the
    canonical compound name; ``buildings`` maps custom building names (「老干部楼」) to the
    building number. Equal gazetteers hash equal, so work derived from one is cached once.
    """

    __slots__ = ("compounds", "buildings", "_key")

    def __init__(
        self,
        compounds: Mapping[str, str] | None = None,
        buildings: Mapping[str, str] | None = None,
    ) -> None:
        merged = {name: name for name in (compounds or {}).values()}
        merged.update(compounds or {})
        self.compounds: dict[str, str] = {k.strip().lower(): v for k, v in merged.items() if k.strip()}
        self.buildings: dict[str, str] = {
            k.strip().lower(): str(v) for k, v in (buildings or {}).items() if k.strip()
        }
        self._key = (tuple(sorted(self.compounds.items())), tuple(sorted(self.buildings.items())))

    def __hash__(self) -> int:
        return hash(self._key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Gazetteer) and self._key == other._key

    def __repr__(self) -> str:
        return f"Gazetteer(compounds={len(self.compounds)}, buildings={len(self.buildings)})"

    @property
    def words(self) -> list[str]:
        """Every name the tokenizer should keep whole."""
        return sorted({*self.compounds, *self.compounds.values(), *self.buildings})


# ---------------------------------------------------------------------------------------------
# Numbered parts. One alternation, scanned left to right; the first of each kind wins.

_NUM = rf"(?:\d{{1,4}}|{CN_NUM})"
_ROOM_NUM = r"(?:\d{3,4}|[零〇一二三四五六七八九幺]{3,4})"
# 「5楼门口」 is the building in front of which something happens, 「5楼的」 is a floor.
_BUILDING_BY_LOU = "门口|楼下|下面|底下|前面|后面|旁边|那边|这边|东边|西边|南边|北边|对面|后头|前头|侧面"

_BUILDING_SUFFIX = r"(?:号楼|号栋|栋楼?|幢楼?|座|\#楼?)"
_ADDRESS = re.compile(
    rf"""
      (?P<range>{_NUM}\s?{_BUILDING_SUFFIX}?\s?(?:-|~|至|到|—)\s?{_NUM}\s?{_BUILDING_SUFFIX})  # 1-10栋, 5号楼至9号楼
    | (?P<dash>(?<![\d.:/])\d{{1,3}}-\d{{1,2}}-\d{{3,4}}(?![\d:/]))      # 3-2-501
    | (?P<b>第?{_NUM})\s?(?P<bs>号楼|号栋|栋楼?|幢楼?|座|\#楼?|号院)     # 3栋 三号楼 3#楼 十二座
    | (?<![a-z])(?P<bx>[a-z])\s?(?:栋楼?|座|幢楼?|号楼)                   # A座 B栋 (lower-cased)
    | (?P<bl>{_NUM})楼(?={_BUILDING_BY_LOU})                            # 5楼门口
    | (?P<u>{_NUM})\s?单元                                               # 2单元 二单元
    | (?P<um>(?<!\d)\d{{1,2}}|[一二三四五六七八九十]{{1,3}})门(?![口前外里卫岗禁铃缝把框锁窗帘])  # (红砖楼)7门: a unit in the north
    | (?P<ur>(?<![\d.:/])\d{{1,2}}-\d{{3,4}}(?![\d:/]))                  # (3栋)2-301
    | (?P<f>{_NUM})\s?(?:楼|层(?![灰皮膜油土布纸水霜黑白薄厚]))                   # 5楼 五层
    | (?P<r>{_ROOM_NUM})\s?(?P<rs>室|号房|房间|房|户)?                   # 501 五零一 1202室
    """,
    re.VERBOSE,
)
# Before a building numeral these make it a count, not a name: 「这一栋」「每一栋」「整一栋」.
_NOT_NAME_BEFORE = set("这那每整哪同隔几")
# A whole message that is a room number: floor digits then 01–19 (「501」, 「1202」, not 「666」).
_ONLY_ROOM = re.compile(r"^(?:[1-9]\d?(?:0[1-9]|1\d)|[一二三四五六七八九幺]{1,2}(?:[零〇][一二三四五六七八九幺]|幺[零〇一二三四五六七八九]))(?:室|房|号)?$")
# Between a building/unit/floor and the room that follows it.
_ROOM_GLUE = set(" -的,，")


def _number(raw: str) -> str:
    raw = raw.lstrip("第")
    if raw == "两" or not raw:
        return ""  # 两栋楼 = two buildings, never building 2
    return numeral_to_arabic(raw)


# A digit, a Chinese numeral or a word for a building: without one, no number is named.
_NUMBER_OR_BUILDING = re.compile(r"[\d零〇一二三四五六七八九十百两幺栋座幢]")


def extract_numbers(s: str) -> tuple[str, str, str, str]:
    """(building, unit, floor, room) from normalised text; '' for what is not said."""
    building = unit = floor = room = ""
    if _NUMBER_OR_BUILDING.search(s) is None:
        return building, unit, floor, room
    last_end = -10  # end of the previous building/unit/floor mention, for room adjacency
    several = False  # a range of buildings names no single one (「1-10栋停水」)
    for m in _ADDRESS.finditer(s):
        kind = m.lastgroup
        # lastgroup names the last group that matched, which is a suffix subgroup when present
        kind = {"rs": "r", "bs": "b"}.get(kind, kind)
        start = m.start()
        if kind == "range":
            several = True
            last_end = m.end()
        elif kind == "dash":
            b, u, r = m.group("dash").split("-")
            building = building or str(int(b))
            unit = unit or str(int(u))
            room = room or r
            last_end = m.end()
        elif kind in ("b", "bl"):
            raw = m.group(kind)
            if start > 0 and s[start - 1] in _NOT_NAME_BEFORE and not raw[0].isdigit():
                continue
            if kind == "b" and m.group("bs") == "座" and raw in ("一", "两", "几"):
                continue  # 一座桥: a measure word, not building 1
            value = _number(raw)
            if value and not building and not several:
                building = value
            last_end = m.end()
        elif kind == "bx":
            if not building and not several:
                building = m.group("bx").upper()
            last_end = m.end()
        elif kind == "u":
            value = _number(m.group("u"))
            if value and not unit:
                unit = value
            last_end = m.end()
        elif kind == "um":
            # 「12号楼3门」「红砖楼7门」: in 天津 and 北京 an entrance of a building is its unit; only
            # right after a building (「2号门」 is a gate, 「三门冰箱」 a fridge)
            after_building = (start > 0 and s[start - 1] in "楼栋幢座") or (building and start - last_end <= 1)
            value = _number(m.group("um"))
            if not after_building or not value:
                continue
            unit = unit or value
            last_end = m.end()
        elif kind == "ur":
            if not building or start - last_end > 1:
                continue  # 「2-301」 alone could be a score or a date; only trust it after 3栋
            u, r = m.group("ur").split("-")
            unit = unit or str(int(u))
            room = room or r
            last_end = m.end()
        elif kind == "f":
            value = _number(m.group("f"))
            if len(value) >= 3:
                # 「702楼上」「五零一楼上」: a room number followed by 楼上, not floor 702
                gap = s[last_end:start] if 0 <= last_end <= start else None
                if not room and gap is not None and len(gap) <= 1 and all(c in _ROOM_GLUE for c in gap):
                    room = value
                continue
            if (start > 0 and s[start - 1] == "了") or s.startswith(m.group(), m.end()) or s.endswith(m.group(), 0, start):
                # 「掉了一层」「爬了五楼」: a distance; 「一层一层的」: a manner, not where it is
                continue
            if s.endswith("地下", 0, start):
                continue  # 「地下二层」: a basement level, no floor of a building
            if value and not floor:
                floor = value
            last_end = m.end()
        elif kind == "r":
            raw = m.group("r")
            suffixed = m.group("rs") is not None
            gap = s[last_end:start] if 0 <= last_end <= start else None
            adjacent = gap is not None and len(gap) <= 1 and all(c in _ROOM_GLUE for c in gap)
            if not (suffixed or adjacent):
                continue
            if raw.isdigit() and raw.startswith("0"):
                continue
            value = numeral_to_arabic(raw)
            if value and not room:
                room = value
    if not room and _ONLY_ROOM.match(s):
        room = numeral_to_arabic(s.rstrip("室房号"))
    return building, unit, floor, room


# ---------------------------------------------------------------------------------------------
# Compound names.

_COMPOUND_SUFFIX = re.compile(r"小区|花园|家园|新村|公寓|名苑|苑")
# Characters that never sit inside a compound's name: where they start, the name ends.
_FUNCTION_CHARS = set(
    "的了在是我你他她它们这那个进出到去来把被让给和与跟从对往就都也还又再很太最些每各本该其"
    "某啥咋怎么吗呢吧啊呀哦嘛全整住回搬离隔里外个几多于祝请想因问谁"
)
_NUMERAL_CHARS = set("0123456789零〇一二三四五六七八九十百两")
_NOT_A_NAME = {
    "老旧", "周边", "附近", "隔壁", "其他", "别的", "高档", "新", "老", "小", "后", "前", "大",
    "屋顶", "空中", "美好", "美丽", "幸福", "和谐", "文明", "商品房", "住宅", "居民", "普通",
    "封闭", "开放", "老破", "整", "社区", "新建", "市级", "人才", "季节", "希望", "提升", "开展",
    "清理", "共建", "知道", "改造", "物业", "物业费", "中心", "街心", "后面", "公共",
}


def _pattern_compound(s: str) -> str:
    """A compound written as 「XX小区/花园/家园/苑/新村/公寓」 that no gazetteer knows.

    The name must start at a clear boundary (start, punctuation, a function character): a
    four-character window that runs out first means the text before 小区 is running prose.
    """
    for m in _COMPOUND_SUFFIX.finditer(s):
        j = start = m.start()
        while j > 0 and start - j < 4 and "\u4e00" <= s[j - 1] <= "\u9fff" and s[j - 1] not in _FUNCTION_CHARS:
            j -= 1
        prefix = s[j:start]
        at_boundary = j == 0 or not ("\u4e00" <= s[j - 1] <= "\u9fff") or s[j - 1] in _FUNCTION_CHARS
        if (
            len(prefix) < (2 if m.group() == "小区" else 1)
            or not at_boundary
            or prefix in _NOT_A_NAME
            or any(c in _NUMERAL_CHARS for c in prefix)
            or any(w in prefix for w in ("物业", "小区", "社区", "以后", "开始", "文明", "今天", "昨天", "反映", "我们", "咱们", "楼下", "楼上", "门口", "对面",
                                      "大家", "知道", "之后", "之前", "创建", "平安", "上午", "下午", "晚上", "早上", "整个",
                                      # times and quantities before 小区 (「近期小区发生…」「周末小区有…」)
                                      "近期", "最近", "周末", "明天", "本周", "下周", "上周", "近日", "目前", "全体", "各个", "整"))
        ):
            continue
        return prefix + m.group()
    return ""


@dataclass(frozen=True, slots=True)
class _Matcher:
    compounds: re.Pattern | None
    compound_names: dict[str, str]
    buildings: re.Pattern | None
    building_numbers: dict[str, str]


@lru_cache(maxsize=256)
def matcher_for(gazetteer: Gazetteer) -> _Matcher:
    """Compiled look-ups of one gazetteer; built once per distinct gazetteer."""
    return _Matcher(
        longest_first(gazetteer.compounds),
        gazetteer.compounds,
        longest_first(gazetteer.buildings),
        gazetteer.buildings,
    )


def extract_place(s: str, matcher: _Matcher | None = None) -> Place:
    """The place named in normalised text ``s``."""
    compound = ""
    building_alias = ""
    if matcher is not None:
        if matcher.compounds is not None and (m := matcher.compounds.search(s)):
            compound = matcher.compound_names[m.group()]
        if matcher.buildings is not None and (m := matcher.buildings.search(s)):
            building_alias = matcher.building_numbers[m.group()]
    if not compound:
        compound = _pattern_compound(s)
    building, unit, floor, room = extract_numbers(s)
    if not building:
        building = building_alias
    if not (compound or building or unit or floor or room):
        return EMPTY_PLACE
    return Place(compound, building, unit, floor, room)
