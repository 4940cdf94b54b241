"""Bot API methods called through aiogram, and Telegram's errors as aiogram's exceptions."""

from __future__ import annotations

import aiohttp
import pytest
from aiogram.exceptions import (
    TelegramBadRequest, TelegramForbiddenError, TelegramNotFound, TelegramRetryAfter,
)
from aiogram.methods import TelegramMethod
from aiogram.types import (
    BotCommand, BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters,
)

from bot.platforms.telegram.standin import Limits, ManualClock, StandinClient, StandinServer

from .conftest import TOKEN, make_bot


def kb(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d)
                                                  for t, d in pairs]])


async def test_get_me_derives_the_bot_from_the_token(bot):
    me = await bot.get_me()
    assert me.id == 424242 and me.is_bot and me.username == "hgj_demo_bot"
    assert me.can_read_all_group_messages


async def test_send_message_html_and_keyboard_is_stored(client, bot, community):
    group = community["group"]
    sent = await bot.send_message(group["id"], "<b>工单 #12</b> &lt;已受理&gt;\n处理人：<i>张楼长</i>",
                                  reply_markup=kb(("受理", "accept:12"), ("驳回", "reject:12")),
                                  message_thread_id=5)
    assert sent.text == "工单 #12 <已受理>\n处理人：张楼长"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 6), ("italic", 17, 3)]
    stored = await client.message(group["id"], sent.message_id)
    assert stored["text"] == sent.text
    assert stored["reply_markup"] == {"inline_keyboard": [[
        {"text": "受理", "callback_data": "accept:12"}, {"text": "驳回", "callback_data": "reject:12"}]]}


async def test_bad_html_is_refused_like_telegram(client, bot, community):
    with pytest.raises(TelegramBadRequest) as err:
        await bot.send_message(community["group"]["id"], "居民说：<我家漏水> & 怎么办")
    assert err.value.message == ('Bad Request: can\'t parse entities: Unsupported start tag "我家漏水" '
                                 "at byte offset 12")
    assert await client.messages(community["group"]["id"]) == []


async def test_reply_parameters_and_missing_reply_target(client, bot, community):
    alice, group = community["alice"], community["group"]
    asked = await client.send_text(alice["id"], group["id"], "有人吗")
    answer = await bot.send_message(group["id"], "在", reply_parameters=ReplyParameters(message_id=asked["message_id"]))
    assert answer.reply_to_message.message_id == asked["message_id"]
    old_style = await bot.send_message(group["id"], "在呢", reply_to_message_id=asked["message_id"])
    assert old_style.reply_to_message.text == "有人吗"
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(group["id"], "?", reply_parameters=ReplyParameters(message_id=999))
    lenient = await bot.send_message(group["id"], "ok", reply_parameters=ReplyParameters(
        message_id=999, allow_sending_without_reply=True))
    assert lenient.reply_to_message is None


async def test_forbidden_and_not_found_chats(client, bot, community):
    alice = community["alice"]
    stranger = await client.add_user("路人")
    await client.block(alice["id"])
    with pytest.raises(TelegramForbiddenError, match="^Telegram server says - Forbidden: bot was blocked by the user$"):
        await bot.send_message(alice["id"], "提醒")
    with pytest.raises(TelegramForbiddenError, match="bot can't initiate conversation with a user"):
        await bot.send_message(stranger["id"], "你好")
    with pytest.raises(TelegramBadRequest, match="Bad Request: chat not found"):
        await bot.send_message(987654321, "?")
    with pytest.raises(TelegramBadRequest, match="Bad Request: chat not found"):
        await bot.send_message(-1009999, "?")
    await client.unblock(alice["id"])
    assert (await bot.send_message(alice["id"], "提醒")).chat.id == alice["id"]


