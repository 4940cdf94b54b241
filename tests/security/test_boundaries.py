"""Finding 3: 附议 and 进度 answer only the people of the issue's community — its members, the
residents who wrote in its groups (and someone never seen, pressing in one of its groups). Anyone
else gets a polite popup: nothing is counted, no resident row is made or moved. The same for the
wishes' buttons. Replayed through the stand-in with the real aiogram bot."""

from __future__ import annotations

from sqlmodel import select

from bot.members.belonging import belongs
from models import Community, IssueFollower, Member, Resident, Wish
from tests.chat.conftest import conversation, cw, demo, demo_template, parser, people  # noqa: F401 (fixtures)
from tests.chat.live import button

from .guard_steps import NOT_HERE, SUNSHINE, edits_of, forge, issue, live, report  # noqa: F401
from tests import ids


def followers(live, issue_id: int) -> set[int]:
    with live.db.session() as s:
        return {ids.telegram_user(s, r.account_id) for r in s.exec(select(Resident).join(
            IssueFollower, IssueFollower.resident_id == Resident.id).where(IssueFollower.issue_id == issue_id))}


def resident(live, user_id: int) -> Resident | None:
    with live.db.session() as s:
        return s.exec(select(Resident).where(Resident.account_id == ids.known_account(s, user_id))).first()


def community_id(live, name: str) -> int:
    with live.db.session() as s:
        return s.exec(select(Community.id).where(Community.name == name)).one()


async def test_a_resident_or_member_of_another_community_in_the_group_is_not_counted(live, people):
    sc = live.sc
    recorded, found = await report(live, people)
    yueliang = community_id(live, "月亮湖社区")
    for who in ("r_qian", "y_bh1"):  # a resident and a building head of 月亮湖社区, in 阳光花园's group
        await sc.add_member(SUNSHINE, people[who])
        for label in ("附议", "进度"):
            q = await sc.press(people[who], SUNSHINE, recorded["message_id"], button(recorded, label))
            answer = await sc.callback_answer(q, wait=5)
            assert answer["show_alert"] and "白庙社区" in answer["text"], answer
            assert f"Q{found.id}" not in answer["text"] and "朱红梅" not in answer["text"]  # nothing shown
    assert issue(live, found.id).affected == 1 and followers(live, found.id) == {people.r_li}
    assert resident(live, people.r_qian).community_id == yueliang  # not moved
    assert edits_of(live, SUNSHINE, recorded["message_id"]) == []


async def test_a_stranger_in_a_private_chat_counts_for_nothing_and_becomes_nobodys_resident(live, people):
    sc = live.sc
    _recorded, found = await report(live, people)
    stranger = (await sc.add_user("路人甲", id=7_400_001))["id"]
    await sc.start_private(stranger)
    greeting = await sc.wait_for_message(stranger, lambda m: "红管家机器人" in m["text"])
    for verb in ("support", "progress"):
        answer = await forge(live, stranger, stranger, greeting["message_id"], f"q:{verb}:{found.id}:")
        assert answer["text"] == NOT_HERE
    assert issue(live, found.id).affected == 1 and stranger not in followers(live, found.id)
    assert resident(live, stranger).community_id is None
    await sc.send_text(stranger, stranger, "5栋门口的路灯坏了，晚上很黑")  # may not report in private
    told = await sc.wait_for_message(stranger, lambda m: "居民群" in m["text"])
    assert "已记录" not in told["text"] and issue(live, found.id).id == found.id


async def test_the_communitys_people_are_counted_and_answered(live, people):
    sc = live.sc
    recorded, found = await report(live, people)
    lurker = (await sc.add_user("潜水的邻居", id=7_400_002))["id"]  # never seen, in the group
    await sc.add_member(SUNSHINE, lurker)
    await sc.add_member(SUNSHINE, people.r_qian)
    # a 月亮湖 resident who reported in this group wrote in 白庙社区's groups: one of its people too
    await sc.send_text(people.r_qian, SUNSHINE, "6栋电梯坏了，停在3楼不动")
    await sc.wait_for_message(SUNSHINE, lambda m: "已记录" in m["text"])
    for user in (people.r_zhang, people.vol2, lurker, people.r_qian):
        q = await sc.press(user, SUNSHINE, recorded["message_id"], button(recorded, "附议"))
        assert "已附议" in (await sc.callback_answer(q, wait=5))["text"]
    q = await sc.press(lurker, SUNSHINE, recorded["message_id"], button(recorded, "进度"))
    assert f"Q{found.id} 待受理" in (await sc.callback_answer(q, wait=5))["text"]
    assert issue(live, found.id).affected == 5
    assert resident(live, lurker).community_id == community_id(live, "白庙社区")


async def test_wish_buttons_keep_to_the_community_and_make_no_resident(live, people):
    sc = live.sc
    await sc.send_text(people.r_wang, SUNSHINE, "家里老人腿脚不便，想请志愿者帮忙每周买一次菜")
    posted = await sc.wait_for_message(SUNSHINE, lambda m: "已记下心愿" in m["text"])
    claim = button(posted, "我来认领")
    await sc.add_member(SUNSHINE, people.y_vol)  # a volunteer of 月亮湖社区
    q = await sc.press(people.y_vol, SUNSHINE, posted["message_id"], claim)
    answer = await sc.callback_answer(q, wait=5)
    assert answer["show_alert"] and "社区" in answer["text"]
    q = await sc.press(people.vol1, SUNSHINE, posted["message_id"], claim)
    assert "认领成功" in (await sc.callback_answer(q, wait=5))["text"]
    await sc.wait_for_message(SUNSHINE, lambda m: m["message_id"] == posted["message_id"], edits=True)
    before = len(edits_of(live, SUNSHINE, posted["message_id"]))
    # the old 认领 of the claimed wish, pressed by the other community's volunteer: no card refresh
    answer = await forge(live, people.y_vol, SUNSHINE, posted["message_id"], claim)
    assert answer["show_alert"] and len(edits_of(live, SUNSHINE, posted["message_id"])) == before
    with live.db.session() as s:
        wish = s.exec(select(Wish).order_by(Wish.id.desc())).first()
    assert wish.claimer_id is not None and wish.status == "claimed"


def test_who_belongs_to_a_community(cw, people):
    with cw.db.session() as s:
        baimiao = s.exec(select(Community.id).where(Community.name == "白庙社区")).one()
        yueliang = s.exec(select(Community.id).where(Community.name == "月亮湖社区")).one()
        member = ids.member_of(s, people.gm2)
        qian = s.exec(select(Resident).where(Resident.account_id == ids.known_account(s, people.r_qian))).one()
        assert belongs(s, baimiao, member=member, resident=None, group_community_id=None)
        assert not belongs(s, yueliang, member=member, resident=None, group_community_id=yueliang)
        assert belongs(s, yueliang, member=None, resident=qian, group_community_id=None)
        assert not belongs(s, baimiao, member=None, resident=qian, group_community_id=baimiao)
        assert belongs(s, baimiao, member=None, resident=None, group_community_id=baimiao)  # never seen, in its group
        assert not belongs(s, baimiao, member=None, resident=None, group_community_id=None)  # a private chat
        assert not belongs(s, baimiao, member=None, resident=None, group_community_id=yueliang)
