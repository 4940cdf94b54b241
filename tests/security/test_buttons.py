"""Finding 2: a button edits only the message it belongs to, and only after the presser's right
has been checked. Replayed through the stand-in: the real aiogram bot, presses of arbitrary data
under any message (``force``), as an attacker in the group would send them."""

from __future__ import annotations

from sqlmodel import select

from models import PendingQuestion, TaskParticipant, Wish
from tests.chat.conftest import demo, demo_template, parser, people, unsure  # noqa: F401 (fixtures)
from tests.chat.live import button

from .guard_steps import NOT_HERE, SUNSHINE, edits_of, forge, issue, live, newest, report, resolve  # noqa: F401
from tests import ids


async def test_a_question_button_under_the_recorded_reply_or_a_welcome_changes_nothing(live, people):
    sc = live.sc
    recorded, _found = await report(live, people)
    answer = await forge(live, people.r_zhang, SUNSHINE, recorded["message_id"], "ask:skip:0:")
    assert answer["text"] == NOT_HERE and not answer["show_alert"]
    assert edits_of(live, SUNSHINE, recorded["message_id"]) == []
    after = await sc.message(SUNSHINE, recorded["message_id"])
    assert after["text"] == recorded["text"] and after["reply_markup"] == recorded["reply_markup"]

    welcome = await sc.start_private(people.r_zhang)
    reply = await sc.wait_for_message(people.r_zhang, lambda m: "红管家机器人" in m["text"])
    for data in ("ask:skip:0:", f"q:fixed:{_found.id}:", f"q:accept:{_found.id}:"):
        answer = await forge(live, people.r_zhang, people.r_zhang, reply["message_id"], data)
        assert answer["text"] == NOT_HERE
    assert edits_of(live, people.r_zhang, reply["message_id"]) == [] and welcome is not None
    assert newest(live).status == "reported"


async def test_the_reporters_fixed_under_another_message_confirms_nothing_and_edits_nothing(live, people):
    _recorded, first = await report(live, people)
    notice = await resolve(live, people, first)
    second_reply, second = await report(live, people, "6栋电梯坏了，停在3楼不动", who="r_li")
    # the reporter of the first presses its 已修复 under the second's card, and under a message
    # of the first issue that never had that button (the 已记录 reply)
    for message_id in (second_reply["message_id"], _recorded["message_id"]):
        before = len(edits_of(live, SUNSHINE, message_id))  # the 已记录 reply follows the state
        answer = await forge(live, people.r_li, SUNSHINE, message_id, f"q:fixed:{first.id}:")
        assert answer["text"] == NOT_HERE
        assert len(edits_of(live, SUNSHINE, message_id)) == before
    assert issue(live, first.id).status == "resolved"
    # the second issue's number under the first's notice is no better
    answer = await forge(live, people.r_li, SUNSHINE, notice["message_id"], f"q:notfixed:{second.id}:")
    assert answer["text"] == NOT_HERE and issue(live, second.id).status == "reported"
    # under its own notice the same press works
    q = await live.sc.press(people.r_li, SUNSHINE, notice["message_id"], button(notice, "已修复"))
    assert (await live.sc.callback_answer(q, wait=5))["text"] == "谢谢确认！"
    assert issue(live, first.id).status == "confirmed"


async def test_a_question_answered_only_under_its_own_message(live, people, unsure):
    sc = live.sc
    await sc.send_text(people.r_wang, SUNSHINE, unsure)
    question = await sc.wait_for_message(SUNSHINE, lambda m: "需要我记下来吗" in m["text"])
    qid = int(button(question, "是问题").split(":")[2])
    recorded, _found = await report(live, people)
    answer = await forge(live, people.r_wang, SUNSHINE, recorded["message_id"], f"ask:issue:{qid}:")
    assert answer["text"] == NOT_HERE
    assert edits_of(live, SUNSHINE, recorded["message_id"]) == []
    with live.db.session() as s:
        assert s.get(PendingQuestion, qid) is not None  # still waiting for its writer


