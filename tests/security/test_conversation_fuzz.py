"""Issue 9, finding 7, in the chat: no message and no button press, however odd, crashes the
conversation; every private message and every press is answered; what the bot queues is
something Telegram accepts.

A hypothesis property test drives ``process_message`` / ``process_press`` on the demo district
(a real SQLite database, the real parser): unicode of every kind, control characters, very long
text, commands with odd arguments, in bound and unbound groups and in private chats, from members,
residents and strangers; and arbitrary callback data, shaped like ours or not. Then the two
requests of the issue that became dead letters, through the Telegram stand-in.
"""

from __future__ import annotations

import itertools
from tests.rendered import html_of
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import update
from sqlmodel import select

from bot.demo import data as demo_data
from bot.platforms.telegram.html_parse import parse_html, utf16_len
from handlers.context import Context, forget_bindings
from handlers.conversation import process_message, process_press
from handlers.types import Chat, Inbound, Press, User
from handlers.understanding import forget_gazetteers
from models import OutboxMessage, OutboxStatus
from tests.chat.conftest import conversation, demo, demo_template, parser, people  # noqa: F401 — fixtures
from tests import ids as tg

SUNSHINE, CUIYUAN, JINGUI = demo_data.GROUP_SUNSHINE, demo_data.GROUP_CUIYUAN, demo_data.GROUP_JINGUI
UNBOUND = -1009999999999
STRANGER = 8_888_001

HUGE = ["9" * 23, "99999999999999999999999", str(2**63), str(2**63 - 1), "-" + "9" * 30, "²", "①", "１２",
        "٣", "0", "-1", "1e9", " 1", "1 ", "+1", "0x1f", ""]
COMMANDS = ["start", "bind", "my", "wall", "task", "points", "rank", "stats", "web", "cancel", "help", "duty",
            "myshifts", "checkin", "away", "swap", "handoff", "newrota", "rotas", "rota", "cover", "nosuch",
            "bind@hgj_demo_bot", "BIND", "start@other_bot"]
ARGS = ["²", "①", "白庙社区", "白庙社区 第一网格", "月亮湖社区 阳光花园", "3-001-000-01-000-0005", "Q1", "Q" + "9" * 25,
        "S" + "9" * 25, "R" + "9" * 25, "R1 加 ²", "R1 人数 " + "9" * 30, "S1 张三 替 李四", "12-01 12-05", "9999-12-31",
        "0001-01-01", "13月45日", "明天", "取消", "<b>x</b>", "a&b<c", "\x00", "\u202e反转", "2\u200b栋", " ", "\n\n"]
KINDS = ["q", "w", "ask", "t", "s", "x", "", "Q"]
VERBS = ["accept", "claim", "resolve", "reassign", "reject", "to", "back", "progress", "support", "fixed",
         "notfixed", "issue", "wish", "skip", "separate", "bld", "in", "join", "swap", "take", "note", "done",
         "giveup", "thanks", "", "²"]

texts = st.one_of(
    st.text(max_size=200),  # any unicode, control characters among them
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=40).map(lambda s: s * 150),  # very long
    st.builds(lambda c, a: f"/{c} {a}", st.sampled_from(COMMANDS), st.sampled_from(ARGS + HUGE) | st.text(max_size=30)),
    st.builds(lambda c: f"/{c}", st.sampled_from(COMMANDS)),
    st.sampled_from(["3栋楼道灯坏了", "楼道里着火了", "想请人帮忙买菜", "5栋", "二单元门坏了", "取消", "跳过", "不用管",
                     "阳光花园3栋", "大家早上好", "有人管管吗", "第" + "9" * 30 + "栋电梯坏了", "²栋灯坏了", "①号楼漏水"]),
)
ids = st.one_of(st.sampled_from(HUGE), st.integers(-3, 60).map(str), st.text(max_size=8))
callback_data = st.one_of(
    st.builds(lambda k, v, i, a: f"{k}:{v}:{i}:{a}", st.sampled_from(KINDS), st.sampled_from(VERBS), ids,
              st.sampled_from(HUGE) | st.text(max_size=10)),
    st.text(max_size=64),
    st.builds(lambda k, v: f"{k}:{v}", st.sampled_from(KINDS), st.sampled_from(VERBS)),
)


