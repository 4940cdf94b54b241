"""Issue reports through the conversation (process_message / process_press) with the real parser."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.places import groups
from tests.rendered import html_of
from models import Issue, IssueFollower, Member, OutboxMessage, PendingQuestion, PointsEntry

from .conftest import CUIYUAN, SUNSHINE
from tests import ids

DOOR = "4栋单元门坏了关不上，外人随便进出"


def issues_of(cw) -> list[Issue]:
    with cw.db.session() as s:
        return list(s.exec(select(Issue).order_by(Issue.id)).all())


def newest(cw) -> Issue:
    return issues_of(cw)[-1]


def member(cw, key_id: int) -> Member:
    with cw.db.session() as s:
        return ids.member_of(s, key_id)


def in_chat(out, chat_id):
    return [m for m in out if m.chat_id == chat_id]


def report_door(cw, people):
    out = cw.say(people.r_li, SUNSHINE, DOOR)
    issue = newest(cw)
    return out, issue


# --- filing --------------------------------------------------------------------------------------


def test_a_confident_report_is_filed_replied_in_thread_and_routed(cw, people):
    before = len(issues_of(cw))
    out, issue = report_door(cw, people)
    assert len(issues_of(cw)) == before + 1
    assert issue.text == DOOR and issue.category == "facility" and issue.status == "reported"
    (reply,) = in_chat(out, SUNSHINE)
    user_msg = cw.chats[SUNSHINE][-2]
    assert reply.reply_to == user_msg.message_id == int(issue.source_message_id)
    assert f"已记录 <b>Q{issue.id}</b>：阳光花园4栋 · 公共设施维修 · 楼栋长 朱红梅、网格员 赵磊 跟进" in reply.text
    assert reply.labels == ["附议 +1", "进度"]
    # private alerts to the building head and the grid manager, with the handler's buttons
    for key in ("bh_s4", "gm2"):
        (alert,) = in_chat(out, people[key])
        assert f"问题 Q{issue.id}" in html_of(alert) and DOOR in html_of(alert) and "李先生" in html_of(alert)
        assert alert.labels == ["受理", "领办", "转派", "驳回"]
    with cw.db.session() as s:
        rows = s.exec(select(OutboxMessage).where(OutboxMessage.kind == "alert")).all()
    assert {r.member_id for r in rows} == {member(cw, people.bh_s4).id, member(cw, people.gm2).id}
    assert {r.ref for r in rows} == {f"issue:{issue.id}"}


def test_chatter_costs_nothing_but_a_look(cw, people):
    before = len(issues_of(cw))
    for text in ("大家早上好呀", "今天天气真不错，出去走走", "哈哈", "收到，谢谢"):
        assert cw.say(people.r_zhang, SUNSHINE, text) == []
    assert len(issues_of(cw)) == before


def test_an_unbound_group_stays_silent_until_an_office_admin_binds_it(cw, people):
    lonely = -100555
    assert cw.say(people.r_li, lonely, DOOR) == []
    assert cw.say(people.r_li, lonely, "/help") == []
    assert cw.say(people.r_li, lonely, "/bind 白庙社区") == []  # a resident: still silent
    (reply,) = cw.say(people.office, lonely, "/bind 白庙社区 第二网格")
    assert "已绑定到 白庙社区 · 第二网格" in reply.text
    with cw.db.session() as s:
        assert groups.get(s, ids.known_chat(s, lonely)).grid_id is not None
    out = cw.say(people.r_li, lonely, "6栋门口的路灯坏了，晚上看不见")
    assert any("已记录" in m.text for m in in_chat(out, lonely))


def test_an_urgent_report_is_filed_at_once_without_asking_and_suggests_the_number(cw, people):
    out = cw.say(people.r_wang, SUNSHINE, "楼道里着火了，好大的烟！")
    issue = newest(cw)
    assert issue.urgent and issue.building_id is None  # never blocked on 「在哪栋楼？」
    (reply,) = in_chat(out, SUNSHINE)
    assert "紧急" in reply.text and "119" in reply.text
    with cw.db.session() as s:
        asked = s.exec(select(PendingQuestion)).all()
    assert asked == []
    alerted = {m.chat_id for m in out if m.chat_id > 0}
    assert people.office in alerted  # urgent reports also reach the community office at once


def test_in_a_grid_group_a_report_without_building_goes_to_the_grid(cw, people):
    out = cw.say(people.r_zhao, CUIYUAN, "小区门口的垃圾桶满了好几天没人清理，臭气熏天")
    issue = newest(cw)
    assert issue.building_id is None and issue.grid_id is not None
    assert any("已记录" in m.text for m in in_chat(out, CUIYUAN))
    assert in_chat(out, people.gm3)  # 孙丽, the grid manager of 第三网格


# --- questions ------------------------------------------------------------------------------------


def test_a_missing_building_is_asked_for_and_taken_from_the_next_message(cw, people):
    before = len(issues_of(cw))
    (question,) = cw.say(people.r_li, SUNSHINE, "楼道的灯坏了好几天了，晚上黑漆漆的")
    assert "在哪栋楼" in question.text
    (again,) = cw.say(people.r_li, SUNSHINE, "9栋")
    assert "没有找到阳光花园9栋" in again.text
    assert len(issues_of(cw)) == before
    cw.say(people.r_zhang, SUNSHINE, "五号楼")  # someone else: not the answer
    assert len(issues_of(cw)) == before
    out = cw.say(people.r_li, SUNSHINE, "五号楼")
    issue = newest(cw)
    assert len(issues_of(cw)) == before + 1
    with cw.db.session() as s:
        from models import Building

        assert s.get(Building, issue.building_id).number == "5"
    assert any(f"Q{issue.id}" in m.text for m in in_chat(out, SUNSHINE))
    assert issue.text == "楼道的灯坏了好几天了，晚上黑漆漆的"


def test_the_answer_may_name_compound_building_and_unit(cw, people):
    cw.say(people.r_li, SUNSHINE, "楼道的灯坏了好几天了，晚上黑漆漆的")
    cw.say(people.r_li, SUNSHINE, "阳光花园6栋2单元")
    issue = newest(cw)
    assert issue.unit == "2" and issue.building_id is not None


def test_a_clearly_new_report_while_asked_is_handled_as_new_and_nothing_is_lost(cw, people):
    before = len(issues_of(cw))
    cw.say(people.r_li, SUNSHINE, "楼道的灯坏了好几天了，晚上黑漆漆的")
    out = cw.say(people.r_li, SUNSHINE, "另外6栋门口的下水道堵了，污水漫出来了")
    assert len(issues_of(cw)) == before + 1
    assert any("已记录" in m.text for m in in_chat(out, SUNSHINE))
    # the first report's question is still open; when it runs out the report is filed anyway
    cw.later(minutes=31)
    out = cw.sweep()
    assert len(issues_of(cw)) == before + 2
    assert newest(cw).building_id is None
    assert any("没等到楼栋" in m.text for m in in_chat(out, SUNSHINE))


def test_an_expired_question_files_the_report_when_the_writer_comes_back(cw, people):
    before = len(issues_of(cw))
    cw.say(people.r_li, SUNSHINE, "楼道的灯坏了好几天了，晚上黑漆漆的")
    cw.later(minutes=45)
    cw.say(people.r_li, SUNSHINE, "5栋")  # too late to be the answer
    assert len(issues_of(cw)) == before + 1
    assert newest(cw).building_id is None




def test_an_unsure_message_gets_one_question_only_the_writer_may_answer(cw, people, unsure):
    before = len(issues_of(cw))
    (question,) = cw.say(people.r_wang, SUNSHINE, unsure)
    assert question.labels == ["是问题", "是心愿", "不用管"]
    assert cw.press(people.r_zhang, question, "是问题") == []
    assert cw.last_answer.alert and "发消息的人" in cw.last_answer.text
    out = cw.press(people.r_wang, question, "是问题")
    assert question.text == "好的，按问题记录。" and question.buttons == []
    assert any("在哪栋楼" in m.text for m in out)
    # a building where nothing is open: at her own 2栋, where she reported 飞线充电, a vague 「有人管管
    # 吗」 may well be that report again — the duplicate check's call, not this flow's
    cw.say(people.r_wang, SUNSHINE, "6栋")
    assert len(issues_of(cw)) == before + 1


def test_dont_bother_files_nothing_and_the_writer_is_not_quizzed_again_for_a_while(cw, people, unsure):
    before = len(issues_of(cw))
    (question,) = cw.say(people.r_wang, SUNSHINE, unsure)
    assert cw.say(people.r_wang, SUNSHINE, unsure + "？") == []  # asked already, still open
    cw.press(people.r_wang, question, "不用管")
    assert question.buttons == [] and len(issues_of(cw)) == before
    assert cw.say(people.r_wang, SUNSHINE, unsure) == []
    cw.later(minutes=11)
    (again,) = cw.say(people.r_wang, SUNSHINE, unsure)
    assert "需要我记下来吗" in again.text


def test_an_unsure_message_may_turn_out_a_wish(cw, people, unsure):
    (question,) = cw.say(people.r_wang, SUNSHINE, unsure)
    out = cw.press(people.r_wang, question, "是心愿")
    assert any("已记下心愿" in m.text for m in out)


def test_two_compounds_with_the_same_building_number_are_told_apart(cw, people):
    out = cw.say(people.r_zhao, CUIYUAN, "2栋楼下的路灯坏了，晚上黑乎乎的")
    (question,) = in_chat(out, CUIYUAN)
    assert "阳光花园2栋" in question.text and "翠苑小区2栋" in question.text
    assert cw.press(people.r_li, question, "翠苑小区2栋") == []  # not the writer
    cw.press(people.r_zhao, question, "翠苑小区2栋")
    issue = newest(cw)
    with cw.db.session() as s:
        from bot.places.service import building_label
        from models import Building

        assert building_label(s, s.get(Building, issue.building_id)) == "翠苑小区2栋"


# --- duplicates -------------------------------------------------------------------------------


def test_the_same_issue_again_is_offered_for_support_instead_of_a_new_number(cw, people):
    _out, first = report_door(cw, people)
    count = len(issues_of(cw))
    (offer,) = cw.say(people.r_zhang, SUNSHINE, "4栋的单元门坏了，一直关不上")
    assert f"Q{first.id}" in offer.text and offer.labels == ["附议 +1", "不是同一件事"]
    assert len(issues_of(cw)) == count
    cw.press(people.r_zhang, offer, "附议")
    assert "已附议" in offer.text and offer.buttons == []
    with cw.db.session() as s:
        assert s.get(Issue, first.id).affected == 2
    # the card under the first report shows it
    card = next(m for m in cw.bot_messages(SUNSHINE) if m.text.startswith(f"已记录 <b>Q{first.id}"))
    assert "2人反映" in card.text


def test_not_the_same_thing_files_it_separately(cw, people):
    _out, first = report_door(cw, people)
    (offer,) = cw.say(people.r_zhang, SUNSHINE, "4栋的单元门坏了，一直关不上")
    assert cw.press(people.r_li, offer, "不是同一件事") == []  # only the writer
    cw.press(people.r_zhang, offer, "不是同一件事")
    assert newest(cw).id != first.id and newest(cw).reporter_id != first.reporter_id


def test_an_unanswered_offer_counts_the_writer_as_affected(cw, people):
    _out, first = report_door(cw, people)
    cw.say(people.r_zhang, SUNSHINE, "4栋的单元门坏了，一直关不上")
    cw.later(minutes=40)
    cw.sweep()
    with cw.db.session() as s:
        assert s.get(Issue, first.id).affected == 2
    # the cards show it, as after a tap on 附议
    card = next(m for m in cw.bot_messages(SUNSHINE) if m.text.startswith(f"已记录 <b>Q{first.id}"))
    assert "2人反映" in card.text


def test_the_reporter_repeating_themselves_hears_how_it_stands(cw, people):
    _out, first = report_door(cw, people)
    (reply,) = cw.say(people.r_li, SUNSHINE, "4栋单元门坏了关不上，怎么还没人来修")
    assert f"这件事你已反映过：<b>Q{first.id}</b>" in reply.text and "待受理" in reply.text


# --- the lifecycle in the chat ----------------------------------------------------------------------


def test_accept_claim_resolve_confirm_with_points_and_every_change_told(cw, people):
    out, issue = report_door(cw, people)
    # a bound member joins (附议) so the private notes to followers can be seen
    card = in_chat(out, SUNSHINE)[0]
    cw.press(people.vol2, card, "附议")
    alert = in_chat(out, people.bh_s4)[0]
    other = in_chat(out, people.gm2)[0]

    out = cw.press(people.bh_s4, alert, "受理")
    assert cw.last_answer.text == "已受理"
    assert "已受理" in alert.text and alert.labels == ["领办", "已解决", "转派", "驳回"]
    assert "已受理" in other.text  # the other handler's card follows
    notice = [m for m in in_chat(out, SUNSHINE) if m.reply_to == int(issue.source_message_id) and not m.edits]
    assert notice and "已受理，由 朱红梅 负责" in notice[0].text
    assert any("你关注的问题有进展" in m.text for m in in_chat(out, people.vol2))

    cw.press(people.bh_s4, alert, "领办")
    assert "办理中" in alert.text and alert.labels == ["已解决", "转派"]
    cw.press(people.bh_s4, alert, "已解决")
    assert "处理说明" in cw.last(people.bh_s4).text
    out = cw.say(people.bh_s4, people.bh_s4, "已联系物业换了门锁 <新的>")
    assert "已解决待确认" in alert.text and "&lt;新的&gt;" in alert.text
    ask = [m for m in in_chat(out, SUNSHINE) if "修好了吗" in m.text][0]
    assert ask.labels == ["已修复", "仍未修复"] and ask.reply_to == int(issue.source_message_id)
    assert 'tg://user?id=%d' % people.r_li in ask.text

    cw.press(people.r_zhang, ask, "已修复")  # not the reporter
    assert cw.last_answer.alert and newest(cw).status == "resolved"
    out = cw.press(people.r_li, ask, "已修复")
    assert newest(cw).status == "confirmed" and ask.buttons == []
    assert any("已确认修好" in m.text for m in in_chat(out, people.bh_s4))
    with cw.db.session() as s:
        earned = s.exec(select(PointsEntry).where(PointsEntry.object_key == f"issue:{issue.id}")).all()
    assert {e.rule_code for e in earned} == {"issue_claimed", "issue_resolved"}  # the reporter is no member


def test_resolve_with_a_photo_and_skip(cw, people):
    out, issue = report_door(cw, people)
    alert = in_chat(out, people.bh_s4)[0]
    cw.press(people.bh_s4, alert, "领办")
    cw.press(people.bh_s4, alert, "已解决")
    out = cw.say(people.bh_s4, people.bh_s4, "修好了", photo="PHOTO-FILE-ID")
    notice = [m for m in in_chat(out, SUNSHINE) if "修好了吗" in m.text][0]
    assert notice.photo == "PHOTO-FILE-ID"
    with cw.db.session() as s:
        # stored as a platform-tagged reference, sent again by the platform it came from
        assert s.get(Issue, issue.id).resolution_photo == "telegram:PHOTO-FILE-ID"
    cw.press(people.r_li, notice, "已修复")
    with cw.db.session() as s:  # the photo's caption is edited, not its (absent) text
        edit = s.exec(select(OutboxMessage).where(OutboxMessage.edit_message_id == notice.message_id,
                                                  OutboxMessage.chat_id == ids.known_chat(s, SUNSHINE))).one()
    assert edit.photo == "telegram:PHOTO-FILE-ID" and "已确认修好" in html_of(edit)


def test_not_fixed_reopens_to_the_same_handler_who_is_told(cw, people):
    out, issue = report_door(cw, people)
    alert = in_chat(out, people.bh_s4)[0]
    cw.press(people.bh_s4, alert, "领办")
    cw.press(people.bh_s4, alert, "已解决")
    out = cw.say(people.bh_s4, people.bh_s4, "跳过")
    ask = [m for m in in_chat(out, SUNSHINE) if "修好了吗" in m.text][0]
    out = cw.press(people.r_li, ask, "仍未修复")
    reopened = newest(cw)
    assert reopened.status == "reopened" and reopened.handler_id == member(cw, people.bh_s4).id
    told = in_chat(out, people.bh_s4)
    assert any("仍未修复" in m.text and "已解决" in m.labels for m in told)


def test_reject_asks_for_a_reason_the_reporter_sees(cw, people):
    out, issue = report_door(cw, people)
    alert = in_chat(out, people.gm2)[0]
    cw.press(people.gm2, alert, "驳回")
    assert "理由" in cw.last(people.gm2).text
    out = cw.say(people.gm2, people.gm2, "已核实是物业正在更换门禁，明天装好")
    assert newest(cw).status == "rejected" and alert.buttons == []
    assert any("未受理：已核实是物业正在更换门禁" in m.text for m in in_chat(out, SUNSHINE))


def test_reject_can_be_cancelled(cw, people):
    out, issue = report_door(cw, people)
    alert = in_chat(out, people.gm2)[0]
    cw.press(people.gm2, alert, "驳回")
    (reply,) = cw.say(people.gm2, people.gm2, "取消")
    assert "已取消" in reply.text and newest(cw).status == "reported"


def test_reassign_shows_candidates_and_tells_the_new_handler(cw, people):
    out, issue = report_door(cw, people)
    alert = in_chat(out, people.gm2)[0]
    cw.press(people.gm2, alert, "转派")
    assert "转派给谁" in alert.text and "返回" in alert.labels
    label = next(x for x in alert.labels if x.startswith("冯伟") is False and "王芳" in x)  # the unit cadre of grid 2
    out = cw.press(people.gm2, alert, label)
    assert newest(cw).handler_id == member(cw, people.cadre_wj).id
    assert any("把 Q%d 转派给你" % issue.id in m.text for m in in_chat(out, people.cadre_wj))
    assert "负责：王芳" in alert.text


# --- refusals and stale buttons ---------------------------------------------------------------------


def test_a_button_pressed_without_the_right_is_refused_politely_and_nothing_changes(cw, people):
    out, issue = report_door(cw, people)
    alert = in_chat(out, people.bh_s4)[0]
    # a building head of another building, a volunteer, a plain resident
    for who in (people.bh_s1, people.vol1, people.r_zhang):
        assert cw.press(who, alert, "受理") == []
        assert cw.last_answer.alert
    assert newest(cw).status == "reported" and alert.labels == ["受理", "领办", "转派", "驳回"]


def test_a_stale_card_shows_how_things_stand(cw, people):
    out, issue = report_door(cw, people)
    first, second = in_chat(out, people.bh_s4)[0], in_chat(out, people.gm2)[0]
    cw.press(people.bh_s4, first, "领办")
    second.labels  # refreshed already; press the old button data anyway
    from bot.messages import Action, Button

    second.buttons = [[Button("受理", Action("q", "accept", issue.id))]]
    cw.press(people.gm2, second, "受理")
    assert "办理中" in cw.last_answer.text and "受理" not in second.labels


def test_progress_answers_in_a_popup(cw, people):
    out, issue = report_door(cw, people)
    card = in_chat(out, SUNSHINE)[0]
    assert cw.press(people.r_zhang, card, "进度") == []
    assert cw.last_answer.alert and f"Q{issue.id} 待受理" in cw.last_answer.text


def test_progress_names_who_handles_it(cw, people):
    out, issue = report_door(cw, people)
    card = in_chat(out, SUNSHINE)[0]
    cw.press(people.bh_s4, in_chat(out, people.bh_s4)[0], "领办")
    assert cw.press(people.r_zhang, card, "进度") == []
    assert cw.last_answer.alert and "负责：朱红梅（楼栋长）" in cw.last_answer.text


def test_a_member_without_a_chat_account_is_named_in_the_grid_group_without_phone(cw, people):
    with cw.db.transaction() as s:
        head = ids.member_of(s, people.bh_s4)
        ids.bind(s, head, None)
        s.add(head)
        groups.bind(s, ids.chat(s, -100777), community_name="白庙社区", grid_name="第二网格", title="第二网格群",
                    now=cw.clock.now())
    out = cw.say(people.r_li, SUNSHINE, DOOR)
    (mention,) = in_chat(out, -100777)
    assert "请 朱红梅（楼栋长） 跟进" in mention.text and "139" not in mention.text
    assert mention.labels == ["受理", "领办", "转派", "驳回"]


# --- safety of what is shown -------------------------------------------------------------------------


def test_what_residents_write_is_shown_literally(cw, people):
    out = cw.say(people.r_li, SUNSHINE, "6栋<b>电梯</b>坏了 & 一直响警报 </i>")
    alert = next(m for m in out if m.chat_id > 0)
    assert "&lt;b&gt;电梯&lt;/b&gt;坏了 &amp; 一直响警报 &lt;/i&gt;" in alert.text


def test_phone_numbers_never_reach_a_group(cw, people):
    out = cw.say(people.r_li, SUNSHINE, "6栋的电梯坏了，有事打我电话13812345678")
    for m in in_chat(out, SUNSHINE):
        assert "13812345678" not in m.text
    with cw.db.transaction() as s:
        groups.bind(s, ids.chat(s, -100778), community_name="白庙社区", grid_name="第二网格", title="第二网格群",
                    now=cw.clock.now())
        head = ids.member_of(s, people.gm2)
        ids.bind(s, head, None)
        s.add(head)
    out = cw.say(people.r_li, SUNSHINE, "5栋门口的路灯坏了，联系我 139 1234 5678")
    for m in out:
        if m.chat_id < 0:
            assert "1234" not in m.text.replace("****", "")


def test_a_redelivered_update_is_handled_once(cw, people):
    before = len(issues_of(cw))
    cw.say(people.r_li, SUNSHINE, DOOR, update_id=999)
    assert cw.say(people.r_li, SUNSHINE, DOOR, update_id=999) == []
    assert len(issues_of(cw)) == before + 1


def test_followers_are_the_reporter_and_supporters(cw, people):
    out, issue = report_door(cw, people)
    cw.press(people.r_zhang, in_chat(out, SUNSHINE)[0], "附议")
    with cw.db.session() as s:
        kinds = sorted(f.kind for f in s.exec(select(IssueFollower).where(IssueFollower.issue_id == issue.id)))
    assert kinds == ["reporter", "supporter"]


@pytest.mark.postgres
def test_the_conversation_on_postgresql(pg_db, clock, conversation, parser, unsure):
    """The same flow on the product's other database (skipped where PostgreSQL is absent)."""
    from bot.demo import data as demo_data
    from handlers.context import forget_bindings
    from handlers.understanding import forget_gazetteers

    from .harness import ChatWorld

    with pg_db.transaction() as s:
        summary = demo_data.load(s, now=clock.now())
    forget_gazetteers()
    forget_bindings()
    cw = ChatWorld(pg_db, clock, conversation, parser)
    who = {p.key: p.chat_user_id for p in summary.people}
    out = cw.say(who["r_li"], SUNSHINE, DOOR, update_id=10_000)
    assert cw.say(who["r_li"], SUNSHINE, DOOR, update_id=10_000) == []  # the same update again
    alert = in_chat(out, who["bh_s4"])[0]
    cw.press(who["bh_s4"], alert, "领办")
    assert cw.last_answer.text.startswith("已领办"), cw.last_answer
    cw.press(who["bh_s4"], alert, "已解决")
    out = cw.say(who["bh_s4"], who["bh_s4"], "换了新门锁")
    ask = [m for m in in_chat(out, SUNSHINE) if "修好了吗" in m.text][0]
    cw.press(who["r_li"], ask, "已修复")
    assert newest(cw).status == "confirmed"
    (question,) = cw.say(who["r_wang"], SUNSHINE, unsure)
    assert question.labels == ["是问题", "是心愿", "不用管"]


