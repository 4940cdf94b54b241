"""Red team: an answer Telegram refuses is no answer at all.

The bot echoes some of what it is sent — an unknown command's name, a member number it cannot
find — and a 4,000-character message made its answer longer than Telegram's 4,096 characters:
「Bad Request: message is too long」, the row dead, the person left without a word (and angle
brackets, escaped, made 「/unbind <<<…」 four times longer). Every text now goes out cut to what
Telegram takes, its markup kept whole."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.platforms.telegram.html_parse import parse_html
from bot.platforms.telegram.transport import CAPTION_LIMIT, TEXT_LIMIT, fit
from models import Member, OutboxMessage, OutboxStatus
from tests.chat.conftest import demo, demo_template, parser  # noqa: F401 (fixtures)
from tests.chat.live import live_bot
from tests import ids


def shown_units(html: str) -> int:
    text, _entities = parse_html(html)
    return len(text.encode("utf-16-le")) // 2


async def test_a_four_thousand_character_command_still_gets_an_answer(demo, parser):
    db, summary = demo
    resident = next(p for p in summary.people if p.key == "r_zhang").chat_user_id
    with db.session() as s:
        office = ids.member_telegram_id(s, s.exec(select(Member).where(Member.name == "刘洋")).one())
    async with live_bot(db, parser) as live:
        sc = live.sc
        for who, text, expected in (
            (resident, "/" + "a" * 4095, "没有 /aaa"),
            (resident, "/" + "啊" * 4095, "没有 /啊啊"),
            (office, "/invite " + "9" * 4088, "会员编号格式应为"),
            (office, "/unbind " + "<" * 4088, "会员编号格式应为"),
        ):
            await sc.send_text(who, who, text)
            answer = await sc.wait_for_message(who, timeout=10)
            assert answer["text"].startswith(expected) and answer["text"].endswith("…")
            assert len(answer["text"].encode("utf-16-le")) // 2 <= TEXT_LIMIT
    with db.session() as s:
        assert s.exec(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.dead)).all() == []


@pytest.mark.parametrize("text", [
    "没有 /" + "a" * 4095 + " 这个命令。",
    "<b>来自</b> " + "&lt;" * 5000 + " <i>尾巴 " + "张" * 100 + "</i>",
    "<b>" + "😀" * 3000 + "</b>",  # two UTF-16 units each: never cut in half
    '<a href="https://example.cn/x">' + "链" * 5000 + "</a> 后面",
])
@pytest.mark.parametrize("limit", [TEXT_LIMIT, CAPTION_LIMIT])
def test_a_long_text_is_cut_to_the_limit_with_its_markup_whole(text, limit):
    cut = fit(text, limit)
    assert shown_units(cut) <= limit and cut != text  # parses (balanced tags, whole entities) and fits
    assert shown_units(cut) >= limit - 2 and "…" in cut


def test_a_text_within_the_limit_is_sent_as_it_is():
    text = "已记录 <b>Q12</b>：阳光花园4栋 &amp; 6栋"
    assert fit(text) == text and fit("x" * TEXT_LIMIT) == "x" * TEXT_LIMIT
