"""Chinese typed as toneless pinyin: 「zhao huo le 5dong」「meiqi wei hen da」「kuai lai ren 3dong」.

Someone in a hurry, or on a phone without a Chinese keyboard, types the sounds. The words that
say what is happening and where are read back as characters before anything else reads the
message, so the rules, the model and the address reader see 「着火le 5栋」. Only a word of two
or more syllables is read (a lone 「huo」 or 「yan」 could be anything), and only where it starts
a run of letters, so that English words (「lift」「ok」) are left alone.
"""

from __future__ import annotations

import re
from functools import cache

# What matters in a message typed in haste: the emergency, who is in danger, where, how bad.
WORDS = (
    # fire and smoke
    "着火", "失火", "起火", "火灾", "火警", "冒烟", "浓烟", "黑烟", "好多烟", "烟很大", "烟好大", "烧焦", "糊味", "爆炸",
    "着火了", "烧起来",
    # gas
    "煤气", "燃气", "天然气", "液化气", "煤气味", "燃气味", "漏气", "泄漏", "报警器",
    # water and power
    "漏水", "爆管", "水管", "被淹", "进水", "漏电", "电线", "电箱", "短路", "火花", "跳闸", "触电",
    # people hurt, in danger, trapped
    # (not 打架 / 打人 / 砍人: 「dajia hao」 is 大家好, 「da ren」 大人, 「kan ren」 看人)
    "救命", "快来人", "来人", "快来", "快点", "赶紧", "帮忙", "救护车", "报警", "急救", "晕倒", "昏倒", "摔倒",
    "倒地", "起不来", "流血", "受伤", "有人", "小孩", "孩子", "老人", "跳楼", "溺水", "落水", "被困", "困住",
    "电梯", "没呼吸", "抽搐", "中毒",
    # where
    "楼道", "楼梯", "厨房", "卫生间", "洗手间", "车库", "地下室", "楼下", "楼上", "门口", "单元", "小区", "阳台",
    "窗台",
    # how bad
    "很大", "好大", "很重", "好重", "味道", "严重",
    # and that it is not happening (round 23, dev_r22: 「…wo hai yi wei zhen zhao huo le, yuan lai shi jian niu pai」)
    "原来是", "没事了",
)

# An address typed in letters after its digits: 5dong, 3 danyuan, 12 hao lou, 6 lou.
_ADDRESS = re.compile(r"(\d+)\s*(hao\s*lou|dong|danyuan|lou)(?![a-z])")
_ADDRESS_HANZI = {"haolou": "号楼", "dong": "栋", "danyuan": "单元", "lou": "楼"}
_LATIN_PAIR = re.compile(r"[a-z]{2}")


@cache
def _words() -> tuple[re.Pattern, dict[str, str]]:
    # pypinyin is read on the first message with letters in it, not at start-up (0.15 s)
    from pypinyin import lazy_pinyin

    spelled: dict[str, str] = {}  # 「zhaohuo」 -> 着火
    spaced: dict[str, str] = {}  # 「zhaohuo」 -> 「zhao\s?huo」: each syllable may be followed by a space
    for word in WORDS:
        syllables = lazy_pinyin(word)
        key = "".join(syllables)
        if key not in spelled:
            spelled[key], spaced[key] = word, r"\s?".join(syllables)
    pattern = "|".join(spaced[key] for key in sorted(spelled, key=len, reverse=True))
    return re.compile(rf"(?<![a-z])(?:{pattern})"), spelled


def read_pinyin(s: str) -> str:
    """Normalised (lower-case) ``s`` with the pinyin of the listed words written as characters."""
    if _LATIN_PAIR.search(s) is None:
        return s
    s = _ADDRESS.sub(lambda m: m.group(1) + _ADDRESS_HANZI[m.group(2).replace(" ", "")], s)
    pattern, spelled = _words()
    return pattern.sub(lambda m: spelled[m.group().replace(" ", "")], s)
