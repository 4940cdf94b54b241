"""The control API, its client, several bots, the thread runner, the CLI and the demo page."""

from __future__ import annotations

import asyncio
import re
import time

import httpx
import pytest
from aiogram.methods import GetUpdates

from bot.platforms.telegram.standin import Limits, StandinClient, StandinClientError, StandinServer

from .conftest import TOKEN, make_bot


async def test_wait_for_message_predicate_marks_and_timeout(client, bot, community):
    alice, bob, group = community["alice"], community["bob"], community["group"]
    await client.send_text(alice["id"], group["id"], "报修")
    await bot.send_message(group["id"], "第一条")
    await bot.send_message(bob["id"], "私信提醒")
    await bot.send_message(group["id"], "第二条 #3")
    # the private alert came in between: waiting for it does not skip the group messages
    assert (await client.wait_for_message(bob["id"]))["text"] == "私信提醒"
    assert (await client.wait_for_message(group["id"]))["text"] == "第一条"
    assert (await client.wait_for_message(group["id"]))["text"] == "第二条 #3"
    # predicate, and a message that arrives while waiting
    waiter = asyncio.create_task(client.wait_for_message(group["id"], lambda m: "#4" in m["text"], timeout=5))
    await asyncio.sleep(0.05)
    await bot.send_message(group["id"], "无关")
    await bot.send_message(group["id"], "工单 #4")
    assert (await waiter)["text"] == "工单 #4"
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="no matching bot message"):
        await client.wait_for_message(group["id"], timeout=0.2)
    assert time.monotonic() - started < 2
    # an explicit starting point
    assert (await client.wait_for_message(group["id"], after=0))["text"] == "第一条"


async def test_events_cursor_long_poll_and_filters(client, bot, community):
    alice, group = community["alice"], community["group"]
    cursor = await client.cursor()
    poll = asyncio.create_task(client.events(after=cursor, wait=5, types=["sent"]))
    await asyncio.sleep(0.05)
    await client.send_text(alice["id"], group["id"], "先是用户消息")
    assert not poll.done()
    msg = await bot.send_message(group["id"], "然后机器人")
    events, new_cursor = await asyncio.wait_for(poll, 5)
    assert [e["type"] for e in events] == ["sent"] and events[0]["message_id"] == msg.message_id
    assert new_cursor > cursor
    await bot.edit_message_text(chat_id=group["id"], message_id=msg.message_id, text="改过")
    await bot.delete_message(group["id"], msg.message_id)
    everything, _ = await client.events(after=cursor)
    assert [e["type"] for e in everything] == ["user_message", "sent", "edited", "deleted"]
    only_chat, _ = await client.events(after=0, chat_id=alice["id"])
    assert all(e["chat_id"] == alice["id"] for e in only_chat)
    empty, same = await client.events(after=new_cursor + 10, wait=0)
    assert empty == []


async def test_control_errors_and_listing(client, community):
    alice, group = community["alice"], community["group"]
    outsider = await client.add_user("外人")
    with pytest.raises(StandinClientError, match="not a member") as err:
        await client.send_text(outsider["id"], group["id"], "hi")
    assert err.value.status == 403
    with pytest.raises(StandinClientError, match="unknown user"):
        await client.send_text(999999, group["id"], "hi")
    with pytest.raises(StandinClientError, match="taken"):
        await client.add_user("重名", username="wang_ayi")
    with pytest.raises(StandinClientError, match="written in only by its user"):
        await client.send_text(alice["id"], outsider["id"], "hi")
    await client.add_member(group["id"], outsider["id"])
    await client.send_text(outsider["id"], group["id"], "我进群了")
    chats = await client.chats()
    kinds = sorted(c["type"] for c in chats)
    assert kinds == ["private", "private", "supergroup"]
    g = next(c for c in chats if c["type"] == "supergroup")
    assert g["members"] == sorted([alice["id"], community["bob"]["id"], outsider["id"]])
    assert g["last_message"]["text"] == "我进群了"
    users = await client.users()
    assert [u["first_name"] for u in users] == ["王阿姨", "李师傅", "外人"]
    basic = await client.add_group("老年协会", type="group", members=[alice["id"]])
    assert basic["type"] == "group" and basic["id"] < 0


async def test_stats(client, bot, community):
    alice, group = community["alice"], community["group"]
    await client.send_text(alice["id"], group["id"], "a")
    await bot.send_message(group["id"], "b")
    await bot.send_message(group["id"], "c")
    with pytest.raises(Exception):
        await bot.send_message(group["id"], "<x>")
    stats = await client.stats()
    assert stats["requests"]["sendMessage"] == 3
    assert stats["errors"] == {"400": 1}
    assert stats["messages_per_chat"][str(group["id"])] == {"from_bot": 2, "from_users": 1}
    assert stats["updates_queued"] == 1 and stats["too_many_requests"] == 0
    reset = await client.reset_stats()
    assert reset["requests"] == {}


