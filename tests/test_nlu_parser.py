"""What the rest of the bot relies on: the result shape, intents and categories, urgency."""

import subprocess
import sys
from pathlib import Path

import pytest

from bot.nlu import Gazetteer, ParseResult, get_parser
from bot.nlu.parser import ISSUE_CATEGORIES, WISH_CATEGORIES

REPO = Path(__file__).resolve().parents[1]


def test_to_dict_has_exactly_the_documented_shape():
    d = get_parser().parse("3栋2单元楼道灯坏了好几天了").to_dict()
    assert set(d) == {"intent", "category", "urgent", "confidence", "place"}
    assert set(d["place"]) == {"compound", "building", "unit", "floor", "room"}
    assert d["intent"] == "issue" and d["category"] == "facility" and d["urgent"] is False
    assert 0.0 <= d["confidence"] <= 1.0


@pytest.mark.parametrize(
    ("text", "intent", "category"),
    [
        ("5号楼电梯又停了，老人上不去楼", "issue", "facility"),
        ("楼下垃圾桶满了好几天没人清，臭死了", "issue", "sanitation"),
        ("楼道里停满了电动车，还有人飞线充电", "issue", "safety"),
        ("楼上每天半夜还在蹦，吵得睡不着", "issue", "noise"),
        ("有辆车停在消防通道上两天了，谁的车挪一下", "issue", "parking"),
        ("我家老人一个人住，想请志愿者每周上门陪他聊聊天", "wish", "elderly"),
        ("孩子数学跟不上，有没有大学生可以辅导一下", "wish", "study"),
        ("大家早上好🌞", "chatter", "none"),
        ("收到👌", "chatter", "none"),
        ("中秋节快乐！祝各位邻居阖家团圆", "chatter", "none"),
        # short, voice-typed, dialect, sarcasm, complaints as questions, @mentions, notices
        ("楼道灯又坏了", "issue", "facility"),
        ("2号楼的电梯按钮全不亮了，上不去", "issue", "facility"),
        ("怎么还没人修？路灯黑了一个礼拜了", "issue", "facility"),
        ("小区后门垃圾堆成山了，臭气熏天", "issue", "sanitation"),
        ("草地上全是狗屎，踩了一脚", "issue", "sanitation"),
        ("有人在楼梯间给电瓶车充电，线拉得到处都是", "issue", "safety"),
        ("楼上天天半夜拖家具，吵得睡不着", "issue", "noise"),
        ("楼上嘎哈呢 半夜还蹦", "issue", "noise"),
        ("楼上漏水到我家，他们不认账也不修", "issue", "dispute"),
        ("谁的车堵在车库出口了，快来挪", "issue", "parking"),
        ("物业电话永远打不通，报修也没人来", "issue", "property"),
        ("车棚里的电瓶又被偷了", "issue", "order"),
        ("我妈一个人在家，想请志愿者每天去看看她", "wish", "elderly"),
        # an errand because the writer cannot go (round 17: a neighbour's everyday errand is chatter)
        ("我腿脚不方便下楼，谁去超市能帮我带一桶油", "wish", "errand"),
        ("孩子英语跟不上，有没有大学生能辅导", "wish", "study"),
        ("想约社区医生上门给老人量血压", "wish", "health"),
        ("家里马桶堵了，有没有会通的师傅", "wish", "household"),
        ("早上好各位☀️", "chatter", "none"),
        ("收到，谢谢网格员🙏", "chatter", "none"),
        ("电梯已经修好了，谢谢物业", "chatter", "none"),
        ("停水通知：明天上午九点到下午五点停水，请提前储水", "chatter", "none"),
        ("请问驿站几点关门", "chatter", "none"),
        ("@李姐 晚上一起跳舞不", "chatter", "none"),
    ],
)
def test_intent_and_category_of_typical_messages(text, intent, category):
    r = get_parser().parse(text)
    assert (r.intent, r.category) == (intent, category)


def test_categories_belong_to_their_intent():
    texts = ["电梯坏了", "帮我买点菜", "哈哈哈", "楼上漏水到我家", "谁能陪我妈去医院"]
    for r in get_parser().parse_many(texts):
        allowed = {"issue": ISSUE_CATEGORIES, "wish": WISH_CATEGORIES, "chatter": ("none",)}[r.intent]
        assert r.category in allowed


