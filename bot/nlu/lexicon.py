"""Community vocabulary for jieba and the one tokenizer of the process.

jieba's general dictionary splits group-chat words badly (「单元楼|道」, 「灯坏」); the words
below keep them whole, which helps both the classifier and duplicate detection. Compound and
building aliases of a community are added on top, once per distinct gazetteer.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache

from .concepts import long_concept_words

# Frequency high enough to win against jieba's own splits, low enough not to swallow
# neighbouring words; jieba's suggest_freq would do this per word but costs a segmentation each.
_FREQ = 20000

COMMUNITY_WORDS: tuple[str, ...] = (
    # places and parts of a building
    "楼道", "楼道灯", "声控灯", "感应灯", "单元门", "单元楼", "楼栋", "楼栋长", "网格员", "网格",
    "门禁", "门禁卡", "对讲门", "信报箱", "信箱", "天台", "楼顶", "顶楼", "地下室", "地下车库",
    "地库", "车库", "车棚", "电动车棚", "自行车棚", "岗亭", "门岗", "垃圾站", "垃圾房", "垃圾桶",
    "垃圾分类", "化粪池", "下水道", "下水井", "井盖", "窨井盖", "排水沟", "雨水管", "水箱", "水泵",
    "水泵房", "配电房", "配电箱", "电表箱", "消防栓", "消防通道", "消防车道", "安全出口", "防火门",
    "灭火器", "应急灯", "充电桩", "充电棚", "快递柜", "驿站", "健身器材", "绿化带", "人行道",
    "道闸", "减速带", "伸缩门", "闭门器", "扶手", "外墙", "墙皮", "瓷砖", "防水层", "空调外机",
    # problems
    "飞线充电", "高空抛物", "电动车", "电瓶车", "电梯", "困人", "关人", "煤气味", "燃气味",
    "天然气", "液化气", "漏气", "漏水", "渗水", "爆管", "跳闸", "停水", "停电", "断电", "积水",
    "反水", "返味", "堵塞", "小广告", "狗屎", "乱停", "乱停车", "占道", "僵尸车", "地锁",
    "车位", "停车位", "挪车", "噪音", "扰民", "广场舞", "装修", "电钻", "群租房", "推销",
    "传销", "诈骗", "遛狗", "牵绳", "物业", "物业费", "维修基金", "业委会", "保洁", "保安",
    "私搭乱建", "违建", "违章建筑", "油烟", "异味", "臭味", "蚊虫", "老鼠", "蟑螂",
    # people and help
    "独居老人", "空巢老人", "孤寡老人", "留守儿童", "微心愿", "志愿者", "红管家", "陪诊",
    "代买", "代办", "代取", "辅导", "家政", "钟点工", "开锁", "疏通", "热水器", "洗衣机",
    "轮椅", "拐杖", "助听器", "老花镜", "低保", "高龄补贴", "居住证", "社保", "医保",
    # group chatter
    "收到", "辛苦了", "接龙", "拼单", "团购", "群公告",
)

_lock = threading.Lock()


@lru_cache(maxsize=1)
def get_tokenizer():
    """The process-wide jieba tokenizer with the community words, built on first use.

    A private ``jieba.Tokenizer`` rather than the module-level default, so adding a
    community's place names never changes what other code gets from ``jieba.lcut``.
    """
    import jieba  # with the dictionary, on first use: commands that never parse do not pay for it

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word in (*COMMUNITY_WORDS, *long_concept_words()):
        tokenizer.add_word(word, _FREQ)
    return tokenizer


_added: set[str] = set()


def add_words(words) -> None:
    """Teach the tokenizer new words (place names); each word is added once per process."""
    new = [w for w in words if w and w not in _added]
    if not new:
        return
    tokenizer = get_tokenizer()
    with _lock:  # jieba's add_word mutates shared dicts; two threads adding at once would race
        for word in new:
            if word not in _added:
                tokenizer.add_word(word, _FREQ)
                _added.add(word)
