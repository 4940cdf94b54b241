"""Emergency rules around numbers: an address is not an emergency number; the reply names the
numbers that fit what happens."""

import pytest

from bot.nlu import get_parser
from bot.nlu.text import normalize
from bot.nlu.urgency import emergency_numbers, is_urgent, mask_addresses, urgent_hint
from handlers.texts import emergency_hint


@pytest.mark.parametrize(
    "text",
    ["幸福里119栋楼道灯坏了", "3栋119室门口堆了好多纸箱", "5栋120室的空调外机在滴水",
     "3-2-119家门口的灯不亮", "110号楼下的垃圾没人清"],
)
def test_emergency_numbers_inside_addresses_are_no_emergency(text):
    r = get_parser().parse(text)
    assert not r.urgent
    assert not urgent_hint(text)


@pytest.mark.parametrize("text", ["着火了 快打119", "楼道里全是烟，已经打119了", "快打119楼道着火了"])
def test_an_emergency_number_said_as_one_still_counts(text):
    assert get_parser().parse(text).urgent


def test_masking_keeps_phone_numbers_and_lengths():
    assert mask_addresses("3栋119室") == "0栋000室"
    assert mask_addresses("电话13811902222") == "电话13811902222"


@pytest.mark.parametrize(
    "text, numbers",
    [
        ("楼道里着火了，好大的烟！", ["119"]),
        ("5栋燃气报警器一直在响", ["119"]),
        ("一条大狗在3栋门口咬人，老人腿上都是血", ["120", "110"]),
        ("楼下两个人打起来了，有人头破了", ["120", "110"]),
        ("我爸摔倒了起不来", ["120"]),
        ("有个小孩爬到6楼窗台外面了", ["119", "110"]),
        ("3栋120室着火了", ["119"]),
        ("幸福里119栋楼道灯坏了", []),
        # round 24's kinds
        ("我爸嘴突然歪了 说话含含糊糊", ["120"]), ("楼道插排的线都化了", ["119"]),
        ("小孩躲进旧冰柜里打不开了", ["119"]), ("暖气管爆了 开水流了一地 全是蒸汽", ["120"]),
    ],
)
def test_the_reply_names_the_numbers_that_fit(text, numbers):
    assert emergency_numbers(text) == numbers
    hint = emergency_hint(text)
    if numbers:
        assert hint == f"情况危急请立即拨打 {' / '.join(numbers)}。"
    else:
        assert "110 / 119 / 120" in hint


@pytest.mark.parametrize("text", ["快来人", "快来人啊！", "救命", "谁在附近快去看看", "谁在附近快去看看我妈", "5栋快来人",
                                  "我爸摔倒了起不来"])
def test_a_plea_is_urgent(text):
    r = get_parser().parse(text)
    assert r.urgent and r.intent == "issue"


@pytest.mark.parametrize("text", ["着火了 跑不掉了 在8楼", "楼道着火了 跑不出去了 我们在7楼",  # not a hypothetical
                                  "门上的玻璃碎片划伤了孩子的手", "娃卡在窗户防盗网外面", "煤气管子哧哧地响",
                                  "我舅喝了点敌敌畏 人还醒着", "对面7楼有个人挂在窗户外面",
                                  # terse pleas: a call for people and 急 / 快 after it, a cry said twice
                                  "出事了出事了 5栋", "来个人搭把手 快", "物业的人呢 急死了",
                                  "一个老大爷掉进路边的窨井里了",  # round 21: into a pit
                                  # round 21: mouth-to-mouth asked for, a call to go there now
                                  "哪位会做人工呼吸 快", "谁离6栋近 过去看一下", "有没有人在停车场附近 赶快过去",
                                  "院里那只藏獒扑倒了个老太太", "屋里烧炭盆取暖 老两口头晕得站不稳",
                                  # round 22: someone floating in water, a gang smashing cars, last night's
                                  # stove with people ill this morning
                                  "水塘里浮着个小孩 一动不动", "一帮人在停车场砸车 保安也挨打了",
                                  "昨晚屋里烧的炭火没灭 今天早上爷爷奶奶都头晕呕吐",
                                  # … and today's cry beside a habit (the habit is the background)
                                  "隔壁那家经常吵架 今晚听到女的一声惨叫然后就没动静了",
                                  # … what was done has not ended it; a balcony burning; a bulb gone out
                                  "油锅着了 我已经关了火 可还在烧", "对面三楼阳台在着 烟往上窜",
                                  "楼上渗下来的水顺着电线往下滴 灯泡已经灭了 开关在冒火星",
                                  # … a garage flooding now, an animal that scratched people, a child not home
                                  # and unreachable, a robbery with shoving
                                  "大雨 地库入口往里灌水 车都泡了", "楼道里一只野猫抓伤了两个小孩",
                                  "儿子放学到现在没回家 电话打不通 天都黑了", "东门有人抢包还推人",
                                  # round 23: a child badly burnt; 路上回不去 is no 「上回」 (last time)
                                  "孩子的脚烫得厉害 起了一片泡",
                                  "谁在6栋附近 帮我看一下我家孩子 他爬到窗台上了 我在路上回不去"])
