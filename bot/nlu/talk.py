"""Neighbours' talk that names the compound's things but reports nothing: a found umbrella left
in the lift, 「电梯修好了」, a cot for sale, 「我家老人也想参加」, 「报修电话打哪个」, 「有没有靠谱
的钢琴老师推荐」.

The model weighs words, and these messages hold the words of reports (电梯, 垃圾, 物业, 滑梯); what
marks them is what the writer does with the thing — hands it in, says it is mended, sells it —
so a few rules read that, each narrowed by what a complaint in the same words would say
(又, 还是, 没人管, 怎么). Read on normalised text; urgency is decided before and wins.
"""

from __future__ import annotations

import re

# A complaint's signs: the trouble goes on, comes back, or nobody deals with it.
_COMPLAINT = re.compile(
    r"又|还是|还没|没(?:有)?(?:修|好|弄|人管|人清|人收拾)|没人|不管|怎么|咋|为什么|啥时候|什么时候|投诉|"
    r"坏了|坏掉|不能用|不行了|好几天|一直|反映|赶紧|快点|快来|麻烦.{0,4}(?:处理|清理|修)|"
    r"乱扔|乱丢|乱放|堆着|堆满|堆放|乱堆|占|挡|堵|每次|钱|不肯|不承认|没收到|小偷|多久"
)

_KINDS: dict[str, re.Pattern[str]] = {
    # something found and kept for its owner: 「谁家孩子的手表掉在电梯里了，我交给物业前台了」
    "found": re.compile(
        r"(?:捡到|失主|招领|认领|谁(?:家)?(?:宝宝|宝贝|孩子|小孩)?(?:丢|落|掉)的|哪位落了|谁落了|谁家宝[宝贝]的|"
        r"谁家(?:孩子|小孩|宝宝)的.{0,12}(?:掉|落|丢|忘)|(?:落|忘)了?.{0,4}(?:一把|一个|一件|一只|一串|一副|一袋))"
        r"(?=.*(?:我(?:先)?(?:放|挂|交|搁|送|收|拿)|放在|挂在|交给|交到|来拿|来取|来领|认领|谁家的|谁的|掉的))"
        r"|谁(?:家)?(?:宝宝|宝贝|孩子|小孩)?(?:丢|落|掉)的[?？。!！]?$|捡(?:到)?的[,，。.!！ ]?$"
    ),
    # a trouble said to be over: 「楼道那堆垃圾保洁已经清掉了」「电梯维保的师傅弄完了，现在运行正常」
    "fixed": re.compile(
        r"(?<![才没不])(?:修好|弄好|搞好|换好|装好|处理好|清掉|清走|清理干净|拉走|运走|弄完|修完|恢复正常|运行正常|"
        r"来电了|来水了|(?<!开)通了|(?<![不没])亮了)(?:了|啦|咯)?(?:[,，。.!！~ ]|$|.{0,10}(?:宽敞|干净|方便|舒服|谢谢|感谢|辛苦|点赞))"
    ),
    # thanks said to neighbours or staff, from the first words: 「想在群里郑重地感谢一下大家…」
    # (a request closing with 谢谢 is no thanks: 「帮我取个快递吧，谢谢」)
    "thanks": re.compile(r"^(?:(?!帮|麻烦|请).){0,10}(?:感谢|谢谢|多谢|点赞|表扬)"),
    # selling and group-buying among neighbours: 「闲置婴儿床转让」「拼单的接龙」 (borrowing a tool
    # is a wish: not here)
    "trade": re.compile(
        r"转让|出闲置|闲置(?:出|转)|低价出|便宜出|拼单|团购|吱一声|求购|有想要的|"
        r"有(?:人|谁)要.{0,12}吗|有要的吗|想送人|\d+(?:块|元)?(?:拿走|带走)|有需要的(?:可以)?(?:聊|私|找我|联系)"
    ),
    # joining what someone else organises: 「我家老人也想参加」「能算一个吗」
    "join": re.compile(r"也想参加|也要参加|算(?:上)?(?:我|我家|我们)?一个|我也(?:去|来|报)|带上我|还有名额|还收人"),
    # admiring something, the last words (「院里的喇叭花爬满墙了，好看」「桂花开了，好香」; round 24, from
    # dev_r23's one line of group chat acted on): not 「…好看吗」, a complaint's question, nor 「写不好看」
    "praise": re.compile(r"(?<![不没难])(?:好看|真美|好美|真漂亮|好漂亮|太美了|太好看了|美极了|真好看|好香|真香)(?:了|啊|呀|哦|哈|~|！|!|。|\s)*$"),
    # when the office is open, which number to call: 「报修热线现在打哪个」「周末物业办公室有人值班不」
    "office": re.compile(
        r"(?:电话|热线)(?:是)?(?:多少|打哪个|换了)|打哪个|有人值班|(?:几点|什么时候)(?:开门|上班|下班|关门)|办公时间"
    ),
    # how a procedure works, asked of the group: 「业主卡丢了怎么补办」「外来车辆进小区怎么登记」
    # 「老年大学在哪报名」 (not 「怎么办」, what to do about a trouble; not a complaint about the
    # procedure, nor a request to be taken there: _HOWTO_NOT)
    "howto": re.compile(
        r"(?:怎么|如何|咋|去哪(?:里|儿)?|在哪(?:里|儿)?|哪里(?:能|可以)?|找谁)(?:才能)?"
        r"(?:办理|登记|申请|报名|补办|开通|预约|缴费|交费)"
        r"|(?:去哪(?:里|儿)?|在哪(?:里|儿)?|哪里(?:能|可以)?)办(?=[？?，,。.! 吗呀啊呢]|$)"
    ),
    # asking the group for what a neighbour answers in a line — a recommendation, a number, advice,
    # a partner for a hobby: 「有没有靠谱的钢琴老师推荐」「想找个跑步搭子」「有经验的妈妈给点建议」.
    # Neighbours answer it in the chat; a wish is a favour someone claims and does (_SEEK_NOT).
    "seek": re.compile(
        r"推荐|哪家[^，,。？?！!\s]{0,6}?(?:比较|最|更)?(?:好|靠谱|便宜|正宗|专业|干净)(?=[吗呀啊些点一？?，,。\s]|$)|"
        r"(?:哪个|什么|哪款)牌子|哪款|(?:有没有人?|谁家?)(?:用|做|装|买|吃|试|学|报|去)过|想了解一下|顺风车|"
        r"(?:有没有|谁)会.{1,10}(?:想学|请教)|"
        r"(?:哪里|哪儿|哪有|附近)(?:有|能|可以)?.{0,4}(?:买|卖|修|报班|学)|"
        r"(?:认识|知道).{0,10}(?:靠谱|好的|好点|专业)|搭子|球友|棋友|牌友|驴友|跑友|钓友|伙伴|玩伴|找个?伴|"
        r"一起(?:跑步|夜跑|晨跑|打球|打羽毛球|打篮球|打乒乓|下棋|钓鱼|爬山|健身|学|练|跳|拼车|拼单|遛)|"
        r"请教|取经|打听|有经验的|过来人|(?:求|要)个?(?:方子|攻略|经验|链接)|"
        r"(?:电话|联系方式)(?:有人有|谁有|发一下|发我)|谁有.{0,8}(?:电话|联系方式|微信)(?![打没])|"
        r"对手|找(?:个)?(?:人|伴|小朋友)(?:玩|下棋|打球|跑步|打牌)"
    ),
}
# The signs that a request for a recommendation or a partner asks for a favour after all (「谁能陪
# 我妈去」「借我」「能教教吗」), or tells a plight: something broken at home, an old person alone.
_SEEK_NOT = re.compile(
    r"帮|陪(?!护)|带(?:我|她|他|孩子|一下)|借|教教|教一下|能教|来教|接(?:一下|孩子)|送|(?:能|来|可以|找人|人)上门|来(?:家|帮|看)|"
    r"能不能|愿意|免费|有偿|报酬|急|坏|漏|堵|吵|投诉|没人管|物业(?:不|没)|独居|一个人(?:在家|住)|孤单|寂寞|孤独|没人陪|"
    r"行动不便|腿脚|老人家"
)
# A request for a recommendation is a line or two.
SEEK_LENGTH = 60
# The signs that a procedure question is a complaint or a request after all (「社保卡激活到底去哪
# 办，窗口推来推去」「能不能带我去一趟」); the general _COMPLAINT list holds 怎么 itself.
_HOWTO_NOT = re.compile(
    r"又|还是|还没|没人|不管|坏|投诉|一直|好几天|不给|不让|拒绝|推来推去|不合理|非要|凭什么|乱收|多收|"
    r"帮|陪|带我|麻烦|能不能.{0,6}(?:来|去)|急"
)
# Procedure questions are a line: a letter to an office asking the same runs long.
HOWTO_LENGTH = 40