async def test_a_gone_question_pressed_by_someone_else_is_a_popup_only(live, people, unsure):
    sc = live.sc
    await sc.send_text(people.r_wang, SUNSHINE, unsure)
    question = await sc.wait_for_message(SUNSHINE, lambda m: "需要我记下来吗" in m["text"])
    await sc.send_text(people.r_wang, SUNSHINE, "/cancel")
    await sc.wait_for_message(SUNSHINE, lambda m: "已取消" in m["text"])
    q = await sc.press(people.r_zhang, SUNSHINE, question["message_id"], button(question, "不用管"))
    answer = await sc.callback_answer(q, wait=5)
    assert answer["show_alert"] and "发消息的人" in answer["text"]
    assert edits_of(live, SUNSHINE, question["message_id"]) == []
    # its writer's press tidies the message up
    q = await sc.press(people.r_wang, SUNSHINE, question["message_id"], button(question, "不用管"))
    assert "过期" in (await sc.callback_answer(q, wait=5))["text"]
    edited = await sc.wait_for_message(SUNSHINE, lambda m: m["message_id"] == question["message_id"], edits=True)
    assert "过期" in edited["text"] and "reply_markup" not in edited


async def test_wish_task_and_rota_buttons_act_only_under_their_own_messages(live, people):
    sc = live.sc
    recorded, _found = await report(live, people)
    await sc.send_text(people.r_wang, SUNSHINE, "家里老人腿脚不便，想请志愿者帮忙每周买一次菜")
    posted = await sc.wait_for_message(SUNSHINE, lambda m: "已记下心愿" in m["text"])
    claim = button(posted, "我来认领")
    await sc.send_text(people.gm2, SUNSHINE, "/task 周六上午清理4栋楼道杂物")
    task = await sc.wait_for_message(SUNSHINE, lambda m: "已发布任务" in m["text"])
    join = button(task, "参加")
    task_id = int(join.split(":")[2])
    for data in (claim, join, "s:in:1:", "s:take:1:", "s:note:1:"):
        answer = await forge(live, people.vol1, SUNSHINE, recorded["message_id"], data)
        assert answer["text"] == NOT_HERE, data
    assert edits_of(live, SUNSHINE, recorded["message_id"]) == []
    with live.db.session() as s:
        assert s.exec(select(Wish).order_by(Wish.id.desc())).first().status == "posted"
        assert s.exec(select(TaskParticipant).where(TaskParticipant.task_id == task_id)).all() == []
    # under their own messages they work
    q = await sc.press(people.vol1, SUNSHINE, posted["message_id"], claim)
    assert "认领成功" in (await sc.callback_answer(q, wait=5))["text"]
    q = await sc.press(people.vol1, SUNSHINE, task["message_id"], join)
    assert "已报名" in (await sc.callback_answer(q, wait=5))["text"]


async def test_a_refused_handler_press_edits_nothing(live, people):
    """The card naming a building head without a chat account, in the group: a resident's or
    another community's member's press of its 受理 is a popup; the card stays as it is."""
    from models import Member

    sc = live.sc
    with live.db.transaction() as s:
        head = ids.member_of(s, people.bh_s4)
        ids.bind(s, head, None)
        s.add(head)
    await sc.add_member(SUNSHINE, people.y_bh1)  # a building head of 月亮湖社区 in this group
    _recorded, found = await report(live, people)
    card = await sc.wait_for_message(SUNSHINE, lambda m: "请 朱红梅（楼栋长） 跟进" in m["text"])
    for who in ("r_zhang", "y_bh1"):
        q = await sc.press(people[who], SUNSHINE, card["message_id"], button(card, "受理"))
        answer = await sc.callback_answer(q, wait=5)
        assert answer["show_alert"] and answer["text"] != NOT_HERE
    assert edits_of(live, SUNSHINE, card["message_id"]) == [] and issue(live, found.id).status == "reported"