def test_round_twenty_emergencies(text):
    r = get_parser().parse(text)
    assert r.urgent and r.intent == "issue"


@pytest.mark.parametrize("text", ["快来人帮我搬个沙发", "救命 这个瓜太大了哈哈哈哈", "救救孩子吧，数学题太难了",
                                  "看新闻说隔壁市一个小区昨晚着火了", "刚才一辆消防车开过去了，哪里着火了吗？",
                                  "物业快来看看，5号楼的电梯又卡住不动了", "刚才一辆救护车响着笛从东门过去 往医院那边",
                                  "刚有人说3栋有人晕倒，后来说是中暑，喝了水就好了",
                                  # round 20: dreams, and what happened years ago
                                  "梦见电梯掉下去了 醒来一身冷汗", "梦里有人晕倒了 吓醒了", "我爸三年前在小区摔倒过，现在好好的",
                                  # … but not a game short of a player, a question for advice, a shop's speed
                                  "来个人打羽毛球", "有懂医保报销的邻居吗 急", "谁知道哪家装空调比较快",
                                  "前几年小区着过一次火，后来才装的喷淋",  # round 21
                                  "烟感报警器自检响了一下 不用管", "刚才以为有人摔倒了 结果是个塑料模特", "今天社区教人工呼吸",
                                  # a drama, a siren heard, advice passed on, a gas smell checked, a low battery
                                  "那部剧里有人被困在电梯里 看得我心慌", "外头救护车一直在响 不晓得哪家",
                                  "转发：家里煤气漏了不要开灯", "燃气公司的人来查过了 冇泄漏 是下水道味",
                                  "烟感没电了在叫 换了电池就好", "闻到一股焦味找了半天 结果是隔壁在炒辣椒",
                                  "刚才电梯口有个小娃在哭 找着他妈妈了",
                                  # round 22: not our compound, rescued, got up by oneself, a figure of speech
                                  "马路对面那家饭店在冒烟 不是我们小区的", "上周落水那个老人救上来了 现在挺好",
                                  "小孩骑车摔了一跤 自己爬起来又跑了", "晚霞红得跟着火了一样",
                                  "我家猫从柜子上掉下来 屁事没有",
                                  # round 23: last time's, over; hindsight in pinyin; a radiator too hot
                                  "上回困在电梯里的那个大爷 我见着了 没啥事了",
                                  "wo yi wei zhao huo le, yuan lai shi ge zi zuo fan", "这暖气片烫得厉害"])
def test_what_only_sounds_like_a_plea_or_an_emergency_is_not(text):
    assert not get_parser().parse(text).urgent


@pytest.mark.parametrize(
    "text",
    [
        "9栋外墙的装饰板一块一块往下掉，刚才差点砸到人，现在还在掉",  # a near miss, still going on
        "一股天然汽的味道，单元门口熏得人头晕",  # a slip of 天然气
        "小区门口的铁门倒了，压住一个老人",
        "7楼那台空调外机歪了，就靠一根架子挂着，正下方是小学生放学走的路",
        "楼下有个人倒在地上口吐白沫",
        "楼道全是烟",  # a few characters: the rule's words alone
    ],
)
def test_emergencies_in_plain_words(text):
    r = get_parser().parse(text)
    assert r.urgent and (r.intent, r.category) == ("issue", "safety")


@pytest.mark.parametrize(
    "text",
    [
        "刚才外墙掉了块瓷砖，差点砸到人，物业已经拉了警戒线",  # a near miss, over
        "开个玩笑，我把锅炒冒烟了，老婆说要打119",
        "昨晚那股煤气味查清楚了，是楼下在熬中药",
        "北门那段围墙裂了条缝，往外歪，还没倒，找人来看看",
        "B2地库电梯厅那块一股尿骚味，熏得人头疼",  # a smell the category head reads as dirt
    ],
)
def test_look_alikes_are_no_emergency(text):
    assert not get_parser().parse(text).urgent


