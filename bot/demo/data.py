"""A small, realistic demo district: two communities of 掇刀区 with grids, compounds, buildings,
members of all six roles, residents, bound groups, and issues and wishes in every state.

Everything goes through the services, so the demo has the same event trails and points as real
use. Chat user ids are fixed so the demo chat can act as any of these people.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, select

from bot import identities
from bot.infra.errors import InvalidInput
from bot.issues import service as issues
from bot.issues.lifecycle import Actor
from bot.members import service as members
from bot.members.service import Titles
from bot.places import groups
from bot.places import service as places
from bot.tasks import service as tasks
from bot.wishes import service as wishes
from models import ROLE_NAMES_ZH, Community, Member, Resident, Role, Voucher

TELEGRAM = "telegram"  # the demo runs on the Telegram stand-in

DISTRICT = "荆门高新区·掇刀区"
# Group chats of the demo (supergroup ids, as Telegram gives them).
GROUP_SUNSHINE = -1001000000001  # 阳光花园居民群, 白庙社区, compound 阳光花园
GROUP_CUIYUAN = -1001000000002  # 翠苑小区居民群, 白庙社区 第三网格
GROUP_JINGUI = -1001000000003  # 金桂苑居民群, 月亮湖社区


@dataclass
class DemoPerson:
    key: str
    name: str
    chat_user_id: int  # the person's Telegram id in the demo (the stand-in's user)
    member_number: str | None = None
    role_label: str = "居民"


@dataclass
class DemoSummary:
    communities: int = 0
    members: int = 0
    residents: int = 0
    issues: int = 0
    wishes: int = 0
    people: list[DemoPerson] = field(default_factory=list)
    groups: dict[int, str] = field(default_factory=dict)
    newcomers: list[DemoPerson] = field(default_factory=list)  # members without a chat account yet


# (key, name, role, grid, compound, building, unit, titles, phone)
_BAIMIAO_MEMBERS = [
    ("leader", "张建国", 1, None, None, None, None, Titles(), "13907240001"),
    ("cadre_zj", "李明", 2, "第一网格", None, None, "区住建局", Titles(), "13907240002"),
    ("cadre_wj", "王芳", 2, "第二网格", None, None, "区卫健局", Titles(), "13907240003"),
    ("office", "刘洋", 3, None, None, None, None, Titles(office_admin=True), "13907240004"),
    ("gm1", "陈静", 3, "第一网格", None, None, None, Titles(grid_manager=True), "13907240005"),
    ("gm2", "赵磊", 3, "第二网格", None, None, None, Titles(grid_manager=True), "13907240006"),
    ("gm3", "孙丽", 3, "第三网格", None, None, None, Titles(grid_manager=True), "13907240007"),
    ("mediator", "周德华", 4, "第一网格", None, None, None, Titles(mediator=True), "13907240008"),
    ("council", "吴秀英", 4, "第二网格", None, None, None, Titles(), "13907240009"),
    ("vol1", "郑小红", 5, "第一网格", "阳光花园", "2", None, Titles(), "13907240010"),
    ("vol2", "冯伟", 5, "第二网格", "阳光花园", "5", None, Titles(), "13907240011"),
    ("vol3", "何晓燕", 5, "第三网格", "翠苑小区", "2", None, Titles(), "13907240012"),
    ("bh_s1", "黄德胜", 6, "第一网格", "阳光花园", "1", None, Titles(), "13907240013"),
    ("bh_s2", "马桂兰", 6, "第一网格", "阳光花园", "2", None, Titles(), "13907240014"),
    ("bh_s3", "杨志强", 6, "第一网格", "阳光花园", "3", None, Titles(), "13907240015"),
    ("bh_s4", "朱红梅", 6, "第二网格", "阳光花园", "4", None, Titles(), "13907240016"),
    ("bh_s5", "胡永福", 6, "第二网格", "阳光花园", "5", None, Titles(), "13907240017"),
    ("bh_c1", "郭淑珍", 6, "第三网格", "翠苑小区", "1", None, Titles(), "13907240018"),
    ("bh_c2", "林国庆", 6, "第三网格", "翠苑小区", "2", None, Titles(), "13907240019"),
]
_YUELIANG_MEMBERS = [
    ("y_leader", "高志远", 1, None, None, None, None, Titles(), "13907240101"),
    ("y_cadre", "罗晓东", 2, "第一网格", None, None, "区城管执法局", Titles(), "13907240102"),
    ("y_office", "梁静怡", 3, None, None, None, None, Titles(office_admin=True), "13907240103"),
    ("y_gm1", "宋海波", 3, "第一网格", None, None, None, Titles(grid_manager=True), "13907240104"),
    ("y_mediator", "谢长青", 4, "第一网格", None, None, None, Titles(mediator=True), "13907240105"),
    ("y_vol", "韩雪", 5, "第一网格", "金桂苑", "3", None, Titles(), "13907240106"),
    ("y_bh1", "唐立新", 6, "第一网格", "金桂苑", "1", None, Titles(), "13907240107"),
    ("y_bh2", "冯玉兰", 6, "第一网格", "金桂苑", "2", None, Titles(), "13907240108"),
]
_RESIDENTS = [
    ("r_zhang", "张阿姨", "白庙社区", "阳光花园", "3"),
    ("r_li", "李先生", "白庙社区", "阳光花园", "5"),
    ("r_wang", "王奶奶", "白庙社区", "阳光花园", "2"),
    ("r_zhao", "赵同学家长", "白庙社区", "翠苑小区", "1"),
    ("r_qian", "钱师傅", "月亮湖社区", "金桂苑", "2"),
]
# (key, name, role, grid, compound, building, phone): on the roster, no chat account yet
_NEWCOMERS = [
    ("new_phone", "孔德明", 5, "第二网格", "阳光花园", "6", "13907240020"),  # binds by sharing his phone
    ("new_invite", "许文静", 5, "第一网格", "阳光花园", "1", "13907240021"),  # binds by an invitation
]
MEMBER_CHAT_BASE = 7_000_001
NEWCOMER_ACCOUNT_BASE = 7_200_000  # the demo gives them a chat account (not bound): this + member id
RESIDENT_CHAT_BASE = 7_100_001


def load(session: Session, *, now: datetime, on_step: Callable[[str], None] | None = None) -> DemoSummary:
    """Create the demo district in the caller's transaction; refuses when it already exists."""
    if session.exec(select(Community).where(Community.name == "白庙社区")).first():
        raise InvalidInput("演示数据已存在（白庙社区）；如需重来请换一个空数据库")
    step = on_step or (lambda _label: None)
    summary = DemoSummary()
    start = now - timedelta(days=12)

    step("社区、网格、小区和楼栋")
    baimiao = places.create_community(session, "白庙社区", district=DISTRICT, now=start)
    yueliang = places.create_community(session, "月亮湖社区", district=DISTRICT, now=start)
    summary.communities = 2
    g = {}
    for community, grid_names in ((baimiao, ("第一网格", "第二网格", "第三网格")), (yueliang, ("第一网格",))):
        for name in grid_names:
            g[(community.id, name)] = places.ensure_grid(session, community, name)[0]
    sunshine = places.ensure_compound(session, baimiao, "阳光花园", aliases=("阳光小区", "阳光"))[0]
    cuiyuan = places.ensure_compound(session, baimiao, "翠苑小区", aliases=("翠苑",))[0]
    jingui = places.ensure_compound(session, yueliang, "金桂苑", aliases=("金桂小区",))[0]
    b = {}
    for n in range(1, 7):
        grid = g[(baimiao.id, "第一网格" if n <= 3 else "第二网格")]
        b[("阳光花园", str(n))] = places.ensure_building(session, baimiao, f"{n}栋", grid=grid, compound=sunshine)[0]
    for n in range(1, 4):
        b[("翠苑小区", str(n))] = places.ensure_building(
            session, baimiao, f"{n}栋", grid=g[(baimiao.id, "第三网格")], compound=cuiyuan
        )[0]
    for n in range(1, 5):
        b[("金桂苑", str(n))] = places.ensure_building(
            session, yueliang, f"{n}栋", grid=g[(yueliang.id, "第一网格")], compound=jingui
        )[0]
    places.add_alias(session, baimiao.id, "building", b[("阳光花园", "6")].id, "老干部楼")

    step("红管家（六类成员）")
    m: dict[str, Member] = {}
    chat_id = MEMBER_CHAT_BASE
    for community, rows in ((baimiao, _BAIMIAO_MEMBERS), (yueliang, _YUELIANG_MEMBERS)):
        for key, name, role, grid_name, compound_name, number, unit, titles, phone in rows:
            work_unit = members.ensure_work_unit(session, unit)[0] if unit else None
            building = b[(compound_name, number)] if number else None
            m[key] = members.create_member(
                session, name=name, role=role, community=community, phone=phone, now=start,
                grid=g[(community.id, grid_name)] if grid_name else None, building=building,
                work_unit=work_unit, account_id=telegram_account(session, chat_id, name, start), titles=titles,
            )
            label = _role_label(m[key])
            summary.people.append(DemoPerson(key, name, chat_id, m[key].number, label))
            chat_id += 1
    # members on the roster who have no chat account yet: they bind by their phone or an invitation
    for key, name, role, grid_name, compound_name, number, phone in _NEWCOMERS:
        m[key] = members.create_member(
            session, name=name, role=role, community=baimiao, phone=phone, now=start,
            grid=g[(baimiao.id, grid_name)], building=b[(compound_name, number)],
        )
        summary.newcomers.append(DemoPerson(key, name, NEWCOMER_ACCOUNT_BASE + m[key].id, m[key].number,
                                            _role_label(m[key])))
    summary.members = len(m)

    step("居民与群聊")
    r: dict[str, Resident] = {}
    chat_id = RESIDENT_CHAT_BASE
    for key, name, community_name, compound_name, number in _RESIDENTS:
        community = baimiao if community_name == "白庙社区" else yueliang
        r[key] = members.get_or_create_resident(session, telegram_account(session, chat_id, name, start),
                                                display_name=name, community_id=community.id, now=start)
        r[key].building_id = b[(compound_name, number)].id
        summary.people.append(DemoPerson(key, name, chat_id))
        chat_id += 1
    summary.residents = len(r)
    for chat, title, community, grid, compound in (
        (GROUP_SUNSHINE, "阳光花园居民群", "白庙社区", None, "阳光花园"),
        (GROUP_CUIYUAN, "翠苑小区居民群", "白庙社区", "第三网格", None),
        (GROUP_JINGUI, "金桂苑居民群", "月亮湖社区", None, "金桂苑"),
    ):
        key = identities.resolve_chat(session, TELEGRAM, str(chat), kind="group", title=title, now=start).id
        groups.bind(session, key, community_name=community, grid_name=grid, compound_name=compound,
                    title=title, now=start)
        summary.groups[chat] = title

    step("问题（各种状态）")
    t = start

    def tick(hours: float = 5) -> datetime:
        nonlocal t
        t += timedelta(hours=hours)
        return t

    def member_actor(key: str) -> Actor:
        resident = members.resident_for_member(session, m[key], now=t)
        return Actor(member=m[key], resident=resident)

    def report(resident_key, text, category, compound_name, number, **kw):
        resident = r[resident_key]
        return issues.report(session, reporter=resident, community_id=resident.community_id, text=text,
                             category=category, building=b[(compound_name, number)], now=tick(), **kw)

    reporter = lambda key: Actor(resident=r[key])  # noqa: E731

    report("r_zhang", "3栋2单元楼道灯坏了好几天了，晚上黑漆漆的老人上下楼不安全", "facility", "阳光花园", "3", unit="2")
    i2 = report("r_li", "5栋门口垃圾堆了两天没人清", "sanitation", "阳光花园", "5")
    issues.accept(session, i2, member_actor("bh_s5"), now=tick())
    i3 = report("r_wang", "2栋楼下有人飞线充电，电线从三楼窗户拉下来", "safety", "阳光花园", "2")
    issues.claim(session, i3, member_actor("gm1"), now=tick())
    i4 = report("r_zhang", "3栋单元门的门禁坏了，外人随便进", "facility", "阳光花园", "3", unit="1")
    issues.claim(session, i4, member_actor("bh_s3"), now=tick())
    issues.resolve(session, i4, member_actor("bh_s3"), note="已联系物业更换门禁锁", now=tick())
    i5 = report("r_li", "5栋楼顶水箱漏水，顶楼墙面都湿了", "facility", "阳光花园", "5")
    issues.claim(session, i5, member_actor("cadre_wj"), now=tick())
    issues.resolve(session, i5, member_actor("cadre_wj"), note="协调住建局维修队修好了水箱", now=tick())
    issues.confirm(session, i5, reporter("r_li"), now=tick())
    i6 = report("r_zhao", "翠苑1栋有人在楼道里卖保健品", "other", "翠苑小区", "1")
    issues.reject(session, i6, member_actor("gm3"), reason="已核实是社区组织的义诊活动，不是推销", now=tick())
    i7 = report("r_wang", "5栋门口垃圾好多，臭死了", "sanitation", "阳光花园", "5")
    issues.merge(session, i7, i2, member_actor("gm2"), now=tick())
    i8 = report("r_zhang", "1栋和2栋之间的路灯不亮", "facility", "阳光花园", "1")
    issues.claim(session, i8, member_actor("bh_s1"), now=tick())
    issues.resolve(session, i8, member_actor("bh_s1"), note="换了灯泡", now=tick())
    issues.reopen(session, i8, reporter("r_zhang"), note="只亮了一晚又坏了", now=tick())
    i9 = report("r_qian", "金桂苑2栋楼上天天半夜拖椅子，吵得睡不着", "noise", "金桂苑", "2")
    issues.accept(session, i9, member_actor("y_gm1"), now=tick())
    report("r_li", "4栋和6栋两户因为车位吵起来了", "dispute", "阳光花园", "4")
    summary.issues = 10

    step("微心愿（各种状态）")

    def wish(resident_key, text, category, compound_name, number, days_left=30):
        resident = r[resident_key]
        return wishes.post(session, poster=resident, community_id=resident.community_id, text=text,
                           category=category, building=b[(compound_name, number)], now=tick(3),
                           lifetime=timedelta(days=days_left))

    wish("r_wang", "家里老人腿脚不便，想请人每周帮忙买一次菜", "errand", "阳光花园", "2")
    w2 = wish("r_zhang", "孙子三年级数学跟不上，希望有志愿者周末辅导一下", "study", "阳光花园", "3")
    wishes.claim(session, w2, member_actor("vol1"), now=tick(3))
    w3 = wish("r_li", "想给独居的楼上刘大爷装个扶手", "elderly", "阳光花园", "5")
    wishes.claim(session, w3, member_actor("vol2"), now=tick(3))
    wishes.fulfil(session, w3, member_actor("vol2"), note="扶手已装好", now=tick(3))
    w4 = wish("r_zhao", "想请人陪奶奶去医院复查", "health", "翠苑小区", "1")
    wishes.claim(session, w4, member_actor("vol3"), now=tick(3))
    wishes.fulfil(session, w4, member_actor("vol3"), now=tick(3))
    wishes.thank(session, w4, Actor(resident=r["r_zhao"]), note="谢谢何姐，奶奶很开心", now=tick(3))
    w5 = wish("r_qian", "家里水龙头坏了想找人修", "household", "金桂苑", "2")
    wishes.withdraw(session, w5, Actor(resident=r["r_qian"]), note="自己修好了", now=tick(3))
    wish("r_wang", "想要一台旧收音机给老伴解闷", "other", "阳光花园", "2", days_left=1)
    wishes.expire_due(session, now=now)
    summary.wishes = 6

    step("任务与奖券")
    task = tasks.publish(session, m["gm1"], title="周六上午阳光花园环境大扫除",
                         description="自带手套，9点在1栋门口集合", capacity=20, now=tick(2),
                         invite=[m["vol1"], m["bh_s1"], m["bh_s2"]])
    tasks.join(session, task, m["vol1"], now=tick(1))
    tasks.join(session, task, m["bh_s2"], now=tick(1))
    for merchant, title, cost in (("红色商户联盟·惠民超市", "10元购物券", 20),
                                  ("红色商户联盟·老李理发店", "免费理发一次", 15)):
        session.add(Voucher(merchant=merchant, title=title, cost=cost))
    session.flush()
    return summary


def telegram_account(session: Session, telegram_id: int, name: str, now: datetime) -> int:
    """The key of a demo person's Telegram account (their private chat has their id)."""
    return identities.resolve_account(session, TELEGRAM, str(telegram_id), name=name,
                                      private_chat=str(telegram_id), now=now).id


def _role_label(member: Member) -> str:
    label = ROLE_NAMES_ZH[Role(member.role)]
    if member.is_grid_manager:
        label = "网格员"
    elif member.is_mediator:
        label = "金牌调解员"
    elif member.is_office_admin:
        label = "社区工作室"
    return label