@pytest.fixture
def world(demo, people, parser, conversation):  # noqa: F811 — fixtures imported above
    db, _summary = demo
    forget_gazetteers()
    forget_bindings()
    from bot.infra.clock import FixedClock
    from bot.infra.config import Settings
    from tests.conftest import TZ

    from datetime import datetime

    return {
        "db": db, "conversation": conversation, "parser": parser,
        "settings": Settings(database_url=db.url, web_secret="fuzz", _env_file=None),
        "clock": FixedClock(datetime(2026, 11, 28, 9, 0, tzinfo=TZ)),
        "users": [people.r_li, people.r_zhang, people.r_qian, people.gm1, people.office, people.bh_s4,
                  people.y_office, STRANGER],
        "office": people.office,
        "updates": itertools.count(10_000), "messages": itertools.count(500),
    }


def _ctx(w, session) -> Context:
    return Context(session=session, now=w["clock"].now(), settings=w["settings"], parser=w["parser"],
                   bot_username="hgj_demo_bot")


def _sent_since(w, first_id: int) -> list[OutboxMessage]:
    """The rows queued by the last update; each must be one Telegram accepts. Then they count as
    sent (so later updates see a history like a running bot's)."""
    with w["db"].transaction() as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.id > first_id)).all()
        for row in rows:
            plain, _entities = parse_html(html_of(row))  # raises on HTML Telegram would refuse
            limit = 1024 if row.photo else 4096
            assert plain.strip() and utf16_len(plain) <= limit, (len(plain), html_of(row)[:200])
        session.connection().execute(update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.pending)
                                     .values(status=OutboxStatus.sent, sent_message_id=OutboxMessage.id))
        return list(rows)


def _last_id(w) -> int:
    with w["db"].session() as session:
        return max(session.exec(select(OutboxMessage.id)).all(), default=0)


def _chat(session, chat_id: int) -> Chat:
    """A chat named by its Telegram id, as the adapter hands it on: by its key."""
    title = "" if chat_id > 0 else "群"
    return Chat(tg.chat(session, chat_id, title=title), "private" if chat_id > 0 else "group", title)


def _tg(w, chat_key: int) -> int:
    with w["db"].session() as session:
        return tg.telegram_chat(session, chat_key)


FUZZ = settings(max_examples=400, deadline=None, database=None, derandomize=True,
                suppress_health_check=list(HealthCheck))


@FUZZ
@given(data=st.data(), text=texts)
def test_any_message_anywhere_is_handled_and_a_private_one_answered(world, data, text):
    w = world
    # the office admin half the time: the commands that change things answer them, not a refusal
    user_id = data.draw(st.sampled_from([w["office"]] * len(w["users"]) + w["users"]), label="user")
    chat_id = data.draw(st.sampled_from([user_id, user_id, SUNSHINE, CUIYUAN, JINGUI, UNBOUND]), label="chat")
    reply_to = data.draw(st.sampled_from([None, None, 1, 10**12]), label="reply_to")
    before = _last_id(w)
    name = data.draw(st.sampled_from(["张阿姨", "", "\u202e名", "x" * 300]))
    with w["db"].transaction() as session:
        msg = Inbound(chat=_chat(session, chat_id), user=User(tg.account(session, user_id), name),
                      message_id=next(w["messages"]), text=text, at=w["clock"].now(), update_id=next(w["updates"]),
                      reply_to_message_id=reply_to, reply_to_bot=reply_to is not None)
        reaction = process_message(w["conversation"], session, _ctx(w, session), msg)
    assert reaction is not None
    rows = _sent_since(w, before)
    if chat_id > 0:
        assert any(_tg(w, r.chat_id) == chat_id for r in rows), f"no answer in private to {text!r}"
    w["clock"].advance(timedelta(seconds=data.draw(st.sampled_from([1, 30, 700]))))