@pytest.mark.parametrize(
    "text",
    [
        "帮忙打个120，我婆婆在厨房晕过去了",  # a number dialled, not a siren passing
        "楼梯口那家的狗把一个小孩扑倒了，在咬他胳膊",  # an animal attacking now
        "二单元那户烧着煤炉子，敲了半天门没动静",  # fumes, nobody answers
        "有个小朋友在池塘深水那边扑腾，大人不在",  # a child struggling in water
        "车库门把一个老人卡住了，腿拔不出来",  # someone caught
        "隔壁男的拿着菜刀在楼道里追人",  # a knife in hand now
        "广告牌被风吹得快掉了，半边悬着，下面是人行道，已经滑到边上了",  # 已经滑到 is no hindsight
        "天太干了 电动车在楼道里冒烟了",  # dry weather said, the smoke is real
        "我跟我爸打视频，他突然倒在地上叫不醒，5栋302谁在家",  # a video call is no clip from elsewhere
        "我怕是煤气泄漏了，满屋子都是味",  # 我怕是: what the writer fears now, no hypothetical
    ],
)
def test_kinds_the_rules_read_in_round_three(text):
    assert urgent_hint(text)


@pytest.mark.parametrize(
    "text",
    [
        "要是半夜闻到煤气味，该先做什么",  # a hypothetical with 要是
        "昨晚楼道冒烟是有人烧纸，保安处理了",  # a past day
        "上海话讲“着火”怎么说",  # a dialect named is no city elsewhere … and no fire
        "被狗咬的那个孩子打完狂犬疫苗了",  # after-care
        "我家狗不咬人的，大家放心",
        "顺丰的快递在中转站躺了三天，急死人",
        "考核季KPI压得喘不过气",
        "这几天干得嗓子冒烟，加湿器开一夜都不够",  # round 8: figures of speech
        "天太干了，早上起来鼻子出血",
        "刷题刷到手抽筋，明天还要考",  # round 15: hyperbole, a game, fame
        "小区群里吵得跟炸了锅一样",
        "游戏里我家着火了，队友一个都不来",
        "那条视频一下子火了，点赞好几万",
    ],
)
def test_not_now_kinds_of_round_three(text):
    assert not get_parser().parse(text).urgent


def test_a_word_or_two_is_never_urgent_by_the_head_alone():
    # 「妥了」: one known feature (了) carried the whole unit-length vector to p ≈ 0.97
    r = get_parser().parse("妥了")
    assert not r.urgent


# Round 4: the kinds issue 10 names, in words written for these tests (not from any message set).
@pytest.mark.parametrize(
    "text",
    [
        "客厅天花板哗哗往下流水，楼上家里锁着门",  # water coming into a home
        "厨房下水道的黑水往外翻，都流到客厅了",  # sewage backing up
        "插座那块墙全湿了，水还在往下渗",  # water reaching the wiring
        "储藏室的门从外面打不开，里面有个老人在拍门",  # shut in
        "铁门一碰就麻手，谁家的电线搭在门上了",  # a shock from something people touch
        "路口的电线泡在积水里，还有小孩在蹚水",  # a wire in water
        "变电箱边上在冒火星子",  # sparks
        "招牌一头掉了一半，正对着小区门口",  # something half-fallen above people
        "rq味好大，整层楼都是",  # gas in a pinyin slip
        "楼道一股然气味，谁家的",  # 然气 for 燃气
        "燃起泄露了，快关阀",  # 燃起 for 燃气
        "草坪上有蛇，把一个小孩的脚咬了",  # an animal attacking
        "几条野狗围着一个老人叫，老人站都站不稳",  # a pack round someone
        "湖上的冰面裂了，上面还有人在滑",  # ice giving way
        "我姐羊水破了，电梯停了，谁来帮忙",  # labour with no way down
        "老人在屋里烧炭盆，电话一直打不通",  # fumes, nobody answers
    ],
)
def test_kinds_the_rules_read_in_round_four(text):
    r = get_parser().parse(text)
    assert r.urgent and r.intent == "issue" and r.category == "safety"