async def test_several_bots_have_their_own_queues_and_private_chats(server, client, community):
    alice, group = community["alice"], community["group"]
    other_token = "777:other-bot"
    info = await client.add_bot(other_token, username="echo_test_bot")
    assert info["id"] == 777
    first, second = make_bot(server), make_bot(server, other_token)
    try:
        assert (await second.get_me()).username == "echo_test_bot"
        await client.send_text(alice["id"], group["id"], "大家好")
        a = await first(GetUpdates(timeout=0))
        b = await second(GetUpdates(timeout=0))
        assert [u.message.text for u in a] == [u.message.text for u in b] == ["大家好"]
        # the private chat with the default bot is not the one with the other bot
        with pytest.raises(Exception, match="can't initiate conversation"):
            await second.send_message(alice["id"], "hi")
        other = StandinClient(server.base_url, bot="echo_test_bot")
        async with other:
            await other.start_private(alice["id"])
            assert (await second.send_message(alice["id"], "hi")).chat.id == alice["id"]
            assert [m["text"] for m in await other.messages(alice["id"])] == ["/start", "hi"]
        assert await client.messages(alice["id"]) == []
        # a bot does not see another bot's messages
        await second.send_message(group["id"], "我是另一个机器人")
        assert [u.message.text for u in await first(GetUpdates(offset=a[-1].update_id + 1, timeout=0))] == []
        # a group limited to one bot
        only = await client.add_group("单机器人群", members=[alice["id"]], bots=[TOKEN])
        with pytest.raises(Exception, match="bot is not a member of the supergroup chat"):
            await second.send_message(only["id"], "x")
    finally:
        await first.session.close()
        await second.session.close()


async def test_messages_queued_before_the_bot_polls_are_kept(community, client, server):
    # the token was registered up front, so nothing sent before the first poll is lost
    await client.send_text(community["alice"]["id"], community["group"]["id"], "早到的消息")
    late = make_bot(server)
    try:
        updates = await late(GetUpdates(timeout=0))
        assert [u.message.text for u in updates] == ["早到的消息"]
    finally:
        await late.session.close()


def test_run_in_thread_for_sync_callers():
    handle = StandinServer(limits=Limits.off(), tokens=[TOKEN]).run_in_thread()
    try:
        base = handle.base_url
        with httpx.Client(base_url=base) as http:
            user = http.post("/_standin/users", json={"first_name": "同步"}).json()
            http.post(f"/_standin/users/{user['id']}/start", json={})
            me = http.get(f"/bot{TOKEN}/getMe").json()
            assert me == {"ok": True, "result": {
                "id": 424242, "is_bot": True, "first_name": "红管家", "username": "hgj_demo_bot",
                "can_join_groups": True, "can_read_all_group_messages": True,
                "supports_inline_queries": False, "can_connect_to_business": False,
                "has_main_web_app": False}}
            sent = http.post(f"/bot{TOKEN}/sendMessage", data={"chat_id": str(user["id"]), "text": "<b>hi</b>",
                                                               "parse_mode": "HTML"}).json()
            assert sent["result"]["entities"] == [{"type": "bold", "offset": 0, "length": 2}]
            q = http.get(f"/bot{TOKEN}/getUpdates", params={"timeout": "0"}).json()
            assert q["result"][0]["message"]["text"] == "/start"
        assert handle.call(lambda: len(handle.world.users)) == 1
    finally:
        handle.stop()
    with pytest.raises(httpx.HTTPError):
        httpx.get(base + "/_standin/health", timeout=1)


async def test_demo_page_is_served_offline(server):
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        page = await http.get("/")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        html = page.text
        assert "红管家" in html and "当前身份" in html
        assets = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert assets and all(a.startswith("/") and not a.startswith("//") for a in assets)
        bodies = [html]
        for asset in assets:
            r = await http.get(asset)
            assert r.status_code == 200
            bodies.append(r.text)
        assert (await http.get("/static/../state.py")).status_code == 404
    for body in bodies:
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", body, re.I), "external URL in the demo page"
        assert "@import" not in body
    script = bodies[-1] if assets[-1].endswith(".js") else next(b for a, b in zip(assets, bodies[1:]) if a.endswith(".js"))
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "eval(" not in script


def test_cli_registers_standin_command():
    from typer.testing import CliRunner

    from bot.cli import app

    result = CliRunner().invoke(app, ["standin", "--help"])
    assert result.exit_code == 0 and "--port" in result.output


async def test_messages_sent_on_behalf_of_a_chat(client, bot, community):
    alice, group = community["alice"], community["group"]
    channel = {"id": -1009000000001, "title": "社区通知"}
    forwarded = await client.send_text(alice["id"], group["id"], "停水通知", on_behalf={"linked_channel": channel})
    assert forwarded["from"]["id"] == 777000 and forwarded["is_automatic_forward"] is True
    assert forwarded["sender_chat"] == {"id": channel["id"], "type": "channel", "title": "社区通知"}
    as_channel = await client.send_text(alice["id"], group["id"], "大家好", on_behalf={"channel": channel})
    assert as_channel["from"]["username"] == "Channel_Bot" and as_channel["sender_chat"]["id"] == channel["id"]
    anonymous = await client.send_text(alice["id"], group["id"], "管理员通知", on_behalf="anonymous_admin")
    assert anonymous["from"]["username"] == "GroupAnonymousBot" and anonymous["sender_chat"]["id"] == group["id"]
    updates = await bot(GetUpdates(offset=0, timeout=0))
    assert [u.message.sender_chat.id for u in updates[-3:]] == [channel["id"], channel["id"], group["id"]]
    for bad in ("someone", {"channel": {"title": "无编号"}}):
        with pytest.raises(StandinClientError, match="on_behalf"):
            await client.send_text(alice["id"], group["id"], "x", on_behalf=bad)
    with pytest.raises(StandinClientError, match="group message"):
        await client.send_text(alice["id"], alice["id"], "x", on_behalf="anonymous_admin")
