"""Micro-wishes and the commands, through the conversation with the real parser."""

from __future__ import annotations

from sqlmodel import select

from bot.places import groups
from models import ChatGroup, Member, PendingQuestion, PointsEntry, Task, TaskParticipant, Wish

from .conftest import CUIYUAN, SUNSHINE
from tests import ids

WISH = "家里老人腿脚不便，想请志愿者帮忙每周买一次菜"


def newest_wish(cw) -> Wish:
    with cw.db.session() as s:
        return s.exec(select(Wish).order_by(Wish.id.desc())).first()


def in_chat(out, chat_id):
    return [m for m in out if m.chat_id == chat_id]


# --- wishes -------------------------------------------------------------------------------------


def test_a_wish_goes_to_the_wall_and_to_the_grid_group(cw, people):
    with cw.db.transaction() as s:
        groups.bind(s, ids.chat(s, -100888), community_name="白庙社区", grid_name="第一网格", title="第一网格群",
                    now=cw.clock.now())
    out = cw.say(people.r_wang, SUNSHINE, WISH)
    wish = newest_wish(cw)
    assert wish.text == WISH and wish.status == "posted" and wish.category != "other"
    (reply,) = in_chat(out, SUNSHINE)
    assert f"已记下心愿 <b>W{wish.id}</b>" in reply.text and reply.labels == ["我来认领"]
    (copy,) = in_chat(out, -100888)  # 王奶奶 lives in 阳光花园2栋, grid 1
    assert "微心愿" in copy.text and copy.labels == ["我来认领"]


def test_a_wish_asked_of_the_neighbours_waits_for_the_writer_before_it_goes_to_the_wall(cw, people):
    # neighbours mostly answer 「谁家有…」 themselves: the writer is asked whether it is for the wall (no
    # 是问题 to choose), and only the writer's tap posts it
    def wishes():
        with cw.db.session() as s:
            return len(s.exec(select(Wish)).all())

    before = wishes()
    (question,) = cw.say(people.r_wang, SUNSHINE, "谁家有轮椅能借几天，我爸刚出院走不了路")
    assert "微心愿墙" in question.text and question.labels == ["登上心愿墙", "不用管"] and wishes() == before
    assert cw.press(people.r_li, question, "登上心愿墙") == [] and wishes() == before  # not the writer
    out = cw.press(people.r_wang, question, "登上心愿墙")
    assert any("已记下心愿" in m.text for m in out)
    assert newest_wish(cw).text == "谁家有轮椅能借几天，我爸刚出院走不了路"


def test_a_plain_resident_is_told_how_to_become_a_volunteer(cw, people):
    (reply,) = cw.say(people.r_wang, SUNSHINE, WISH)
    assert cw.press(people.r_li, reply, "我来认领") == []
    assert cw.last_answer.alert and "/bind" in cw.last_answer.text
    assert newest_wish(cw).status == "posted"


def test_claim_fulfil_thank_with_points(cw, people):
    (reply,) = cw.say(people.r_wang, SUNSHINE, WISH)
    wish = newest_wish(cw)
    out = cw.press(people.vol1, reply, "我来认领")
    assert newest_wish(cw).status == "claimed" and reply.buttons == [] and "郑小红" in reply.text
    assert any("已由红管家 郑小红 认领" in m.text for m in in_chat(out, SUNSHINE))
    (private,) = in_chat(out, people.vol1)
    assert private.labels == ["已实现", "放弃认领"] and "tg://user?id=%d" % people.r_wang in private.text
    assert cw.press(people.vol2, private, "已实现") == []  # not the claimer
    assert cw.last_answer.alert and newest_wish(cw).status == "claimed"
    out = cw.press(people.vol1, private, "已实现")
    assert newest_wish(cw).status == "fulfilled"
    thanks = [m for m in in_chat(out, SUNSHINE) if "谢谢" in " ".join(m.labels)][0]
    assert cw.press(people.r_li, thanks, "谢谢") == [] and cw.last_answer.alert  # not the poster
    out = cw.press(people.r_wang, thanks, "谢谢")
    assert newest_wish(cw).status == "thanked"
    assert any("感谢" in m.text for m in in_chat(out, people.vol1))
    with cw.db.session() as s:
        entry = s.exec(select(PointsEntry).where(PointsEntry.object_key == f"wish:{wish.id}")).one()
    assert entry.rule_code == "wish_fulfilled" and entry.delta == 8