@pytest.mark.parametrize(
    "text",
    [
        "空调外机支架生锈了，建议物业找人检查一下",  # a hazard to fix, not an emergency
        "上回楼上漏水像下雨一样，后来物业修好了",  # hindsight
        "刚才那股燃气味是燃气公司在换表，已经没事了",  # handled
        "地库的灯一直没人修，黑漆漆的",  # a neglected trouble
        "冬天到了提醒大家别去湖上滑冰，冰面容易裂",  # a warning
        # an empty shop is no emergency by itself: rounds 11 to 19's heads, trained on the development
        # sets' people shut in, read it at 0.38 (a gate on 里面没人 cost six emergencies: a car rolling
        # with nobody in it, a gas alarm in an empty flat); round 20's head, with dev20's and dev_r19's
        # messages, reads it under the bar, so the head alone still decides and this guards it
        "商铺卷帘门锁着，里面没人，快递放哪",
        "5栋119室门口的灯坏了",  # an address number
    ],
)
def test_look_alikes_of_round_four_are_no_emergency(text):
    assert not get_parser().parse(text).urgent


@pytest.mark.parametrize("text", ["刚才楼上扔下来一把菜刀 就插在沙堆边上", "阳台上丢下来一把剪刀"])
def test_a_knife_thrown_down_is_read_by_the_rules(text):
    # round 23: the head, reading neighbours' talk, left one such message alone; the rules need no head
    # that sure
    assert urgent_hint(normalize(text))


@pytest.mark.parametrize("text", ["5栋那面墙的裂缝一晚上又大了 刚才还掉了几块", "老楼的房梁咯吱咯吱响 楼上的人还没出来",
                                  "充电的插排线都化了 一股焦味", "他喝了自酿的白酒 说看不清东西了",
                                  "雨太大 路口井盖冲开了 水往里灌 刚才一个老人差点掉进去",
                                  # … a stroke's signs; 没反映 is a slip for 没反应, not a letter's 反映
                                  "我妈刚才嘴巴一下子歪了 左手拿不住筷子", "二楼的大爷倒在门口 嘴唇发紫 叫他没反映"])
def test_kinds_the_rules_read_in_round_twenty_four(text):
    # a building giving way with people inside, a wire melting, bootleg liquor, water still pouring into
    # an open drain beside a near miss (round 24, from dev_r23's misses)
    assert urgent_hint(normalize(text))


@pytest.mark.parametrize("text", ["卫生间顶上渗水渗进灯罩里了 灯一直闪", "两个小孩躲进楼下的旧冰柜 盖子打不开了",
                                  "一辆电动车冲进人工湖了", "暖气管裂了 开水往楼梯上流 全是蒸汽"])
def test_dangers_seen_as_they_happen_need_no_head(text):
    # round 24: written only when they happen, so the rules alone decide, with a head at nothing
    assert is_urgent(normalize(text), 0.0)


@pytest.mark.parametrize("text", ["三期围墙的裂缝越来越大了 找人看看", "白酒喝多了 看东西模糊 哈哈",
                                  "我爸中风后说话不清楚 想找人陪他练练", "热水器漏水了 流得满地都是"])
def test_a_crack_that_only_grows_or_a_joke_is_no_rule_emergency(text):
    assert not urgent_hint(normalize(text))


@pytest.mark.parametrize("text", ["血糖又高了 救命", "这个月信用卡账单来了 救命啊", "儿子的成绩单出来了 我快晕倒了"])
def test_a_check_up_a_bill_or_marks_are_figures_of_speech(text):
    # round 24: the rules' words (救命, 晕倒) beside a head fairly sure are still no emergency
    assert not is_urgent(normalize(text), 0.6)


def test_a_near_miss_does_not_calm_a_fight_going_on():
    # round 23: 「差点」 says the push is over, not the fight; with the head fairly sure, it stays urgent
    text = normalize("停车场有人打起来了 差点把人推下台阶")
    assert is_urgent(text, 0.6) and not is_urgent(normalize("停车场刚才差点把人推下台阶"), 0.6)


def test_an_empty_room_does_not_calm_a_fire():
    # 「里面没人」 says nobody is trapped; smoke pouring out of a locked shop still needs 119
    assert get_parser().parse("一楼商店卷帘门关着里面没人，门缝一直往外冒黑烟").urgent


@pytest.mark.parametrize(
    "text, numbers",
    [("我姐羊水破了，电梯停了，谁来帮忙", ["120"]), ("湖上冰面裂了，有个人掉进冰窟窿了", ["119"]),
     ("草坪上有蛇，把一个小孩的脚咬了", ["120"])],
)
def test_the_reply_names_the_numbers_for_round_four_kinds(text, numbers):
    assert emergency_numbers(text) == numbers


@pytest.mark.parametrize(
    "text, numbers",
    [("有没有人能过来一下 我妈坐在楼梯上说胸口疼 脸都白了", ["120"]),
     ("拜托谁帮我报个警 有个喝醉的男的一直在踹我家门", ["110"])],
)
def test_the_reply_names_120_for_chest_pain_and_110_for_a_door_kicked_in(text, numbers):
    # round 5 (from the urgent5 branch): pleas a new author wrote that named no number before
    assert emergency_numbers(text) == numbers


