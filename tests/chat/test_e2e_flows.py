"""End to end: the real aiogram bot polling the Telegram stand-in over HTTP, the demo district,
the conversation with the real parser, the outbox sender. Waits on conditions, never sleeps."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import select

from bot.demo import data as demo_data
from bot.runtime import Features
from models import FailedUpdate, Issue, OutboxMessage, PointsEntry, ProcessedUpdate, Wish

from .live import button, live_bot
from tests import ids

SUNSHINE = demo_data.GROUP_SUNSHINE
DOOR = "4栋单元门坏了关不上，外人随便进出"


@pytest.fixture
async def live(demo, parser):
    db, _summary = demo
    async with live_bot(db, parser) as lv:
        yield lv


@pytest.fixture
def p(people):
    return people


def count(db, query) -> int:
    """Rows matching ``query``, in a short transaction of its own (a session held open would
    hold SQLite's write lock against the bot)."""
    with db.session() as s:
        return len(s.exec(query).all())


async def wait_until(predicate, timeout: float = 10.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if loop.time() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.02)


async def report(live, p, text=DOOR, who=None):
    sc = live.sc
    sent = await sc.send_text(who or p.r_li, SUNSHINE, text)
    card = await sc.wait_for_message(SUNSHINE, lambda m: "已记录" in m["text"])
    assert card["reply_to_message"]["message_id"] == sent["message_id"]
    return sent, card


async def test_report_alert_accept_claim_resolve_confirm_points(live, p):
    sc = live.sc
    _sent, card = await report(live, p)
    issue = live.newest()
    assert f"Q{issue.id}" in card["text"] and "朱红梅" in card["text"]
    alert = await sc.wait_for_message(p.bh_s4, lambda m: f"问题 Q{issue.id}" in m["text"])
    await sc.wait_for_message(p.gm2, lambda m: f"问题 Q{issue.id}" in m["text"])

    q = await sc.press(p.bh_s4, p.bh_s4, alert["message_id"], button(alert, "受理"))
    assert (await sc.callback_answer(q, wait=5))["text"] == "已受理"
    edited = await sc.wait_for_message(p.bh_s4, lambda m: "已受理" in m["text"], edits=True)
    await sc.wait_for_message(SUNSHINE, lambda m: "已受理，由 朱红梅 负责" in m["text"])

    q = await sc.press(p.bh_s4, p.bh_s4, alert["message_id"], button(edited, "领办"))
    await sc.callback_answer(q, wait=5)
    edited = await sc.wait_for_message(p.bh_s4, lambda m: "办理中" in m["text"], edits=True)
    q = await sc.press(p.bh_s4, p.bh_s4, alert["message_id"], button(edited, "已解决"))
    await sc.wait_for_message(p.bh_s4, lambda m: "处理说明" in m["text"])
    await sc.send_text(p.bh_s4, p.bh_s4, "已联系物业换了新门锁")
    ask = await sc.wait_for_message(SUNSHINE, lambda m: "修好了吗" in m["text"])
    assert str(ask["reply_to_message"]["message_id"]) == issue.source_message_id

    q = await sc.press(p.r_li, SUNSHINE, ask["message_id"], button(ask, "已修复"))
    assert (await sc.callback_answer(q, wait=5))["text"] == "谢谢确认！"
    await sc.wait_for_message(p.bh_s4, lambda m: "已确认修好" in m["text"])
    assert live.newest().status == "confirmed"
    with live.db.session() as s:
        codes = {e.rule_code for e in s.exec(select(PointsEntry).where(PointsEntry.object_key == f"issue:{issue.id}"))}
    assert codes == {"issue_claimed", "issue_resolved"}
    (await sc.send_text(p.bh_s4, p.bh_s4, "/points"))
    points = await sc.wait_for_message(p.bh_s4, lambda m: "你的积分" in m["text"])
    assert "+13" in points["text"]


async def test_not_fixed_reopens_to_the_same_handler(live, p):
    sc = live.sc
    await report(live, p)
    issue = live.newest()
    alert = await sc.wait_for_message(p.bh_s4, lambda m: f"问题 Q{issue.id}" in m["text"])
    await sc.press(p.bh_s4, p.bh_s4, alert["message_id"], button(alert, "领办"))
    edited = await sc.wait_for_message(p.bh_s4, lambda m: "办理中" in m["text"], edits=True)
    await sc.press(p.bh_s4, p.bh_s4, alert["message_id"], button(edited, "已解决"))
    await sc.wait_for_message(p.bh_s4, lambda m: "处理说明" in m["text"])
    await sc.send_text(p.bh_s4, p.bh_s4, "跳过")
    ask = await sc.wait_for_message(SUNSHINE, lambda m: "修好了吗" in m["text"])
    q = await sc.press(p.r_li, SUNSHINE, ask["message_id"], button(ask, "仍未修复"))
    await sc.callback_answer(q, wait=5)
    told = await sc.wait_for_message(p.bh_s4, lambda m: "仍未修复" in m["text"])
    assert "重新办理" in told["text"]
    assert live.newest().status == "reopened"


async def test_wish_claim_fulfil_thanks(live, p):
    sc = live.sc
    await sc.send_text(p.r_wang, SUNSHINE, "家里老人腿脚不便，想请志愿者帮忙每周买一次菜")
    posted = await sc.wait_for_message(SUNSHINE, lambda m: "已记下心愿" in m["text"])
    q = await sc.press(p.vol1, SUNSHINE, posted["message_id"], button(posted, "我来认领"))
    assert "认领成功" in (await sc.callback_answer(q, wait=5))["text"]
    mine = await sc.wait_for_message(p.vol1, lambda m: "你认领了心愿" in m["text"])
    q = await sc.press(p.vol1, p.vol1, mine["message_id"], button(mine, "已实现"))
    await sc.callback_answer(q, wait=5)
    thanks = await sc.wait_for_message(SUNSHINE, lambda m: "已实现" in m["text"] and m.get("reply_markup"))
    q = await sc.press(p.r_wang, SUNSHINE, thanks["message_id"], button(thanks, "谢谢"))
    await sc.callback_answer(q, wait=5)
    await sc.wait_for_message(p.vol1, lambda m: "感谢" in m["text"])
    with live.db.session() as s:
        wish = s.exec(select(Wish).order_by(Wish.id.desc())).first()
        assert wish.status == "thanked"
        assert s.exec(select(PointsEntry).where(PointsEntry.object_key == f"wish:{wish.id}")).one().delta == 8


async def test_unsure_message_question_answer(live, p, unsure):
    sc = live.sc
    await sc.send_text(p.r_wang, SUNSHINE, unsure)
    question = await sc.wait_for_message(SUNSHINE, lambda m: "需要我记下来吗" in m["text"])
    q = await sc.press(p.r_zhang, SUNSHINE, question["message_id"], button(question, "是问题"))
    refusal = await sc.callback_answer(q, wait=5)
    assert refusal["show_alert"] and "发消息的人" in refusal["text"]
    q = await sc.press(p.r_wang, SUNSHINE, question["message_id"], button(question, "是问题"))
    await sc.callback_answer(q, wait=5)
    await sc.wait_for_message(SUNSHINE, lambda m: "在哪栋楼" in m["text"])
    # a building where nothing is open (at her own 2栋 a vague message may be her report there again)
    await sc.send_text(p.r_wang, SUNSHINE, "6栋")
    await sc.wait_for_message(SUNSHINE, lambda m: "已记录" in m["text"] and "阳光花园6栋" in m["text"])


async def test_missing_place_question_answer_by_reply(live, p):
    sc = live.sc
    await sc.send_text(p.r_li, SUNSHINE, "楼道的灯坏了好几天了，晚上黑漆漆的")
    question = await sc.wait_for_message(SUNSHINE, lambda m: "在哪栋楼" in m["text"])
    await sc.send_text(p.r_li, SUNSHINE, "五号楼", reply_to=question["message_id"])
    card = await sc.wait_for_message(SUNSHINE, lambda m: "已记录" in m["text"])
    assert "阳光花园5栋" in card["text"]


async def test_support_on_a_duplicate(live, p):
    sc = live.sc
    await report(live, p)
    first = live.newest()
    await sc.send_text(p.r_zhang, SUNSHINE, "4栋的单元门坏了，一直关不上")
    offer = await sc.wait_for_message(SUNSHINE, lambda m: "可能已有人反映" in m["text"])
    q = await sc.press(p.r_zhang, SUNSHINE, offer["message_id"], button(offer, "附议"))
    assert "共2人" in (await sc.callback_answer(q, wait=5))["text"]
    await sc.wait_for_message(SUNSHINE, lambda m: "2人反映" in m["text"], edits=True)
    assert live.newest().id == first.id


async def test_refused_button_changes_nothing(live, p):
    """A building head without a chat account is named in the grid's group, under a card with
    the handler's buttons; a resident tapping one is refused and nothing changes."""
    from bot.places import groups
    from models import Member

    sc = live.sc
    grid_group = -1009990002
    with live.db.transaction() as s:
        head = ids.member_of(s, p.bh_s4)
        ids.bind(s, head, None)
        s.add(head)
        groups.bind(s, ids.chat(s, grid_group), community_name="白庙社区", grid_name="第二网格", title="第二网格群",
                    now=live.runtime.clock.now())
    await sc.add_group("第二网格群", members=[p.r_zhang, p.gm2], id=grid_group)
    await report(live, p)
    issue = live.newest()
    card = await sc.wait_for_message(grid_group, lambda m: "请 朱红梅" in m["text"])
    q = await sc.press(p.r_zhang, grid_group, card["message_id"], button(card, "受理"))
    answer = await sc.callback_answer(q, wait=5)
    assert answer["show_alert"] and "红管家" in answer["text"]
    assert live.newest().status == "reported" and live.newest().id == issue.id


async def test_the_same_update_twice_is_handled_once(live, p):
    sc = live.sc
    before = len(live.issues())
    await report(live, p)
    with live.db.session() as s:
        # Telegram's update ids, as recorded: tagged with the platform
        last = max(int(u.key.removeprefix("telegram:")) for u in s.exec(select(ProcessedUpdate)))
    mark = await sc.cursor()
    await sc.redeliver(last)
    await wait_until(lambda: live.runtime.bridge.stats.repeated >= 1)
    assert len(live.issues()) == before + 1
    events, _ = await sc.events(after=mark, types=["sent"], chat_id=SUNSHINE)
    assert events == []


async def test_a_crash_after_saving_and_before_sending_loses_nothing(demo, parser, p):
    db, _ = demo
    async with live_bot(db, parser, start=False) as live:
        sc = live.sc
        # the first process handles the message and commits, then dies before sending anything
        await live.start(Features(web=False, scheduler=False, sweep_every=0, sender=False))
        before = live.runtime.bridge.stats.messages
        await sc.send_text(p.r_li, SUNSHINE, DOOR)
        await wait_until(lambda: live.runtime.bridge.stats.messages > before)
        await wait_until(lambda: count(db, select(OutboxMessage).where(OutboxMessage.ref.is_not(None),
                                                                       OutboxMessage.status == "pending")))
        await live.runtime.stop()
        assert [m for m in await sc.messages(SUNSHINE) if m["from"]["is_bot"]] == []
        # a new process sends what was saved, once
        await live.start()
        await sc.wait_for_message(SUNSHINE, lambda m: "已记录" in m["text"], after=0)
        await sc.wait_for_message(p.bh_s4, lambda m: "问题 Q" in m["text"], after=0)
        await live.runtime.sender.drain(timeout=10)
        cards = [m for m in await sc.messages(SUNSHINE) if m["from"]["is_bot"] and "已记录" in m["text"]]
        assert len(cards) == 1


async def test_a_handler_failure_is_kept_apologised_for_and_replayed(demo, parser, p):
    db, _ = demo
    async with live_bot(db, parser) as live:
        sc = live.sc

        def boom(update):
            if "炸" in getattr(update, "text", ""):
                raise RuntimeError("a bug")

        live.runtime.bridge.fail_hook = boom
        await sc.send_text(p.vol1, p.vol1, "/my 炸")
        apology = await sc.wait_for_message(p.vol1, lambda m: "出了点问题" in m["text"])
        assert apology
        await sc.send_text(p.r_li, SUNSHINE, "6栋楼道灯坏了炸了一下，一直不亮")
        await wait_until(lambda: count(db, select(FailedUpdate)) == 2)
        # the bot goes on
        await sc.send_text(p.vol1, p.vol1, "/help")
        await sc.wait_for_message(p.vol1, lambda m: "/wall" in m["text"])
        # fixed: replay the dead letters
        from bot.platforms.telegram.bridge import failed_updates
        from bot.platforms.telegram.replay import replay

        live.runtime.bridge.fail_hook = None
        ok, failed = await replay(db, live.settings, failed_updates(db), parser=parser)
        assert (ok, failed) == (2, 0)
        assert failed_updates(db) == []
        live.runtime.sender.notify()
        await sc.wait_for_message(SUNSHINE, lambda m: "已记录" in m["text"], after=0)
        with db.session() as s:
            assert s.exec(select(Issue).where(Issue.text.contains("炸了一下"))).one()


async def test_resolved_with_a_photo_the_group_sees_it_and_the_confirmation_edits_its_caption(live, p):
    sc = live.sc
    await report(live, p)
    issue = live.newest()
    alert = await sc.wait_for_message(p.bh_s4, lambda m: f"问题 Q{issue.id}" in m["text"])
    await sc.press(p.bh_s4, p.bh_s4, alert["message_id"], button(alert, "领办"))
    edited = await sc.wait_for_message(p.bh_s4, lambda m: "办理中" in m["text"], edits=True)
    await sc.press(p.bh_s4, p.bh_s4, alert["message_id"], button(edited, "已解决"))
    await sc.wait_for_message(p.bh_s4, lambda m: "处理说明" in m["text"])
    await sc.send_photo(p.bh_s4, p.bh_s4, caption="换了新门锁")
    ask = await sc.wait_for_message(SUNSHINE, lambda m: "修好了吗" in (m.get("caption") or ""))
    assert ask.get("photo")
    q = await sc.press(p.r_li, SUNSHINE, ask["message_id"], button(ask, "已修复"))
    await sc.callback_answer(q, wait=5)
    done = await sc.wait_for_message(SUNSHINE, lambda m: "已确认修好" in (m.get("caption") or ""), edits=True)
    assert done["message_id"] == ask["message_id"] and not done.get("reply_markup")


async def test_a_location_reaches_the_conversation(live, p):
    """Locations are routed too: a unit cadre's dual check-in (/checkin), then its location."""
    sc = live.sc
    await sc.send_text(p.cadre_zj, p.cadre_zj, "/checkin")
    await sc.wait_for_message(p.cadre_zj, lambda m: "位置" in m["text"] or "照片" in m["text"])
    await sc.send_location(p.cadre_zj, p.cadre_zj, 30.98, 112.2)
    done = await sc.wait_for_message(p.cadre_zj, lambda m: "已把位置记入签到" in m["text"] or "签到" in m["text"])
    assert "位置" in done["text"]


async def test_where_question_running_out_in_a_private_chat_files_the_report(live, p):
    """「在哪栋楼？」 asked in a resident's private chat and never answered: the report is filed
    anyway for the community to place (it used to be looked up as a group and dropped)."""
    from datetime import timedelta

    from models import PendingQuestion

    sc = live.sc
    before = len(live.issues())
    await sc.start_private(p.r_li)
    await sc.send_text(p.r_li, p.r_li, "楼道的灯坏了好几天了，晚上黑漆漆的")
    await sc.wait_for_message(p.r_li, lambda m: "在哪栋楼" in m["text"])
    assert len(live.issues()) == before
    with live.db.transaction() as s:
        (question,) = s.exec(select(PendingQuestion).where(PendingQuestion.chat_id == ids.known_chat(s, p.r_li))).all()
        question.expires_at = live.runtime.clock.now() - timedelta(seconds=1)
        s.add(question)
    assert await live.runtime.bridge._db(live.runtime.bridge.sweep) == 1
    card = await sc.wait_for_message(p.r_li, lambda m: "没等到楼栋" in m["text"])
    issue = live.newest()
    assert len(live.issues()) == before + 1 and issue.building_id is None
    with live.db.session() as s:
        assert issue.text == "楼道的灯坏了好几天了，晚上黑漆漆的" and ids.telegram_chat(s, issue.source_chat_id) == p.r_li
    assert f"Q{issue.id}" in card["text"]