def test_a_claimed_wish_cannot_be_claimed_again_and_release_puts_it_back(cw, people):
    (reply,) = cw.say(people.r_wang, SUNSHINE, WISH)
    out = cw.press(people.vol1, reply, "我来认领")
    (private,) = in_chat(out, people.vol1)
    from bot.messages import Action, Button

    assert reply.buttons == []  # the card shows it is claimed; press its old button anyway
    reply.buttons = [[Button("我来认领", Action("w", "claim", newest_wish(cw).id))]]
    cw.press(people.vol2, reply, "我来认领")
    assert cw.last_answer.alert and "已认领" in cw.last_answer.text
    cw.press(people.vol1, private, "放弃认领")
    assert newest_wish(cw).status == "posted"


# --- commands ----------------------------------------------------------------------------------------


def test_help_lists_the_commands_in_chinese(cw, people):
    (reply,) = cw.say(people.r_li, people.r_li, "/help")
    for name in ("/start", "/bind", "/my", "/wall", "/task", "/points", "/rank", "/stats", "/cancel"):
        assert name in reply.text
    assert "心愿墙" in reply.text
    (group_help,) = cw.say(people.r_li, SUNSHINE, "/help@hgj_demo_bot")
    assert "/wall" in group_help.text and "/start" not in group_help.text  # private-only commands left out


def test_start_greets_members_and_residents(cw, people):
    (member,) = cw.say(people.bh_s3, people.bh_s3, "/start")
    assert "杨志强（楼栋长）" in member.text
    (resident,) = cw.say(8888, 8888, "/start")
    assert "/bind" in resident.text


def test_bind_asks_for_ones_own_phone_and_binds_by_it(cw, people):
    from models import Resident

    with cw.db.transaction() as s:  # a member from the roster, no chat account yet
        m = ids.member_of(s, people.vol3)
        ids.bind(s, m, None)
        number, phone = m.number, m.phone
        s.add(m)
        for r in s.exec(select(Resident).where(Resident.member_id == m.id)):
            r.account_id = None
            s.add(r)
    (typed,) = cw.say(9001, 9001, f"/bind {number}")
    (bare,) = cw.say(9001, 9001, "/bind")
    assert typed.text == bare.text and "分享我的手机号" in typed.text and "邀请链接" in typed.text
    assert typed.ask_contact == "📱 分享我的手机号"
    with cw.db.session() as s:
        assert ids.member_telegram_id(s, s.exec(select(Member).where(Member.number == number)).one()) is None
    (forwarded,) = cw.share_contact(9002, phone, owner=people.vol3)  # a card of someone else proves nothing
    assert "没有完成绑定" in forwarded.text
    out = cw.share_contact(9001, f"+86{phone}")
    ok = [m for m in out if m.chat_id == 9001][0]
    assert "绑定成功：何晓燕" in ok.text and ok.clear_request
    told = {m.chat_id for m in out if m.chat_id != 9001}
    assert told == {people.office, people.gm3}  # the office and her grid's manager
    (again,) = cw.say(9001, 9001, "/bind")
    assert "已绑定红管家 何晓燕" in again.text and again.ask_contact is None


def test_bind_in_a_bound_group_is_for_office_admins(cw, people):
    (refused,) = cw.say(people.gm1, SUNSHINE, "/bind 白庙社区")
    assert "只有社区红管家工作室的管理员" in refused.text
    (ok,) = cw.say(people.office, SUNSHINE, "/bind 白庙社区 阳光花园")
    assert "阳光花园" in ok.text
    with cw.db.session() as s:
        assert s.get(ChatGroup, ids.known_chat(s, SUNSHINE)).compound_id is not None
    (unknown,) = cw.say(people.office, SUNSHINE, "/bind 白庙社区 第九网格")
    assert "没有网格或小区「第九网格」" in unknown.text


def test_my_shows_reports_wishes_and_what_a_member_handles(cw, people):
    (mine,) = cw.say(people.r_zhang, people.r_zhang, "/my")
    assert "我反映/附议的问题" in mine.text and "Q1" in mine.text and "我的心愿" in mine.text
    (handler,) = cw.say(people.gm1, people.gm1, "/my")
    assert "待我处理" in handler.text
    (nothing,) = cw.say(8889, 8889, "/my")
    assert "还没有" in nothing.text


def test_points_and_rank(cw, people):
    (points,) = cw.say(people.bh_s1, people.bh_s1, "/points")
    assert "你的积分" in points.text
    (resident,) = cw.say(people.r_li, people.r_li, "/points")
    assert "/bind" in resident.text
    (rank,) = cw.say(people.r_li, SUNSHINE, "/rank")
    assert "积分榜" in rank.text and "139" not in rank.text


def test_stats_is_for_managers_only(cw, people):
    (ok,) = cw.say(people.gm1, people.gm1, "/stats")
    assert "收集" in ok.text and "纳入任务清单" in ok.text and "第一网格" in ok.text
    for who in (people.vol1, people.bh_s1, people.r_li):
        (refused,) = cw.say(who, who, "/stats")
        assert "只对" in refused.text
    (leader,) = cw.say(people.leader, people.leader, "/stats")
    assert "白庙社区" in leader.text