def test_a_head_all_but_certain_is_not_stopped_by_a_chatty_reading():
    # Round 6: an emergency told as a neighbour's question or news (「…消防在路上了吗」) reads as
    # chatter to the intent model; a head at 0.99 wins, a head at 0.8 still needs the intent model.
    from bot.nlu.urgency import is_urgent

    news = "刚看到一条大狗在2号楼后面追着一个小孩跑，现在还在追，主人不在"
    assert is_urgent(news, 0.99, chatter_p=0.85, safety_p=0.5)
    assert not is_urgent(news, 0.8, chatter_p=0.85, safety_p=0.5)
    # the head's certainty does not overrule what says it is over or elsewhere
    assert not is_urgent("上周2号楼后面有条大狗追着一个小孩跑，已经被抓走了", 0.99, chatter_p=0.85, safety_p=0.5)


@pytest.mark.parametrize(
    "text",
    ["有个小孩在单元门口哭着找妈妈，现在妈妈来了", "一个小男孩在车库门口哭，说找不到爸爸，刚刚他爸爸来了",
     "小区门口有个老人迷路了，现在家人找来了"],
)
def test_the_lost_found_and_the_family_come_are_over(text):
    # round 6: 「现在妈妈来了」 ends it, as 「已经送医」 does (each urgent before, the head at 0.93–0.997)
    assert not get_parser().parse(text).urgent


@pytest.mark.parametrize(
    "text",
    ["有个三四岁的小孩在南门哭，找不到妈妈了，谁家的快来", "有个老人摔在花坛边起不来，家人已经来了",
     "谁家孩子在电梯里哭，一直按不开门，现在家长来了"],
)
def test_the_lost_not_yet_found_or_a_family_come_to_a_fall_is_still_urgent(text):
    assert get_parser().parse(text).urgent


# Round 6: kinds the rules read, in words written for these tests (not from any message set).
@pytest.mark.parametrize(
    "text",
    [
        "人工湖那边有个小孩滑下去了，半天没浮上来",  # gone under and not come up
        "12楼阳台外面坐着个小伙子，说要跳下去",  # about to jump
        "2单元电梯门敞着，轿厢不在，下面黑乎乎的",  # an open shaft
        "后山泥石流冲下来了，堵住了北门",  # a hillside giving way
        "隔壁男的在吼，女的一直尖叫，然后就没动静了",  # a scream, then silence
    ],
)
def test_kinds_the_rules_read_in_round_six(text):
    r = get_parser().parse(text)
    assert r.urgent and r.intent == "issue" and r.category == "safety"


@pytest.mark.parametrize(
    "text",
    ["晚上有人要跳广场舞吗，缺个人", "我家孩子想跳绳，有一起的吗", "云南那边泥石流的新闻看了好揪心", "5栋门口的路面塌了个小坑"],
)
def test_look_alikes_of_round_six_are_no_emergency(text):
    assert not get_parser().parse(text).urgent


# Round 8: a near miss, a habit or a neighbour's 「是不是出事了」 says little about the danger itself;
# a head all but certain is not calmed by such a sign alone, a head less sure still is.
@pytest.mark.parametrize(
    "text",
    [
        "电梯门开着轿厢没在，刚才差点有人迈进去，2单元一楼",  # the shaft is still open
        "雨棚塌了一半吊在那晃，底下天天有人走",  # who walks under it, not a habit of the danger
        "地库通风口一直往外冒黑烟，是不是出事了",
    ],
)
def test_a_weak_sign_of_calm_does_not_stop_a_sure_head(text):
    s = normalize(text)
    assert is_urgent(s, 0.99)
    assert not is_urgent(s, 0.5)


# Round 9: kinds the rules now name, in words written for these tests (not from any message set).
@pytest.mark.parametrize(
    "text",
    [
        "楼道里那张旧床垫着了，烟往上窜",  # a thing on fire
        "配电箱里往外喷火，一股塑料味",  # fire shooting out
        "6栋三楼满楼道的烟，看不清路",
        "二楼阳台防盗网上挂着个小孩，够不着",  # a child hanging
        "秋千绳子勒住了孩子脖子",
        "停车场有人在砸车窗，已经砸了两辆",  # violence going on
        "快来人帮忙把门撞开，里面老人不应声",
        "地库顶上一直在掉水泥块",  # debris coming down
    ],
)
def test_kinds_the_rules_read_in_round_nine(text):
    assert urgent_hint(normalize(text))


