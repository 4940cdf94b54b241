"""Issue 9, finding 1 — anyone could become any member. Replayed through the stand-in with the
real aiogram bot: guessed member numbers, guessed codes and other people's contacts bind nobody
and are refused after five tries with one wording; the real member binds by sharing their own
phone or by an invitation, once; unbinding ends the web login at once."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import aiohttp
from yarl import URL
import pytest
from sqlmodel import select

from bot.infra.clock import SystemClock
from bot.members import binding
from handlers import texts
from models import BindAttempt, Member, MemberEvent
from tests.chat.live import live_bot
from tests import ids

STRANGER = 9_900_001


@pytest.fixture
async def live(demo, parser):
    db, _summary = demo
    async with live_bot(db, parser) as lv:
        await lv.sc.add_user("陌生人", id=STRANGER, phone_number="13800000000")
        await lv.sc.start_private(STRANGER, send=False)
        yield lv


def member(db, **where) -> Member:
    with db.session() as s:
        query = select(Member)
        for key, value in where.items():
            query = query.where(getattr(Member, key) == value)
        return ids.with_telegram(s, s.exec(query).one())


def bound_to(db, chat_user_id: int) -> Member | None:
    with db.session() as s:
        return ids.member_of(s, chat_user_id)


async def replies(sc, chat_id: int, n: int, *, after: int, timeout: float = 30.0) -> list[str]:
    """The bot's first ``n`` messages in the chat after event cursor ``after``, in order."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    out: list[str] = []
    while len(out) < n:
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise TimeoutError(f"{len(out)} of {n} replies: {out[-3:]}")
        events, after = await sc.events(after=after, wait=remaining, types=["sent"], chat_id=chat_id)
        out.extend(e["message"]["text"] for e in events)
    return out[:n]


def guessed_numbers(db) -> list[str]:
    """299 numbers of the shape an attacker learns from one printed number: every role and a
    sweep of sequences in both communities — the real ones among them."""
    with db.session() as s:
        real = [m.number for m in s.exec(select(Member)).all()]
    guesses = list(real)
    seq = 1
    while len(guesses) < 299:
        guesses.append(f"{seq % 6 + 1}-001-000-0{seq % 3 + 1}-000-{seq:04d}")
        seq += 1
    return guesses[:299]


async def test_299_guessed_member_numbers_bind_nobody_and_tell_nothing(live):
    sc, db = live.sc, live.db
    start = await sc.cursor()
    for number in guessed_numbers(db):
        await sc.send_text(STRANGER, STRANGER, f"/bind {number}")
    answers = await replies(sc, STRANGER, 299, after=start)
    assert len(set(answers)) == 1 and "分享我的手机号" in answers[0]  # a real number reads like a wrong one
    assert bound_to(db, STRANGER) is None
    assert "绑定成功" not in answers[0] and "没有找到" not in answers[0] and "已绑定其他" not in answers[0]


async def test_guessed_codes_and_other_peoples_contacts_are_refused_with_one_wording_then_limited(live):
    sc, db = live.sc, live.db
    gm = member(db, name="陈静")
    start = await sc.cursor()
    await sc.send_contact(STRANGER, STRANGER, gm.phone, "陈静", contact_user_id=gm.chat_user_id)  # forwarded
    await sc.send_contact(STRANGER, STRANGER, f"+86 {gm.phone}", "陈静")  # a typed card: nobody's account
    await sc.share_contact(STRANGER)  # his own number: on no roster
    for guess in ("AAAA", "x" * 43, "../../etc", "0W7mSDF1LLv01DJBT9Da4kcklz7PoUg5HtN9Ek479Nw"):
        await sc.start_private(STRANGER, payload=guess)
    answers = await replies(sc, STRANGER, 7, after=start)
    assert answers[:5] == [texts.BIND_REFUSED] * 5
    assert answers[5:] == [texts.BIND_LIMITED] * 2
    # even the right proof is not looked at within the hour
    start = await sc.cursor()
    await sc.share_contact(STRANGER, phone_number=gm.phone)
    assert (await replies(sc, STRANGER, 1, after=start)) == [texts.BIND_LIMITED]
    assert bound_to(db, STRANGER) is None and member(db, name="陈静").chat_user_id == gm.chat_user_id
    with db.session() as s:
        assert len(s.exec(select(BindAttempt).where(BindAttempt.account_id == ids.known_account(s, STRANGER))).all()) == 5