async def test_edit_not_modified_delete_and_markup(client, bot, community):
    group = community["group"]
    msg = await bot.send_message(group["id"], "<b>进度</b>：待受理", reply_markup=kb(("受理", "a")))
    with pytest.raises(TelegramBadRequest, match="message is not modified: specified new message content"):
        await bot.edit_message_text(chat_id=group["id"], message_id=msg.message_id,
                                    text="<b>进度</b>：待受理", reply_markup=kb(("受理", "a")))
    edited = await bot.edit_message_reply_markup(chat_id=group["id"], message_id=msg.message_id,
                                                 reply_markup=kb(("已受理", "done")))
    assert edited.reply_markup.inline_keyboard[0][0].text == "已受理"
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=group["id"], message_id=msg.message_id,
                                            reply_markup=kb(("已受理", "done")))
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(chat_id=group["id"], message_id=999, text="x")
    user_msg = await client.send_text(community["alice"]["id"], group["id"], "hi")
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text(chat_id=group["id"], message_id=user_msg["message_id"], text="x")
    assert await bot.delete_message(group["id"], msg.message_id)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(group["id"], msg.message_id)
    assert [m["message_id"] for m in await client.messages(group["id"])] == [user_msg["message_id"]]


async def test_callback_answer_twice_is_refused(client, bot, community):
    alice, group = community["alice"], community["group"]
    msg = await bot.send_message(group["id"], "选择", reply_markup=kb(("是", "yes")))
    qid = await client.press(alice["id"], group["id"], msg.message_id, text="是")
    assert await bot.answer_callback_query(qid, text="好的")
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(qid)
    with pytest.raises(Exception, match="no button"):
        await client.press(alice["id"], group["id"], msg.message_id, "forged")
    forged = await client.press(alice["id"], group["id"], msg.message_id, "forged", force=True)
    assert await client.callback_answer(forged) is None


async def test_photo_upload_by_url_and_file_id_and_download(client, bot, community):
    group = community["group"]
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x20\x00\x00\x00\x10" + b"\x01" * 30
    sent = await bot.send_photo(group["id"], BufferedInputFile(png, "fix.png"), caption="<b>修好了</b>")
    assert sent.caption == "修好了" and sent.caption_entities[0].type == "bold"
    size = sent.photo[-1]
    assert (size.width, size.height) == (32, 16)
    again = await bot.send_photo(group["id"], size.file_id)
    assert again.photo[-1].file_id == size.file_id
    by_url = await bot.send_photo(group["id"], "https://example.invalid/a.jpg")
    assert by_url.photo[-1].file_id
    file = await bot.get_file(size.file_id)
    assert file.file_size == len(png)
    assert (await bot.download_file(file.file_path)).getvalue() == png
    with pytest.raises(TelegramBadRequest, match="wrong file_id"):
        await bot.get_file("nope")
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_photo(group["id"], "nope")
    doc = await bot.send_document(group["id"], BufferedInputFile(b"a,b\n1,2\n", "stats.csv"))
    assert doc.document.file_name == "stats.csv"


async def test_location_chat_action_chat_info_members_commands(client, bot, community):
    alice, group = community["alice"], community["group"]
    loc = await bot.send_location(group["id"], latitude=31.2, longitude=121.5)
    assert loc.location.latitude == 31.2
    assert await bot.send_chat_action(group["id"], "typing")
    chat = await bot.get_chat(group["id"])
    assert chat.title == "幸福里居民群" and chat.type == "supergroup"
    member = await bot.get_chat_member(group["id"], alice["id"])
    assert member.status == "member"
    me = await bot.get_chat_member(group["id"], 424242)
    assert me.status == "administrator"
    assert await bot.get_chat_member_count(group["id"]) == 3
    commands = [BotCommand(command="help", description="帮助"), BotCommand(command="my", description="我的报修")]
    assert await bot.set_my_commands(commands)
    assert [c.command for c in await bot.get_my_commands()] == ["help", "my"]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="帮助", description="x")])


class _Nonsense(TelegramMethod[bool]):
    __returning__ = bool
    __api_method__ = "doSomethingOdd"