def test_a_manager_who_left_sees_no_stats(cw, people):
    from models import MemberStatus

    with cw.db.transaction() as s:
        gm = ids.member_of(s, people.gm1)
        gm.status = MemberStatus.left  # still bound to the chat account, no longer a steward
        s.add(gm)
    (refused,) = cw.say(people.gm1, people.gm1, "/stats")
    assert "只对" in refused.text and "收集" not in refused.text


def test_wall_lists_open_wishes_with_claim_buttons(cw, people):
    (wall,) = cw.say(people.vol1, SUNSHINE, "/wall")
    assert "心愿墙" in wall.text and any(label.startswith("认领 W") for label in wall.labels)
    label = next(x for x in wall.labels if x.startswith("认领 W"))
    cw.press(people.vol1, wall, label)
    assert cw.last_answer.text.startswith("认领成功")


def test_task_publish_list_and_join(cw, people):
    (published,) = cw.say(people.gm1, SUNSHINE, "/task 周日上午清理楼道杂物")
    assert "已发布任务" in published.text and published.labels[0].startswith("参加 T")
    (refused,) = cw.say(people.r_li, SUNSHINE, "/task 我也想发")
    assert "只有红管家" in refused.text
    (listing,) = cw.say(people.vol1, people.vol1, "/task")
    assert "周日上午清理楼道杂物" in listing.text
    label = next(x for x in listing.labels if "T" in x)
    out = cw.press(people.vol1, listing, label)
    assert "已报名" in cw.last_answer.text
    assert any("报名参加了任务" in m.text for m in in_chat(out, people.gm1))
    cw.press(people.vol1, listing, label)
    assert cw.last_answer.alert  # joined already
    with cw.db.session() as s:
        task = s.exec(select(Task).where(Task.title == "周日上午清理楼道杂物")).one()
        assert s.exec(select(TaskParticipant).where(TaskParticipant.task_id == task.id)).one().status == "joined"
    cw.press(people.r_li, listing, label)
    assert cw.last_answer.alert and "bind" in cw.last_answer.text


def test_cancel_drops_the_open_question(cw, people):
    (nothing,) = cw.say(people.r_li, SUNSHINE, "/cancel")
    assert "没有需要取消" in nothing.text
    cw.say(people.r_li, SUNSHINE, "楼道的灯坏了好几天了，晚上黑漆漆的")
    (done,) = cw.say(people.r_li, SUNSHINE, "/cancel")
    assert "已取消" in done.text
    with cw.db.session() as s:
        assert s.exec(select(PendingQuestion)).all() == []


def test_a_private_chat_never_meets_silence(cw, people):
    (unknown,) = cw.say(people.r_li, people.r_li, "/frobnicate")
    assert "没有 /frobnicate 这个命令" in unknown.text
    (text,) = cw.say(people.r_li, people.r_li, "你好，请问怎么反映问题")
    assert "直接告诉我" in text.text  # 李 has written in a group of 白庙: reports may come here
    (stranger,) = cw.say(8888, 8888, "你好，请问怎么反映问题")
    assert "居民群" in stranger.text
    assert cw.say(people.r_li, SUNSHINE, "/frobnicate") == []  # another bot's command in a group
    (addressed,) = cw.say(people.r_li, SUNSHINE, "/frobnicate@hgj_demo_bot")
    assert "/help" in addressed.text


def test_private_only_commands_say_where_to_use_them(cw, people):
    (reply,) = cw.say(people.r_li, SUNSHINE, "/start@hgj_demo_bot")
    assert "请私聊我" in reply.text


def test_web_gives_managers_a_login_link(cw, people):
    (link,) = cw.say(people.gm1, people.gm1, "/web")
    assert "/login?token=" in link.text
    (refused,) = cw.say(people.vol1, people.vol1, "/web")
    assert "开放" in refused.text


def test_a_grid_group_wall_shows_the_grid(cw, people):
    (wall,) = cw.say(people.r_zhao, CUIYUAN, "/wall")
    assert "心愿墙" in wall.text or "暂时没有" in wall.text


def test_writing_in_private_makes_an_unreachable_member_reachable_again(cw, people):
    with cw.db.transaction() as s:  # the sender marked him so when Telegram said he blocked the bot
        ids.set_unreachable(s, ids.member_of(s, people.bh_s3))
    out = cw.say(people.r_li, SUNSHINE, "3栋2单元楼道灯坏了好几天了")
    assert not in_chat(out, people.bh_s3)  # routed past him while unreachable
    cw.say(people.bh_s3, people.bh_s3, "/start")
    out = cw.say(people.r_li, SUNSHINE, "3栋一单元的单元门关不上了，风一吹哐哐响")
    assert in_chat(out, people.bh_s3)
