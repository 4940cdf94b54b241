"""Red team: messages sent on behalf of a chat became reports of one shared "resident".

A residents' group linked to the community's channel gets every channel post forwarded into it,
"from" Telegram (777000); a member may post as their channel ("from" Channel_Bot) and an admin may
stay anonymous ("from" GroupAnonymousBot). The bot took each of those service accounts for a
person: a channel's notice 「明天上午3栋停水检修」 was filed as a report by 「Telegram」 (or asked
「需要我记下来吗？」 of an account nobody can answer for, then filed anyway), and everyone posting as a
channel or anonymously shared one flood count, one 附议, one answer to each other's questions.
Such messages are nobody's now: nothing is filed, asked, counted or answered. Replayed through the
stand-in, which now sends messages on behalf of a chat as Telegram does."""

from __future__ import annotations

import asyncio

from sqlmodel import func, select

from bot.demo import data as demo_data
from models import HeldMessage, Issue, OutboxMessage, PendingQuestion, Resident, Wish
from tests.chat.conftest import demo, demo_template, parser, people  # noqa: F401 (fixtures)
from tests.security.guard_steps import live  # noqa: F401 (fixture)
from tests import ids

SUNSHINE = demo_data.GROUP_SUNSHINE
CHANNEL = {"id": -1009000000001, "title": "白庙社区通知"}
SAID = ["明天上午3栋停水检修，请提前储水", "4栋单元门坏了关不上，外人随便进出", "想请人每周帮忙买一次菜",
        "楼道里着火了", "/bind 月亮湖社区", "/stats"]


def counts(db) -> tuple:
    with db.session() as s:
        return tuple(s.exec(select(func.count()).select_from(model)).one()
                     for model in (Issue, Wish, PendingQuestion, HeldMessage, Resident, OutboxMessage))


async def test_a_channels_posts_and_anonymous_admins_file_nothing_and_get_no_answer(live, people):
    sc, db = live.sc, live.db
    before = counts(db)
    start = await sc.cursor()
    for how in ({"linked_channel": CHANNEL}, {"channel": CHANNEL}, "anonymous_admin"):
        for text in SAID:
            message = await sc.send_text(people.r_li, SUNSHINE, text, on_behalf=how)
            assert message["sender_chat"]["id"] in (CHANNEL["id"], SUNSHINE)
    # a person's message afterwards is handled as ever: everything before it was seen and passed
    await sc.send_text(people.r_li, SUNSHINE, "6栋电梯坏了，停在3楼不动")
    reply = await sc.wait_for_message(SUNSHINE, lambda m: "已记录" in m["text"])
    await asyncio.sleep(0.3)
    events, _ = await sc.events(after=start, types=["sent"], chat_id=SUNSHINE)
    assert [e["message"]["message_id"] for e in events] == [reply["message_id"]]
    issues, wishes, questions, held, residents, outbox = counts(db)
    assert (wishes, questions, held, residents) == before[1:5] and issues == before[0] + 1
    with db.session() as s:
        assert s.exec(select(Resident).where(Resident.account_id.in_(
            [a for a in (ids.known_account(s, u) for u in (777000, 136817688, 1087968824)) if a is not None]))).all() == []
