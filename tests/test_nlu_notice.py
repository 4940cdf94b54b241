"""A forwarded notice is an announcement, not a report, however many problem words it holds."""

import pytest

from bot.nlu import get_parser
from bot.nlu.decision import IGNORE, decide
from bot.nlu.notice import is_notice

NOTICES = [
    "【停水通知】\n尊敬的各位业主：\n因市政管网检修，本小区3-9栋将于周五8:00-18:00停水，请提前储水。\n给您带来不便，敬请谅解！\n物业服务中心",
    "转发：燃气公司入户安检公告\n安检人员将于下周一至周三入户检查燃气管道、阀门和报警器，请家中留人，安检不收取任何费用。",
    "温馨提示：\n1. 电动车不要推进楼道充电；\n2. 楼道里不要堆放纸箱杂物；\n3. 消防通道不要停车。\n感谢大家的配合！",
]


@pytest.mark.parametrize("text", NOTICES)
def test_a_forwarded_notice_is_chatter_and_ignored(text):
    assert is_notice(text)
    r = get_parser().parse(text)
    assert r.intent == "chatter" and not r.urgent
    assert decide(r, text).action == IGNORE


@pytest.mark.parametrize(
    "text",
    [
        "关于小区电梯频繁故障的投诉\n我们3栋的电梯这个月坏了四次，每次都要等一两天才修好，老人上下楼非常困难，恳请物业尽快彻底检修。",
        "各位邻居，3栋的电梯又坏了，已经两天了，物业电话打不通，有谁知道维保公司的电话吗？老人下不了楼",
        "楼道灯坏了",
    ],
)
def test_a_complaint_written_formally_is_no_notice(text):
    assert not is_notice(text)
    assert get_parser().parse(text).intent == "issue"