async def test_the_member_binds_by_sharing_their_own_phone(live, demo):
    sc, db = live.sc, live.db
    _db, summary = demo
    kong = next(p for p in summary.newcomers if p.key == "new_phone")
    office, gm2 = member(db, name="刘洋"), member(db, name="赵磊")  # 孔德明 is in 第二网格
    await sc.start_private(kong.chat_user_id, send=False)
    await sc.send_text(kong.chat_user_id, kong.chat_user_id, "/bind")
    await sc.wait_for_message(kong.chat_user_id, lambda m: "分享我的手机号" in m["text"])
    keyboard = await sc.keyboard(kong.chat_user_id)
    assert keyboard["keyboard"][0][0] == {"text": "📱 分享我的手机号", "request_contact": True}
    await sc.share_contact(kong.chat_user_id)
    await sc.wait_for_message(kong.chat_user_id, lambda m: "绑定成功：孔德明" in m["text"])
    assert await sc.keyboard(kong.chat_user_id) is None  # the keyboard is taken away
    assert bound_to(db, kong.chat_user_id).number == kong.member_number
    for reader in (office, gm2):
        note = await sc.wait_for_message(reader.chat_user_id, lambda m: "孔德明" in m["text"])
        assert "本人分享登记手机号" in note["text"]
    with db.session() as s:
        (event,) = s.exec(select(MemberEvent).where(MemberEvent.account_id == ids.known_account(s, kong.chat_user_id))).all()
        assert (event.kind, event.how) == ("bind", "phone")


async def test_the_member_binds_by_an_invitation_once_and_a_stale_one_binds_nobody(live, demo):
    sc, db = live.sc, live.db
    _db, summary = demo
    xu = next(p for p in summary.newcomers if p.key == "new_invite")
    office = member(db, name="刘洋")
    await sc.send_text(office.chat_user_id, office.chat_user_id, f"/invite {xu.member_number}")
    made = await sc.wait_for_message(office.chat_user_id, lambda m: "邀请链接" in m["text"])
    code = re.search(r"https://t\.me/hgj_demo_bot\?start=([A-Za-z0-9_-]+)", made["text"]).group(1)
    await sc.start_private(STRANGER, payload=code + "x")  # a near miss
    assert (await sc.wait_for_message(STRANGER))["text"] == texts.BIND_REFUSED
    await sc.start_private(xu.chat_user_id, payload=code)
    await sc.wait_for_message(xu.chat_user_id, lambda m: "绑定成功：许文静" in m["text"])
    assert bound_to(db, xu.chat_user_id).number == xu.member_number
    await sc.start_private(STRANGER, payload=code)  # the same link again: used
    assert (await sc.wait_for_message(STRANGER))["text"] == texts.BIND_REFUSED
    assert bound_to(db, STRANGER) is None
    with db.transaction() as s:  # an invitation of eight days ago for an unbound member
        kong = s.exec(select(Member).where(Member.name == "孔德明")).one()
        old = binding.create_invitation(s, kong, by=None, now=SystemClock().now() - timedelta(days=8))
    await sc.start_private(STRANGER, payload=old.code)
    assert (await sc.wait_for_message(STRANGER))["text"] == texts.BIND_REFUSED
    assert bound_to(db, STRANGER) is None


async def test_unbinding_ends_the_web_login_at_once(demo, parser):
    db, _ = demo
    from bot.runtime import Features

    async with live_bot(db, parser, start=False, web_port=0) as live:
        await live.start(Features(web=True, scheduler=False, sweep_every=0))
        sc, web = live.sc, live.runtime.web_url
        gm, office = member(db, name="陈静"), member(db, name="刘洋")
        await sc.send_text(gm.chat_user_id, gm.chat_user_id, "/web")
        link = await sc.wait_for_message(gm.chat_user_id, lambda m: "打开社区看板" in m["text"])
        token = next(e["url"] for e in link["entities"] if e["type"] == "text_link").split("token=")[1]
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:  # 127.0.0.1
            async with http.post(f"{web}/login", data={"token": token}) as resp:  # 登录, follows to the dashboard
                assert resp.status == 200 and "问题漏斗" in await resp.text()
            cookie = http.cookie_jar.filter_cookies(URL(web))["hgj_token"].value
            await sc.send_text(office.chat_user_id, office.chat_user_id, f"/unbind {gm.number}")
            await sc.wait_for_message(office.chat_user_id, lambda m: "已解绑 陈静" in m["text"])
            async with http.get(f"{web}/dashboard") as resp:  # the cookie of the same browser
                assert resp.status == 401
            async with http.get(f"{web}/api/issues", headers={"Authorization": f"Bearer {cookie}"}) as resp:
                assert resp.status == 401
        await sc.wait_for_message(gm.chat_user_id, lambda m: "解绑" in m["text"])  # the account is told
        await sc.send_text(gm.chat_user_id, gm.chat_user_id, "/web")  # no longer a member
        refused = await sc.wait_for_message(gm.chat_user_id)
        assert "开放" in refused["text"]