async def test_unknown_method_is_not_found(server, bot):
    with pytest.raises(TelegramNotFound, match="Not Found"):
        await bot(_Nonsense())
    async with aiohttp.ClientSession() as s:
        async with s.get(f"{server.base_url}/botnot-a-token/getMe") as r:
            assert r.status == 404 and (await r.json())["description"] == "Not Found"
        async with s.post(f"{server.base_url}/bot{TOKEN}/sendMessage",
                          json={"chat_id": 1, "text": "x", "extra": {"ignored": True}}) as r:
            assert (await r.json())["description"] == "Bad Request: chat not found"


# -- limits, driven by a manual clock ---------------------------------------------------------

@pytest.fixture
async def limited():
    clock = ManualClock()
    async with StandinServer(limits=Limits(), time_source=clock, tokens=[TOKEN]) as srv:
        async with StandinClient(srv.base_url) as sc:
            users = [await sc.add_user(f"居民{i}") for i in range(32)]
            for u in users:
                await sc.start_private(u["id"], send=False)
            group = await sc.add_group("群", members=[u["id"] for u in users])
            bot = make_bot(srv)
            try:
                yield clock, sc, bot, users, group
            finally:
                await bot.session.close()


async def test_private_chat_limit_one_per_second(limited):
    clock, sc, bot, users, _ = limited
    uid = users[0]["id"]
    await bot.send_message(uid, "1")
    clock.advance(0.3)
    with pytest.raises(TelegramRetryAfter) as err:
        await bot.send_message(uid, "2")
    assert err.value.retry_after == 1
    assert "Too Many Requests: retry after 1" in err.value.message
    clock.advance(0.7)
    await bot.send_message(uid, "2")
    assert (await sc.stats())["too_many_requests"] == 1


async def test_group_limit_twenty_per_minute(limited):
    clock, sc, bot, _, group = limited
    for i in range(20):
        await bot.send_message(group["id"], str(i))
        clock.advance(0.5)  # 20 messages over 10 s
    with pytest.raises(TelegramRetryAfter) as err:
        await bot.send_message(group["id"], "21")
    assert err.value.retry_after == 50  # the first one leaves the 60 s window at t=60
    clock.advance(49)
    with pytest.raises(TelegramRetryAfter) as err:
        await bot.send_message(group["id"], "21")
    assert err.value.retry_after == 1
    clock.advance(1)
    await bot.send_message(group["id"], "21")
    # edits do not count
    await bot.edit_message_text(chat_id=group["id"], message_id=1, text="改")


async def test_global_limit_thirty_per_second(limited):
    clock, sc, bot, users, _ = limited
    for u in users[:30]:
        await bot.send_message(u["id"], "通知")
    with pytest.raises(TelegramRetryAfter) as err:
        await bot.send_photo(users[30]["id"], "https://example.invalid/p.jpg")
    assert err.value.retry_after == 1
    clock.advance(1)
    await bot.send_location(users[30]["id"], latitude=1, longitude=2)
    stats = await sc.stats()
    assert stats["too_many_requests"] == 1 and stats["messages_from_bots"] == 31
    assert stats["requests"]["sendMessage"] == 30


async def test_limits_switch_off_and_reconfigure(limited):
    clock, sc, bot, users, group = limited
    uid = users[0]["id"]
    await sc.set_limits(enabled=False)
    for _ in range(5):
        await bot.send_message(uid, "x")
    await sc.set_limits(enabled=True, private_count=2, private_window=10)
    clock.advance(100)
    await bot.send_message(uid, "a")
    await bot.send_message(uid, "b")
    with pytest.raises(TelegramRetryAfter) as err:
        await bot.send_message(uid, "c")
    assert err.value.retry_after == 10
    assert (await sc.limits())["private_count"] == 2


async def test_bot_text_gets_telegram_detected_entities(bot, community):
    msg = await bot.send_message(community["group"]["id"],
                                 '发 /my 查看，详见 https://hgj.example.cn/a <code>/notcmd</code> '
                                 '<a href="https://x.cn">https://y.cn</a> #停车')
    kinds = [(e.type, msg.text[e.offset:e.offset + e.length]) for e in msg.entities]
    assert kinds == [("bot_command", "/my"), ("url", "https://hgj.example.cn/a"), ("code", "/notcmd"),
                     ("text_link", "https://y.cn"), ("hashtag", "#停车")]