@pytest.mark.parametrize(
    "text",
    [
        "这破门禁整天坏",  # 破门 is a broken door, not a door broken in
        "楼上又在砸东西，吵得睡不着",  # noise, not violence
        "在滑梯上捡到一件小孩外套，挂在旁边树上了",  # a found coat hung up
        "垃圾中转站的味道太大了",  # the compound's waste station is no courier's hub … and no fire
    ],
)
def test_what_the_round_nine_kinds_leave_alone(text):
    assert not urgent_hint(normalize(text))


# Round 10: kinds the rules now name, in words written for these tests.
@pytest.mark.parametrize(
    "text",
    [
        "5栋煤气罐爆炸了，有人受伤",
        "花盆从十楼掉下来砸到楼下的老人",
        "工人在棚顶上干活踩空摔下来了",
        "游船在湖中间翻船了，快来会游泳的",
        "快来人帮忙托住那个快掉的空调外机",
        "她把洁厕灵和84混在一起刷厕所，现在一直咳",
    ],
)
def test_kinds_the_rules_read_in_round_ten(text):
    assert urgent_hint(normalize(text))


@pytest.mark.parametrize(
    "text",
    [
        "这串串太辣了，嘴巴要烧起来了",  # a figure of speech
        "傍晚的云红得像着火一样",  # a simile
        "手机进水了，开不了机",  # a device, not a home
    ],
)
def test_round_ten_look_alikes_are_no_emergency(text):
    assert not get_parser().parse(text).urgent


def test_the_head_alone_unsure_on_neighbours_talk_is_no_emergency():
    # round 9: a found child's shoe reads like an emergency to a head of 0.3; what talk.py reads as
    # talk needs the head at URGENT_HIGH before it alone makes an emergency. Round 24: at
    # URGENT_OVERRULE (a found cap hung on the rail read unseen at 0.83)
    s = normalize("谁家小孩的鞋子掉在电梯里了，我放在一楼信报箱上面了")
    assert not is_urgent(s, 0.3, chatter_p=0.4)
    assert not is_urgent(normalize("谁家孩子的小帽子掉在滑梯下面了，我挂在栏杆上"), 0.83)
    assert is_urgent(s, 0.97, chatter_p=0.4)


def test_the_head_alone_needs_more_on_a_few_characters_naming_nothing():
    # round 11: exclamation marks in real chatter read as an emergency by a head of 0.44–0.56
    assert not is_urgent("好久有板凳了!!", 0.44, named=False)
    assert not is_urgent("放开那个女孩!!", 0.56, named=False)
    # the same head on a message naming a thing of the compound, or a surer head, still decides
    assert is_urgent("好久有板凳了!!", 0.44, named=True)
    assert is_urgent("有人晕了", 0.7, named=False)
    # and a rule's words (救命) need no naming, whatever the head
    assert is_urgent("救命啊!!", 0.2, named=False)


@pytest.mark.parametrize(
    "text",
    [
        "快点来人，我扶不住她了",  # a plea said 快点来人
        "孩子吃了一把奶奶的降压药，刚发现",  # a child who swallowed medicine
        "婴儿床上的宝宝脸色发紫，不哭了",  # a face turning blue
        "谁会心肺复苏 健身房这边急需",  # resuscitation needed now
        "楼里有没有护士？麻烦快来802",  # a nurse asked for in a hurry
        "急！有没有医生在小区？7号楼602",
    ],
)
def test_first_aid_needed_now_is_urgent(text):
    # round 12: the kinds round 11's sealed set missed (its pleas 23 of 30). The shipped model has
    # trained on these very lines, so the rules are asked with a head that alone would say no.
    assert is_urgent(normalize(text), 0.1, chatter_p=0.9)
    assert not is_urgent(normalize("楼下有人在晒被子"), 0.1, chatter_p=0.9)
    r = get_parser().parse(text)
    assert r.urgent and r.intent == "issue" and r.category == "safety"


@pytest.mark.parametrize(
    "text",
    [
        "社区下周组织心肺复苏培训，欢迎报名",  # a course
        "老人吃了药睡了",  # medicine taken as meant
        "有没有医生朋友，想咨询孩子发烧的事",  # a question for a doctor, no hurry
    ],
)
def test_first_aid_words_without_an_emergency_are_not_urgent(text):
    assert not get_parser().parse(text).urgent


