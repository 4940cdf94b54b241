"""A forwarded notice is an announcement, not a report, however many problem words it holds."""

import pytest

from bot.nlu import get_parser
from bot.nlu.decision import IGNORE, decide
from bot.nlu.notice import is_notice

NOTICES = [
    "【停水通知】\n尊敬的各位业主：\n因市政管网检修，本小区3-9栋将于周五8:00-18:00停水，请提前储水。\n给您带来不便，敬请谅解！\n物业服务中心",
    "转发：燃气公司入户安检公告\n安检人员将于下周一至周三入户检查燃气管道、阀门和报警器，请家中留人，安检不收取任何费用。",
    "温馨提示：\n1. 电动车不要推进楼道充电；\n2. 楼道里不要堆放纸箱杂物；\n3. 消防通道不要停车。\n感谢大家的配合！",
    # a title line that names its genre, and nothing else of a notice's form (round 6)
    "燃气表换表说明\n燃气公司下周起给5-12栋换智能表，每户约二十分钟，换表期间暂停供气。\n换表免费，施工人员有工作证。",
    "社区理发义剪活动\n时间：本周六上午九点到十一点\n地点：活动中心门口\n七十岁以上老人优先，带好小板凳。",
    # a fraud warning passed on, in lines (round 20)
    "防诈骗！！\n最近有人冒充社区打电话\n说要给老人发补贴让转账\n社区不会这样做\n大家别上当",
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
        # a short first line, but a complaint under it
        "3栋电梯又坏了\n今天早上停在5楼不动\n老人下不了楼，物业也不来",
        "活动中心的空调坏了\n跳舞的阿姨们热得不行\n麻烦物业来看看",
        # a warning to the neighbours in a report of a hazard is no notice's
        "3栋2单元楼道灯坏了好几天了\n晚上黑漆漆的，老人上下楼很不方便\n大家注意脚下，物业快来修一下吧",
    ],
)
def test_a_complaint_written_formally_is_no_notice(text):
    assert not is_notice(text)
    assert get_parser().parse(text).intent == "issue"
