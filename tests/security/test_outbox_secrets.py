"""Red team: the outbox kept every login link and invitation in plain text.

Only hashes of login tokens and invitation codes are stored (issue 9, finding 1) — yet the
message that carried each one stayed in ``outboxmessage.text`` after it was sent: anyone who could
read the table, a copy or a backup of the database logged in as whoever had sent /web (an office
admin: every phone number, unbinding, invitations) or bound themselves with an unused invitation.
Once a message is sent (or given up), its links keep no secret; the person who got it still
uses it."""

from __future__ import annotations

import asyncio
import re

import aiohttp
from sqlmodel import select

from bot.outbox.store import scrubbed as scrubbed_form
from bot.platforms.telegram.render import from_html
from bot.platforms.telegram.render import html
from bot.runtime import Features
from tests.rendered import html_of
from models import Member, OutboxMessage, OutboxStatus
from tests.chat.conftest import demo, demo_template, parser  # noqa: F401 (fixtures)
from tests.chat.live import live_bot
from tests import ids


def member(db, name: str) -> Member:
    with db.session() as s:
        return ids.with_telegram(s, s.exec(select(Member).where(Member.name == name)).one())


async def settled(db, chat_id: int, needle: str) -> OutboxMessage:
    """The outbox row of the bot's message in that chat, once the sender has recorded it sent."""
    for _ in range(200):
        with db.session() as s:
            rows = s.exec(select(OutboxMessage).where(OutboxMessage.chat_id == ids.known_chat(s, chat_id),
                                                      OutboxMessage.text.contains(needle))).all()
        if rows and all(r.status != OutboxStatus.pending for r in rows):
            return rows[-1]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no settled row with {needle!r} in chat {chat_id}")


def anywhere(db, secret: str) -> list[int]:
    with db.session() as s:
        return [r.id for r in s.exec(select(OutboxMessage)).all() if secret in html_of(r) or secret in r.buttons]


async def test_a_sent_login_link_and_invitation_leave_no_secret_in_the_outbox(demo, parser):
    db, summary = demo
    async with live_bot(db, parser, start=False, web_port=0) as live:
        await live.start(Features(web=True, scheduler=False, sweep_every=0))
        sc, web = live.sc, live.runtime.web_url
        office = member(db, "刘洋")
        await sc.send_text(office.chat_user_id, office.chat_user_id, "/web")
        link = await sc.wait_for_message(office.chat_user_id, lambda m: "打开社区看板" in m["text"])
        token = next(e["url"] for e in link["entities"] if e["type"] == "text_link").split("token=")[1]
        row = await settled(db, office.chat_user_id, "打开社区看板")
        assert row.status == OutboxStatus.sent and "login?token=…" in html_of(row)
        assert anywhere(db, token) == []

        xu = next(p for p in summary.newcomers if p.key == "new_invite")
        await sc.send_text(office.chat_user_id, office.chat_user_id, f"/invite {xu.member_number}")
        made = await sc.wait_for_message(office.chat_user_id, lambda m: "邀请链接" in m["text"])
        code = re.search(r"\?start=([A-Za-z0-9_-]+)", made["text"]).group(1)
        row = await settled(db, office.chat_user_id, "邀请链接")
        assert "?start=…" in html_of(row) and anywhere(db, code) == []

        # what was sent still works for the person who got it
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            async with http.get(f"{web}/login?token={token}") as resp:
                assert resp.status == 200 and "登录社区看板" in await resp.text()
            async with http.post(f"{web}/login", data={"token": token}) as resp:  # 登录
                assert resp.status == 200 and "问题漏斗" in await resp.text()
        await sc.start_private(xu.chat_user_id, payload=code)
        await sc.wait_for_message(xu.chat_user_id, lambda m: "绑定成功：许文静" in m["text"])


def scrubbed(text: str) -> str | None:
    """The outbox's scrubbing of a message written as this HTML, as Telegram would show it."""
    out = scrubbed_form(from_html(text))
    return None if out is None else html(out)


def test_only_the_secret_of_a_link_goes():
    text = '<a href="https://hgj.example/login?token=Abc_-123456789xyz">打开社区看板</a>（7天内有效，请勿转发）'
    assert scrubbed(text) == '<a href="https://hgj.example/login?token=…">打开社区看板</a>（7天内有效，请勿转发）'
    assert scrubbed("https://t.me/hgj_demo_bot?start=4nO9MxWmeE3OXy3h 请只转给本人") == \
        "https://t.me/hgj_demo_bot?start=… 请只转给本人"
    assert scrubbed("已记录 Q12：4栋单元门坏了") is None and scrubbed("start=1") is None