@pytest.mark.parametrize(
    "text",
    [
        "车棚那边电动车在充电的时候冒烟了，味道很呛，火苗已经出来了",  # the flames are out, nobody is
        "救人啊 井里有人",
        "外面马路上的大火烧到小区围墙这边来了",  # a fire spreading
        "四栋二单元 楼道灯线短路了在烧",  # a wire burning now
        "老人发烧到四十度一直说胡话，还抽了几下",  # a fever with a fit
        "我爸突然倒地全身抽筋，叫不醒",  # a fit, no hyperbole (「刷题刷到手抽筋」)
        "5栋着火了，群里都炸了锅",  # a fire, the group in uproar (no simile)
    ],
)
def test_fires_spreading_and_fits_are_urgent(text):
    # round 12, read from the development sets' misses: the rules, asked with a head that alone would
    # say no (the shipped model has trained on these lines)
    assert is_urgent(normalize(text), 0.1, chatter_p=0.9)


@pytest.mark.parametrize(
    "text",
    ["刚才着火的那家人已经出来了，没事", "孩子发烧了，吃了药好点了", "烧到四十度了 去医院了"],
)
def test_people_got_out_and_fevers_without_a_fit_are_not_urgent(text):
    assert not get_parser().parse(text).urgent


@pytest.mark.parametrize(
    "text",
    [
        "有没有人帮忙打个119 我这手机欠费了",
        "帮我报一下警 有人在我门口踹门",
        "楼下哪位帮忙接一下救护车 带到11栋 找不到路",
    ],
)
def test_asking_others_to_call_for_help_is_urgent_whatever_the_head_says(text):
    # round 12: someone asks a neighbour to call 119 / 120 / 110 only while it is happening, so the
    # rule needs no head (here one all but sure it is not urgent)
    assert is_urgent(normalize(text), 0.0, chatter_p=0.9)


@pytest.mark.parametrize(
    "text", ["感谢那位帮我叫救护车的邻居，我爸已经出院了", "谢谢上周帮忙打120的王阿姨"],
)
def test_thanking_the_neighbour_who_called_is_not_urgent(text):
    assert not get_parser().parse(text).urgent


@pytest.mark.parametrize("text", ["烟好大", "好大烟", "糊味好重", "人倒了", "快来人 5栋楼下有人倒了"])
def test_a_few_words_of_smoke_or_someone_down_are_urgent(text):
    assert is_urgent(normalize(text), 0.1, chatter_p=0.9)


@pytest.mark.parametrize(
    "text", ["小区门口烧烤店的油烟太大了", "10栋后面的荒地被人倒了好多生活垃圾", "垃圾桶三天没人倒了",
             "地下车库里有人倒了一桶机油"],
)
def test_a_barbecue_smoke_and_rubbish_dumped_are_no_emergency(text):
    assert not get_parser().parse(text).urgent


@pytest.mark.parametrize(
    ("text", "building"),
    [("zhao huo le 5dong", "5"), ("zhaohuo le kuai lai 11 dong", "11"), ("mei qi wei hen da 4 dong", "4"),
     ("kuai lai ren 6 dong 3 lou", "6")],
)
def test_an_emergency_typed_in_pinyin_is_read(text, building):
    # round 12: someone without a Chinese keyboard types the sounds; the words that matter are read
    r = get_parser().parse(text)
    assert r.urgent and r.place.building == building


@pytest.mark.parametrize(
    ("text", "read"),
    [("dajia hao 我是新搬来的", "dajia hao 我是新搬来的"),  # 大家好, not 打架
     ("lift停了 ok", "lift停了 ok"), ("wifi密码多少", "wifi密码多少"), ("yyds", "yyds"),
     ("xi shou jian lou shui le", "洗手间 漏水 le"),
     ("ran qi xie lou le, wo men 3 dong", "燃气 泄漏 le, wo men 3栋")],  # round 20: 泄漏 read
)
def test_pinyin_is_read_only_for_the_listed_words_at_the_start_of_letters(text, read):
    assert normalize(text) == read


@pytest.mark.parametrize(
    "text",
    ["谁能打下电话给燃气公司，我家管子在漏，我不敢用手机", "没气泄露了二单元", "出租屋里那个小太阳把被子点着了",
 ],
)
def test_round_twelve_written_sets_misses_are_urgent(text):
    # from the misses of twenty-five written training sets' last five, by a model that had not seen them
    assert is_urgent(normalize(text), 0.1, chatter_p=0.3)