# Talk is a line or two; a letter to an office that mentions a transfer or a job is not talk.
# Thanks may run long (a story of who helped), and is read from its first words only.
MAX_LENGTH = 100

# What undoes a kind, where it is not a complaint's signs (None: nothing — a found thing is handed
# in however the finder grumbles), and its longest message, where it is not MAX_LENGTH (None: any).
_UNLESS: dict[str, re.Pattern[str] | None] = {"found": None, "howto": _HOWTO_NOT, "seek": _SEEK_NOT}
_LONGEST: dict[str, int | None] = {"thanks": None, "howto": HOWTO_LENGTH, "seek": SEEK_LENGTH}


# Every kind's signs in one pattern: most messages show none, and one search costs less than eight.
_ANY_KIND = re.compile("|".join(f"(?:{pattern.pattern})" for pattern in _KINDS.values()))


def talk_kind(s: str) -> str | None:
    """The kind of neighbours' talk normalised ``s`` is, or None when it may be a report."""
    if _ANY_KIND.search(s) is None:
        return None
    for kind, pattern in _KINDS.items():
        longest = _LONGEST.get(kind, MAX_LENGTH)
        if longest is not None and len(s) > longest:
            continue
        unless = _UNLESS.get(kind, _COMPLAINT)
        if pattern.search(s) and (unless is None or not unless.search(s)):
            return kind
    return None