@FUZZ
@given(data=st.data(), raw=callback_data)
def test_any_button_data_is_answered(world, data, raw):
    w = world
    user_id = data.draw(st.sampled_from(w["users"]), label="user")
    chat_id = data.draw(st.sampled_from([user_id, SUNSHINE, CUIYUAN, UNBOUND]), label="chat")
    before = _last_id(w)
    message_id = data.draw(st.sampled_from([1, 2, 3, 10**12]))
    with w["db"].transaction() as session:
        press = Press(callback_id="1", chat=_chat(session, chat_id), user=User(tg.account(session, user_id), "某人"),
                      message_id=message_id, data=raw, at=w["clock"].now(), update_id=next(w["updates"]))
        reaction = process_press(w["conversation"], session, _ctx(w, session), press)
    assert reaction is not None  # the bridge answers the tap with reaction.answer (or an empty one)
    _sent_since(w, before)


# --- the two chat inputs of the issue that became dead letters ----------------------------------


def _say(w, user_id: int, chat_id: int, text: str) -> list[OutboxMessage]:
    before = _last_id(w)
    with w["db"].transaction() as session:
        msg = Inbound(chat=_chat(session, chat_id), user=User(tg.account(session, user_id), "刘洋"),
                      message_id=next(w["messages"]), text=text, at=w["clock"].now(), update_id=next(w["updates"]))
        process_message(w["conversation"], session, _ctx(w, session), msg)
    return _sent_since(w, before)


@pytest.mark.parametrize("arg", ["²", "①", "9" * 30, "白庙社区 ²³⁴", "白庙社区 第" + "9" * 30 + "网格"])
def test_bind_with_an_odd_community_in_a_group_is_answered(world, arg):
    rows = _say(world, world["office"], UNBOUND, f"/bind {arg}")
    assert len(rows) == 1 and _tg(world, rows[0].chat_id) == UNBOUND
    assert "没有找到社区" in html_of(rows[0]) or "没有网格或小区" in html_of(rows[0])


@pytest.mark.parametrize("data", ["q:accept:99999999999999999999999:", "q:accept:²:", "q:accept:①:", "ask:bld:1:²",
                                  "q:to:1:" + "9" * 30, f"w:claim:{2**63}:", f"s:in:-{2**63 + 1}:"])
def test_a_button_with_an_impossible_id_is_answered(world, data):
    with world["db"].transaction() as session:
        press = Press(callback_id="1", chat=_chat(session, world["office"]),
                      user=User(tg.account(session, world["office"]), "刘洋"), message_id=1,
                      data=data, at=world["clock"].now(), update_id=next(world["updates"]))
        reaction = process_press(world["conversation"], session, _ctx(world, session), press)
    assert reaction.answer is not None and reaction.answer.text


async def test_the_two_dead_letters_of_the_issue_are_answered_through_the_standin(demo, parser, people):  # noqa: F811
    """The real aiogram bot polling the stand-in: ``/bind ²`` in a new group gets a polite reply,
    a forged ``q:accept:99999999999999999999999:`` press gets its answer; nothing is a dead letter."""
    from models import FailedUpdate
    from tests.chat.live import live_bot

    db, _summary = demo
    async with live_bot(db, parser) as live:
        sc = live.sc
        group = await sc.add_group("新建的楼栋群", members=[people.office, people.r_li])
        await sc.send_text(people.office, group["id"], "/bind ²")
        answer = await sc.wait_for_message(group["id"], lambda m: "没有找到社区「²」" in m["text"])
        query = await sc.press(people.office, group["id"], answer["message_id"],
                               "q:accept:99999999999999999999999:", force=True)
        assert (await sc.callback_answer(query, wait=5))["text"] == "这个按钮已失效"
        sent = await sc.send_text(people.office, people.office, "/checkin S" + "9" * 30)
        await sc.wait_for_message(people.office, lambda m: (m.get("reply_to_message") or {}).get("message_id")
                                  == sent["message_id"])
        with db.session() as session:
            assert session.exec(select(FailedUpdate)).all() == []
