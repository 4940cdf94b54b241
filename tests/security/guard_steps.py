"""Shared steps of the trust tests on buttons, community boundaries, masking and points (issue 9,
findings 2, 3, 5, 8): the live bot against the stand-in, and what a person does in it."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.demo import data as demo_data
from models import Issue, OutboxMessage
from tests.chat.live import button, live_bot

SUNSHINE = demo_data.GROUP_SUNSHINE  # 阳光花园居民群, 白庙社区
JINGUI = demo_data.GROUP_JINGUI  # 金桂苑居民群, 月亮湖社区
DOOR = "4栋单元门坏了关不上，外人随便进出"
NOT_HERE = "这个按钮已失效"


@pytest.fixture
async def live(demo, parser):
    db, _summary = demo
    async with live_bot(db, parser) as lv:
        yield lv


def newest(live) -> Issue:
    with live.db.session() as s:
        return s.exec(select(Issue).order_by(Issue.id.desc())).first()


def issue(live, issue_id: int) -> Issue:
    with live.db.session() as s:
        return s.get(Issue, issue_id)


def edits_of(live, chat_id: int, message_id: int) -> list[OutboxMessage]:
    """Every edit the bot queued of that message (committed before a press is answered)."""
    with live.db.session() as s:
        return list(s.exec(select(OutboxMessage).where(
            OutboxMessage.chat_id == chat_id, OutboxMessage.edit_message_id == message_id)).all())


async def report(live, people, text: str = DOOR, who: str = "r_li", chat: int = SUNSHINE) -> tuple[dict, Issue]:
    """A resident reports in the group; returns the bot's 「已记录」 reply and the issue."""
    await live.sc.send_text(people[who], chat, text)
    reply = await live.sc.wait_for_message(chat, lambda m: "已记录" in m["text"])
    return reply, newest(live)


async def resolve(live, people, found: Issue, handler: str = "bh_s4", note: str = "跳过") -> dict:
    """The building head claims and resolves it; returns the 「修好了吗」 notice in the group."""
    sc = live.sc
    alert = await sc.wait_for_message(people[handler], lambda m: f"问题 Q{found.id}" in m["text"])
    q = await sc.press(people[handler], people[handler], alert["message_id"], button(alert, "领办"))
    await sc.callback_answer(q, wait=5)
    claimed = await sc.wait_for_message(people[handler], lambda m: "办理中" in m["text"], edits=True)
    q = await sc.press(people[handler], people[handler], alert["message_id"], button(claimed, "已解决"))
    await sc.callback_answer(q, wait=5)
    await sc.wait_for_message(people[handler], lambda m: "处理说明" in m["text"])
    await sc.send_text(people[handler], people[handler], note)
    return await sc.wait_for_message(SUNSHINE, lambda m: "修好了吗" in m["text"] and f"Q{found.id}" in m["text"])


async def forge(live, user: int, chat: int, message_id: int, data: str) -> dict:
    """A press of ``data`` under that message, whatever buttons it has; returns the answer."""
    q = await live.sc.press(user, chat, message_id, data, force=True)
    answer = await live.sc.callback_answer(q, wait=5)
    assert answer is not None, "every press is answered"
    return answer
