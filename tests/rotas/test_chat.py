"""The rota commands and buttons through the platform-neutral conversation (no Telegram)."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from tests.rendered import html_of
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.places import groups
from bot.rotas import checkins, turns
from handlers import rotas as rota_handlers
from handlers.context import Context
from handlers.conversation import Conversation, process_message, process_press
from handlers.types import Chat, Inbound, Press, User
from models import CheckIn, OutboxMessage, Rota, Shift

from .conftest import at, due_now, make_rota
from tests import ids

IDS = {"张三": 7001, "李四": 7002, "王五": 7003, "赵六": 7004, "gm1": 8001, "office": 8002, "bh3": 8003}
_msg_ids = itertools.count(1)


class Chatter:
    def __init__(self, db, clock, settings):
        self.db, self.clock, self.settings = db, clock, settings
        self.conv = Conversation([rota_handlers.router])

    def say(self, who: str | int, text: str, *, group: int | None = None, location=None, photo=None):
        """People and chats by Telegram ids, as an adapter gets them: keys in, Telegram ids back out."""
        uid = IDS.get(who, who)
        with self.db.transaction() as s:
            chat = Chat(ids.chat(s, group), "group", "居民群") if group else Chat(ids.chat(s, uid), "private")
            msg = Inbound(chat, User(ids.account(s, uid), str(who)), next(_msg_ids), text, self.clock.now(),
                          location=location, photo=ids.file_ref(photo))
            reaction = process_message(self.conv, s, Context(s, self.clock.now(), self.settings), msg)
            return _as_telegram(s, reaction)

    def text(self, who, text, **kw) -> str:
        return html_of(self.say(who, text, **kw).outgoing[0])

    def press(self, who: str | int, data: str, *, group: int | None = None):
        """``who`` taps the button ``data`` under a message of the bot's that carries it (a
        button acts only under its own message)."""
        uid = IDS.get(who, who)
        message_id = next(_msg_ids)
        with self.db.transaction() as s:
            chat = Chat(ids.chat(s, group), "group") if group else Chat(ids.chat(s, uid), "private")
            s.add(OutboxMessage(chat_id=chat.id, text="…", buttons=json.dumps([[{"text": "…", "data": data}]]),
                                status="sent", sent_message_id=message_id))
        with self.db.transaction() as s:
            press = Press(f"cb{next(_msg_ids)}", chat, User(ids.account(s, uid), str(who)), message_id, data,
                          self.clock.now())
            return _as_telegram(s, process_press(self.conv, s, Context(s, self.clock.now(), self.settings), press))


def _as_telegram(session, reaction):
    """The reaction with its messages addressed by Telegram chat ids (what a test reads)."""
    if reaction is not None:
        reaction.outgoing = [replace(o, chat_id=ids.telegram_chat(session, o.chat_id)) for o in reaction.outgoing]
    return reaction


@pytest.fixture
def chat(db, world, clock, settings):
    return Chatter(db, clock, settings)


def first_shift(db) -> Shift:
    with db.session() as s:
        return s.exec(select(Shift).order_by(Shift.starts_at)).first()


def test_grid_manager_creates_a_rota_in_one_line(chat, db, world):
    out = chat.text("gm1", "/newrota 阳光花园夜巡 巡逻 每天 20:00-22:00 2人 张三 李四 王五 赵六")
    assert "排班已建立" in out and "R1" in out and "每天 20:00 起 2小时，每班2人" in out
    assert "S1" in out and "张三、李四" in out
    with db.session() as s:
        rota = s.exec(select(Rota)).one()
        assert rota.grid_id == world.grid1.id and rota.kind == "patrol"
    # a volunteer may not; a malformed line lists every problem and the usage
    refused = chat.text("张三", "/newrota 我的巡逻 巡逻 每天 20:00-22:00 张三")
    assert "只有本网格的网格员" in refused
    bad = chat.text("gm1", "/newrota 白班 值班 20:00 没这个人")
    assert "缺少节奏" in bad and "缺少时长" in bad and "没有叫「没这个人」" in bad and "/newrota" in bad
    assert "用法" in chat.text("gm1", "/newrota")


def test_duty_myshifts_and_rotas(chat, db, world, clock, settings):
    with db.transaction() as s:
        make_rota(s, world, settings, clock.now())
        groups.bind(s, ids.chat(s, -100100), community_name=world.community.name, grid_name="第一网格", now=clock.now())
    duty = chat.text("bh3", "/duty")
    assert "夜间巡逻（巡逻）" in duty and "下一班 今天 20:00–22:00：张三、李四" in duty
    in_group = chat.text(7001, "/duty", group=-100100)
    assert "下一班" in in_group
    clock.set(at(28, 20, 10))
    with db.transaction() as s:
        checkins.check_in(s, world.m["张三"], now=clock.now(), settings=settings)
    assert "现在 20:00–22:00：张三✅、李四" in chat.text("gm1", "/duty")
    mine = chat.text("张三", "/myshifts")
    assert "张三 的班次" in mine and "S1" in mine and "（后备）" in mine
    assert "R1 夜间巡逻（巡逻）" in chat.text("gm1", "/rotas")
    assert "/bind" in chat.text(9999, "/myshifts")  # not a member: told how to become one


def test_checkin_with_location_then_photo(chat, db, world, clock, settings):
    with db.transaction() as s:
        make_rota(s, world, settings, clock.now())
    assert "没有需要签到的班次" in chat.text("张三", "/checkin")
    clock.set(at(28, 20, 3))
    out = chat.text("张三", "/checkin", location=(30.98, 112.21))
    assert "签到成功" in out and "积分 +5" in out
    out = chat.text("李四", "/checkin")
    assert "可以再发一条位置或现场照片" in out
    assert "已把照片记入签到" in chat.text("李四", "", photo="photo-1")
    with db.session() as s:
        rows = {c.member_id: c for c in s.exec(select(CheckIn)).all()}
    assert rows[world.m["张三"].id].latitude == 30.98 and rows[world.m["李四"].id].photo == "telegram:photo-1"
    assert "已补充签到信息" in chat.text("张三", "/checkin")


def test_checkin_button_from_the_start_reminder(chat, db, world, clock, settings):
    with db.transaction() as s:
        make_rota(s, world, settings, clock.now())
    clock.set(at(28, 20))
    start = next(d for d in due_now(db, clock.now(), settings) if d.what == "start" and d.out.chat_id == 7001)
    data = start.out.buttons[0][0].action.pack()
    reaction = chat.press("张三", data)
    assert reaction.answer.text == "签到成功" and "签到成功" in html_of(reaction.outgoing[0])
    assert chat.press("张三", data).answer.text == "已签到过"
    refused = chat.press(9999, data)
    assert refused.answer.alert and "红管家" in refused.answer.text


def test_away_hands_shifts_to_the_team_and_can_be_cancelled(chat, db, world, clock, settings):
    with db.transaction() as s:
        make_rota(s, world, settings, clock.now(), team=("张三", "李四", "王五"), size=1)
    out = chat.text("张三", "/away 11-28 11-30")
    assert "已登记请假：11月28日到11月30日" in out and "1 个班次已由队友顶上" in out
    assert "11-28 到 11-30" in chat.text("张三", "/away")
    assert "看不懂" in chat.text("张三", "/away 下个月")
    assert "已取消 1 条请假" in chat.text("张三", "/away 取消")


def test_swap_asked_in_chat_and_taken_with_a_button(chat, db, world, clock, settings):
    with db.transaction() as s:
        make_rota(s, world, settings, clock.now())
    listing = chat.say("张三", "/swap")
    assert listing.outgoing[0].buttons[0][0].action.pack() == "s:swap:1:"
    asked = chat.press("张三", "s:swap:1")
    assert asked.answer.text == "已发出换班请求"
    to_team = {o.chat_id: o for o in asked.outgoing[1:]}
    assert set(to_team) == {7003, 7004}  # the team members not on the shift
    take = to_team[7004].buttons[0][0].action.pack()
    assert take.startswith("s:take:")
    taken = chat.press("赵六", take)
    assert taken.answer.text == "换班成功"
    assert {o.chat_id for o in taken.outgoing} == {7004, 7001}  # the taker, and 张三 is told
    with db.session() as s:
        assert [m.name for m in turns.on_duty(s, s.get(Shift, 1))] == ["赵六", "李四"]
    late = chat.press("王五", take)
    assert late.answer.alert and "已经有人接了" in late.answer.text
    assert "你不在 S2 上" in chat.text("张三", "/swap S2")


def test_join_button_for_a_short_shift(chat, db, world, clock, settings):
    with db.transaction() as s:
        make_rota(s, world, settings, clock.now(), team=("张三", "李四", "王五"), size=1, quorum=2)
    call = next(d for d in due_now(db, at(28, 9, 1), settings) if d.what == "quorum" and d.out.chat_id == 7003)
    reaction = chat.press("王五", call.out.buttons[0][0].action.pack())
    assert reaction.answer.text == "已报名，谢谢！" and "张三、王五" in html_of(reaction.outgoing[0])
    again = chat.press("李四", call.out.buttons[0][0].action.pack())
    assert "人已够了" in again.answer.text


def test_handoff_note_reaches_the_next_shift(chat, db, world, clock, settings):
    with db.transaction() as s:
        make_rota(s, world, settings, clock.now())
    clock.set(at(28, 21, 50))
    reaction = chat.say("张三", "/handoff 3栋东侧路灯不亮，已报修")
    assert "已转给下一班（王五、赵六）" in html_of(reaction.outgoing[0])
    notes = {o.chat_id: html_of(o) for o in reaction.outgoing[1:]}
    assert set(notes) == {7003, 7004} and "路灯不亮" in notes[7003]
    start = next(d for d in due_now(db, at(29, 20), settings) if d.what == "start" and d.out.chat_id == 7003)
    assert "上一班交接（张三）：3栋东侧路灯不亮" in html_of(start.out)
    # the button asks for the note, the next message is the note
    chat.press("李四", "s:note:1")
    assert "已转给下一班" in chat.text("李四", "补充：2栋门口有积水")


def test_taking_people_off_a_team_below_its_quorum_is_refused_with_the_way_out(chat, db, world, clock, settings):
    chat.say("gm1", "/newrota 夜巡 巡逻 每天 20:00-22:00 2人 张三 李四 王五")
    refused = chat.text("gm1", "/rota R1 减 李四 王五")
    assert "最少人数（2人）多于队员人数（1人）" in refused and "/rota R1 人数 1" in refused
    with db.session() as s:  # nobody was taken off
        assert [m.name for m in turns.team(s, s.get(Rota, 1))] == ["张三", "李四", "王五"]
    assert "人数已更新" in chat.text("gm1", "/rota R1 人数 1")
    assert "已移出 2 名队员" in chat.text("gm1", "/rota R1 减 李四 王五")


def test_manage_rota_and_cover_a_shift(chat, db, world, clock, settings):
    chat.say("gm1", "/newrota 夜巡 巡逻 每天 20:00-22:00 2人 张三 李四 王五")
    assert "已加入 1 名队员" in chat.text("gm1", "/rota R1 加 赵六")
    assert "只有本网格的网格员" in chat.text("张三", "/rota R1 减 李四")
    out = chat.say("gm1", "/cover S1 赵六 替 张三")
    assert "S1 已调整" in html_of(out.outgoing[0]) and out.outgoing[1].chat_id == 7004
    with db.session() as s:
        assert [m.name for m in turns.on_duty(s, s.get(Shift, 1))] == ["李四", "赵六"]
    assert "人数已更新" in chat.text("gm1", "/rota R1 人数 3 最少 2")
    with db.session() as s:  # the override holds: 张三 is not put back on S1
        assert "张三" not in [m.name for m in turns.on_duty(s, s.get(Shift, 1))]
        assert len(turns.on_duty(s, s.get(Shift, 2))) == 3
    assert "已停用" in chat.text("office", "/rota R1 停用")
    with db.session() as s:
        assert not s.exec(select(Shift).where(Shift.starts_at > clock.now())).all()
    assert "已启用" in chat.text("office", "/rota R1 启用")
    assert "用法" in chat.text("gm1", "/rota")
    # a word it does not know is said back as text, never as markup
    unknown = chat.say("gm1", "/rota R1 <b>加</b>").outgoing[0]
    assert "&lt;b&gt;加&lt;/b&gt;" in html_of(unknown) and "<b>加</b>" not in html_of(unknown)


def test_commands_are_listed_in_help():
    conv = Conversation([rota_handlers.router])
    names = [n for n, _ in conv.help_lines(private=True)]
    assert {"duty", "myshifts", "checkin", "away", "swap", "handoff", "newrota", "rotas", "rota", "cover"} <= set(names)
    assert timedelta  # noqa: used for readability in other tests