def test_a_near_miss_while_things_keep_coming_down_is_not_over():
    # 「差点」 alone calms the head; not while someone 一直往下扔 (the head alone at 0.68 decides)
    assert is_urgent(normalize("楼上一直往下扔东西 刚扔个酒瓶子差点砸着人"), 0.68, chatter_p=0.0)
    assert not is_urgent(normalize("楼上扔了个酒瓶子下来 差点砸着人"), 0.68, chatter_p=0.0)


def test_still_fine_a_moment_ago_is_no_sign_that_it_is_over():
    # 「还好」 (luckily) is hindsight; 「还好好的」 (was fine until now) is not
    assert is_urgent(normalize("孩子刚才还好好的 现在不喘气了 嘴唇发青"), 1.0, chatter_p=0.1)
    assert not get_parser().parse("刚才电梯停了一下，还好里面没人").urgent


@pytest.mark.parametrize("text", ["刚才做饭没气了，换了罐就好了", "这个香皂没气味，挺好"])
def test_no_gas_and_no_smell_are_not_gas(text):
    assert not get_parser().parse(text).urgent


def test_a_worry_about_what_follows_does_not_calm_a_sure_head():
    # round 13 (from dev13): 「会不会」「怕是」 beside an emergency the head is all but sure of worry about
    # its outcome; a plain what-if (「要是着火了怎么办」) still calms it, and a worry calms an unsure head
    assert is_urgent(normalize("河边步道有人掉水里了，会不会游不知道，就在小区后门那段"), 0.98)
    assert is_urgent(normalize("17栋4楼门缝里全是煤气味 屋里有人的 敲不开门 怕是想不开"), 0.99)
    assert not is_urgent(normalize("楼道里堆满了纸箱，要是着火了怎么办"), 0.98)
    assert not is_urgent(normalize("楼道里堆满了纸箱，会不会着火啊"), 0.5)


def test_not_a_joke_is_no_joke():
    assert is_urgent(normalize("大鹅把一个老人啄倒了，头磕在台阶上流血了（真的不是开玩笑）"), 0.99)
    assert not is_urgent(normalize("我家猫把厨房点着了——开玩笑的，它打翻了水杯"), 0.99)


def test_a_head_all_but_sure_is_not_stopped_by_the_category_head():
    # round 13 (from dev13): 「有人站在桥栏杆外面」 read by the category head as other than safety (0.096)
    text = normalize("有人站在桥栏杆外面，就在小区对面的人行天桥")
    assert is_urgent(text, 0.97, safety_p=0.09)
    assert not is_urgent(text, 0.7, safety_p=0.09)


def test_a_fire_filling_the_whole_building_with_smoke_is_no_what_if():
    # round 14 (from dev_r13): 「着火了，整栋楼都是烟」 had read as the what-if 「着火了整栋楼都完了」
    assert is_urgent(normalize("地下室里堆的东西着火了，整栋楼都是烟"), 0.99)
    assert not is_urgent(normalize("楼道里堆满了杂物，要是着火了整栋楼都跑不掉"), 0.99)


@pytest.mark.parametrize("text", ["有人在吗", "有人在吗？", "在不在", "有没有人在"])
def test_a_bare_call_for_attention_is_no_emergency_whatever_the_head_says(text):
    # round 16's sealed set (read after its evaluation): 「有人在吗」, a group-chat line, read by the
    # head at 0.71 woke the whole route
    assert not is_urgent(normalize(text), 0.9, chatter_p=0.1)
    assert is_urgent(normalize(text + "快来人 5栋楼下有人倒了"), 0.9, chatter_p=0.1)


def test_a_packet_of_cigarettes_is_no_smoke():
    # round 16's sealed set: 「花坛里全是烟盒」 read as 「全是烟」
    assert not is_urgent(normalize("花坛里全是烟盒"), 0.1)
    assert not is_urgent(normalize("楼梯间全是烟灰"), 0.1)
    assert is_urgent(normalize("楼梯间全是烟"), 0.1)


def test_a_child_gone_missing_is_an_emergency_not_a_childs_lost_toy():
    # round 17's sealed set (read after its evaluation): 「三岁伢崽不见了」, a child in a 赣 word, missed at a
    # head of 0.40, read as neighbours' talk
    for text in ["三岁伢崽不见了，最后看到是往河边跑的", "我家孩子不见了，大家帮忙看看，穿蓝衣服"]:
        assert is_urgent(normalize(text), 0.1, chatter_p=0.9), text
    for text in ["谁家小孩丢了一只粉色的凉鞋", "上次孩子走丢了，幸好保安找到了", "万一孩子走丢了怎么办"]:
        assert not is_urgent(normalize(text), 0.1, chatter_p=0.9), text