@pytest.mark.parametrize(
    "text",
    [
        "3栋2单元有人家里着火了，冒黑烟！",
        "楼道里一股很浓的煤气味",
        "救命，我被困在电梯里了，8栋1单元",
        "楼下有个老人摔倒了起不来，头上流血了",
        "水管爆了，地下室已经淹了",
        "电线掉在地上还在冒火花，大家别靠近",
        "电梯里困了人！快来人",
        "有个小孩被关在电梯里哭 D座",
        "一楼厨房着了 烟好大",
        "煤汽味好重 谁家的 快查查",
        "12栋有个老爷子在花坛边跌了一跤 爬不起来",
        "老人在楼梯口昏过去了 叫都叫不醒",
        "地下车库进水了 车都泡着了",
    ],
)
def test_emergencies_are_urgent(text):
    r = get_parser().parse(text)
    assert r.urgent and r.intent != "chatter"


def test_an_emergency_in_a_public_place_is_a_safety_issue():
    r = get_parser().parse("电梯里困了人！快来人")
    assert (r.intent, r.category, r.urgent) == ("issue", "safety", True)
    assert r.confidence >= 0.9  # the bot acts on it instead of asking back


@pytest.mark.parametrize(
    "text",
    [
        "社区将于下周三开展消防演练，届时会有警报声，请大家不要惊慌",
        "火已经灭了，没有人受伤，谢谢消防员",
        "楼道灯坏了好几天了",
        "家里的热水器打不着火了，求推荐维修师傅",
        "楼下那个烟是烧烤摊的，不是着火，虚惊一场",
        "现在没有煤气味了，窗户都开着",
        "请问电梯卡在哪里充值",
        "小区门口天天有人乱停车，救护车都进不来",
        "路面结冰了，大家出门小心滑倒",
        "腿骨折了在家，想请人帮忙扔一下垃圾",
        "燃气公司提醒：闻到煤气味请立即开窗，不要开灯",
    ],
)
def test_notices_hindsight_and_nuisances_are_not_urgent(text):
    assert not get_parser().parse(text).urgent


def test_long_formal_complaint_is_an_issue():
    text = (
        "关于城北工业园化工厂夜间偷排废气的投诉。尊敬的领导：您好！工业园里的一家化工厂每到晚上"
        "就排放刺鼻的气体，周边几个小区的居民晚上都不敢开窗，很多老人孩子咳嗽、喉咙痛。我们多次向"
        "有关部门反映，白天检查一切正常，晚上照排不误。恳请组织夜间突击检查。"
    )
    assert get_parser().parse(text).intent == "issue"


def test_parse_many_keeps_order_and_matches_parse():
    p = get_parser()
    texts = ["3栋电梯坏了", "收到", "谁能帮我取个快递", "", "着火了"]
    many = p.parse_many(texts)
    assert [r.to_dict() for r in many] == [p.parse(t).to_dict() for t in texts]
    assert all(isinstance(r, ParseResult) for r in many)
    assert p.parse_many([]) == []


def test_get_parser_is_cached():
    assert get_parser() is get_parser()


def test_gazetteer_names_become_tokens_once():
    from bot.nlu.lexicon import get_tokenizer

    gaz = Gazetteer(compounds={"紫薇雅筑": "紫薇雅筑"})
    assert get_parser().parse("紫薇雅筑3栋电梯坏了", gaz).place.compound == "紫薇雅筑"
    assert "紫薇雅筑" in get_tokenizer().lcut("紫薇雅筑3栋电梯坏了", HMM=False)
    assert Gazetteer(compounds={"紫薇雅筑": "紫薇雅筑"}) == gaz and hash(gaz) == hash(
        Gazetteer(compounds={"紫薇雅筑": "紫薇雅筑"})
    )


def test_importing_nlu_loads_nothing_heavy():
    code = "import sys, bot.nlu; print(any(m in sys.modules for m in ('jieba', 'sklearn', 'scipy')))"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_nlu_is_platform_free():
    for path in (REPO / "bot" / "nlu").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "aiogram" not in source and "fastapi" not in source, path


@pytest.mark.parametrize(
    ("text", "named"),
    [("东梯一直卡在五楼", True), ("3栋楼道灯不亮", True), ("那个电体又坏了", True), ("12栋1802", False),
     ("今天好冷啊", False), ("烧烤摊的油烟", True), ("楼道里挂满腊肉，过不去", True), ("地库线画得太窄", True),
     ("社区啥时候再组织义诊？", True), ("物管年底清洁费又单收", True), ("东门那家包子铺挺好吃", False)],
)
def test_names_the_compound_agrees_with_the_signature(text, named):
    # the parser's quick question (does a message name anything of the compound?) and the duplicate
    # check's full reading must never disagree: a thing or a part of the compound the signature reads
    # is named; beyond them only the community's bodies (社区, 居委会, 物管 …) are
    from bot.nlu.problems import names_the_compound, signature
    from bot.nlu.text import normalize

    s = normalize(text)
    sig = signature(s)
    assert names_the_compound(s) == named
    if sig.objects or sig.places.get("part"):
        assert named
