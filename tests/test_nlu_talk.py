"""Neighbours' talk about the compound's things that reports nothing (bot/nlu/talk.py), and what
the bot does with it in a group."""

import pytest

from bot.nlu import get_parser
from bot.nlu.decision import decide
from bot.nlu.talk import talk_kind
from bot.nlu.text import normalize


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("在健身区捡到一副老花镜，我放门卫室了", "found"),
        ("谁家宝宝的小帽子掉的？", "found"),
        ("3栋的电梯修好啦，谢谢师傅", "fixed"),
        ("楼下那堆建筑垃圾今天拉走了，干净多了", "fixed"),
        ("婴儿床转让，九成新，要的私我", "trade"),
        ("有人要旧书吗？20块拿走一箱", "trade"),
        ("周日的包饺子活动算我家一个", "join"),
        ("物业报修电话是多少", "office"),
        ("感谢3号楼的王师傅帮我修了门锁", "thanks"),
    ],
)
def test_kinds_of_talk(text, kind):
    assert talk_kind(normalize(text)) == kind


@pytest.mark.parametrize(
    "text",
    [
        "电梯修好了没两天又坏了",  # it came back
        "楼道灯一直不亮了",  # 不亮了 is no 亮了
        "楼道垃圾说是清走了，还是堆满了",
        "谁家的狗在电梯里拉屎了，也不收拾",  # whose dog: a complaint, not a lost thing
        "帮我取个快递吧，谢谢",  # a request that closes with thanks
        "谁家有电钻借我用一下",  # borrowing is a wish in the corpus' labels
        "请问F区何时开通天然气？" + "周边小区都开通了，" * 12,  # a long letter is never talk
    ],
)
def test_what_is_no_talk(text):
    assert talk_kind(normalize(text)) is None


@pytest.mark.parametrize("text", ["在健身区捡到一副老花镜，我放门卫室了", "3栋的电梯修好啦，谢谢师傅"])
def test_talk_is_ignored_in_a_group(text):
    r = get_parser().parse(text)
    assert r.intent == "chatter" and decide(r, text).action == "ignore"


def test_an_emergency_is_never_talk():
    text = "电梯修好了，刚才又卡住了，里面关着两个孩子"
    assert get_parser().parse(text).urgent