def test_at_night_a_report_that_can_wait_reaches_the_handlers_after_quiet_hours(cw, people):
    from datetime import datetime

    from tests.conftest import TZ

    cw.clock.set(datetime(2026, 11, 28, 23, 30, tzinfo=TZ))
    (reply,) = [m for m in cw.say(people.r_li, SUNSHINE, DOOR) if m.chat_id == SUNSHINE]
    assert "夜间不打扰，07:00 通知" in reply.text
    with cw.db.session() as s:
        alerts = s.exec(select(OutboxMessage).where(OutboxMessage.kind == "alert")).all()
    assert alerts and all(a.next_attempt_at.astimezone(TZ).hour == 7 for a in alerts)
    cw.say(people.r_wang, SUNSHINE, "楼道里着火了，好大的烟！")  # urgent: at once
    with cw.db.session() as s:
        urgent = s.exec(select(OutboxMessage).where(OutboxMessage.kind == "alert",
                                                    OutboxMessage.ref == f"issue:{newest(cw).id}")).all()
    assert urgent and all(a.next_attempt_at <= cw.clock.now() for a in urgent)


# --- in private -----------------------------------------------------------------------------------


def test_a_report_written_in_private_is_filed_in_the_writers_community(cw, people):
    out = cw.say(people.r_li, people.r_li, "阳光花园3栋2单元的单元门关不上了，风一吹哐哐响")
    issue = newest(cw)
    with cw.db.session() as s:
        assert ids.telegram_chat(s, issue.source_chat_id) == people.r_li and issue.building_id is not None
    (reply,) = in_chat(out, people.r_li)
    assert "已记录" in reply.text and f"Q{issue.id}" in reply.text
    assert in_chat(out, people.bh_s3)  # the building head of 阳光花园3栋 is alerted as from a group
    assert not in_chat(out, SUNSHINE)  # nothing is said in the group


def test_in_private_the_building_is_always_asked_for(cw, people):
    before = len(issues_of(cw))
    (question,) = cw.say(people.r_li, people.r_li, "楼道的灯坏了好几天了，晚上黑漆漆的")
    assert "在哪栋楼" in question.text
    (again,) = cw.say(people.r_li, people.r_li, "你好")
    assert "没认出楼栋" in again.text  # never silence in private
    assert len(issues_of(cw)) == before
    out = cw.say(people.r_li, people.r_li, "阳光花园五号楼")
    assert len(issues_of(cw)) == before + 1 and any("已记录" in m.text for m in out)


def test_a_stranger_writing_in_private_is_pointed_to_the_group(cw, people):
    before = len(issues_of(cw))
    (reply,) = cw.say(8888, 8888, "3栋2单元楼道灯坏了好几天了")
    assert "居民群" in reply.text and len(issues_of(cw)) == before