def test_a_message_carries_the_buttons_it_was_sent_or_edited_with_or_is_in_flight_with(db, clock):
    from bot.outbox import carried, enqueue
    from bot.messages import Action, Button, Outgoing
    from models import OutboxMessage

    claim, done = Action("w", "claim", 5).pack(), Action("w", "done", 5).pack()
    with db.transaction() as s:
        group, other = ids.chat(s, -100), ids.chat(s, -99)
        row = enqueue(s, Outgoing(chat_id=group, text="W5", buttons=[[Button("认领", Action("w", "claim", 5))]]),
                      now=clock.now())
        s.flush()
        assert not carried(s, group, "7", claim)  # queued, not yet sent: nobody can see it
        row.attempts = 1  # the sender took it; Telegram may have it, the outcome is not written yet
        assert carried(s, group, "7", claim) and not carried(s, group, "7", done)
        row.status, row.sent_message_id = "sent", "7"
        assert carried(s, group, "7", claim)
        assert not carried(s, group, "8", claim) and not carried(s, other, "7", claim)  # another message, chat
        enqueue(s, Outgoing(chat_id=group, text="W5 已认领", edit_message_id="7",
                            buttons=[[Button("已实现", Action("w", "done", 5))]]), now=clock.now())
        s.flush()
        assert carried(s, group, "7", done) and carried(s, group, "7", claim)  # an edit on its way; the old one
        assert s.exec(select(OutboxMessage)).all()


def test_a_button_of_one_unrecorded_message_does_not_pass_on_another(db, clock):
    """Two cards with different buttons are in flight in one group, neither send recorded yet. A
    press on a message the bot has no record of may be either: the button of card A pressed on
    card B must not pass as if it were A's (before, any in-flight row of the chat would do)."""
    from bot.outbox import carried, enqueue
    from bot.messages import Action, Button, Outgoing

    accept_a, accept_b = Action("q", "accept", 1).pack(), Action("q", "accept", 2).pack()
    with db.transaction() as s:
        group = ids.chat(s, -100)
        card_a = enqueue(s, Outgoing(chat_id=group, text="问题 Q1：3栋楼道灯坏了",
                                     buttons=[[Button("受理", Action("q", "accept", 1))]]), now=clock.now())
        card_b = enqueue(s, Outgoing(chat_id=group, text="问题 Q2：5栋电梯坏了",
                                     buttons=[[Button("受理", Action("q", "accept", 2))]]), now=clock.now())
        s.flush()
        card_a.attempts = card_b.attempts = 1  # both claimed; the platform may have either already
        s.flush()
        # which message "wm-b" is, nothing says: neither button passes (the person presses again
        # a moment later, once the send is recorded)
        assert not carried(s, group, "wm-b", accept_a) and not carried(s, group, "wm-b", accept_b)
        # the platform says what the pressed message shows (Telegram does): that message is card B
        assert carried(s, group, "wm-b", accept_b, shown="问题 Q2：5栋电梯坏了")
        assert not carried(s, group, "wm-b", accept_a, shown="问题 Q2：5栋电梯坏了")
        assert carried(s, group, "wm-a", accept_a, shown="问题  Q1：3栋楼道灯坏了\n")  # spacing aside
        # a text that is neither leaves both possible: still nothing passes
        assert not carried(s, group, "wm-b", accept_a, shown="别的")
        # once B's send is recorded, B is known by its id and A alone is in flight
        card_b.status, card_b.sent_message_id = "sent", "wm-b"
        s.flush()
        assert carried(s, group, "wm-b", accept_b) and not carried(s, group, "wm-b", accept_a)
        assert carried(s, group, "wm-a", accept_a) and not carried(s, group, "wm-a", accept_b)


def test_the_same_update_number_on_two_platforms_is_two_updates(db, clock):
    """The processed-update mark carries its platform: Telegram's update 5 handled does not make a
    WeCom update 5 look re-delivered (and a re-delivered one of either is still skipped)."""
    from bot.infra.config import Settings
    from handlers import build_conversation
    from handlers.context import Context
    from handlers.conversation import process_message
    from handlers.types import Chat, Inbound, User
    from models import ProcessedUpdate

    conversation = build_conversation()
    with db.transaction() as s:
        chat = Chat(ids.chat(s, 5001), "private")
        user = User(ids.account(s, 5001), "李四")

        def handle(update_id: str):
            msg = Inbound(chat=chat, user=user, message_id="m1", text="/help", at=clock.now(), update_id=update_id)
            return process_message(conversation, s, Context(session=s, now=clock.now(), settings=Settings(_env_file=None)), msg)

        assert handle("telegram:5") is not None and handle("wecom:5") is not None
        assert handle("telegram:5") is None and handle("wecom:5") is None
        assert sorted(s.exec(select(ProcessedUpdate.key)).all()) == ["telegram:5", "wecom:5"]
