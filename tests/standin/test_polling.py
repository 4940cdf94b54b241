"""A real aiogram Bot + Dispatcher polling the stand-in over HTTP."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiogram import Dispatcher, F
from aiogram.exceptions import TelegramConflictError
from aiogram.filters import Command
from aiogram.methods import GetUpdates
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from .conftest import polling


async def test_group_message_and_button_press(server, client, bot, community):
    alice, group = community["alice"], community["group"]
    dp = Dispatcher()
    seen: list[Message] = []

    @dp.message(F.text)
    async def on_text(message: Message) -> None:
        seen.append(message)
        kb = InlineKeyboardMarkup(inline_keyboard=[[
            InlineKeyboardButton(text="附议 +1", callback_data="up:7"),
            InlineKeyboardButton(text="进度", callback_data="progress:7"),
        ]])
        await message.reply(f"已登记 <b>#7</b>：{message.text}", reply_markup=kb)

    @dp.callback_query(F.data.startswith("up:"))
    async def on_up(query: CallbackQuery) -> None:
        await query.answer("已附议", show_alert=True)
        await query.message.edit_text("已登记 <b>#7</b>（1 人附议）")

    async with polling(dp, bot):
        sent = await client.send_text(alice["id"], group["id"], "3号楼楼道灯坏了")
        reply = await client.wait_for_message(group["id"])
        assert reply["text"] == "已登记 #7：3号楼楼道灯坏了"
        assert reply["entities"] == [{"type": "bold", "offset": 4, "length": 2}]
        assert reply["reply_to_message"]["message_id"] == sent["message_id"]
        assert reply["reply_markup"]["inline_keyboard"][0][0] == {"text": "附议 +1", "callback_data": "up:7"}
        assert reply["from"]["is_bot"] and reply["from"]["username"] == "hgj_demo_bot"

        qid = await client.press(alice["id"], group["id"], reply["message_id"], "up:7")
        assert await client.callback_answer(qid, wait=5) == {
            "text": "已附议", "show_alert": True, "url": None, "cache_time": 0}
        edited = await client.wait_for_message(group["id"], edits=True)
        assert edited["message_id"] == reply["message_id"]
        assert edited["text"] == "已登记 #7（1 人附议）" and "reply_markup" not in edited
        assert "edit_date" in edited

    # the update the bot saw is Bot API shaped
    m = seen[0]
    assert m.chat.type == "supergroup" and m.chat.id == group["id"] < -1000000000000
    assert m.from_user.id == alice["id"] and m.from_user.username == "wang_ayi"
    assert m.from_user.language_code == "zh-hans" and not m.from_user.is_bot
    stored = await client.messages(group["id"])
    assert [x["message_id"] for x in stored] == [1, 2]
    assert stored[1]["text"] == "已登记 #7（1 人附议）"


async def test_commands_photos_locations_and_replies(server, client, bot, community):
    alice, group = community["alice"], community["group"]
    dp = Dispatcher()
    got: dict[str, Message] = {}

    @dp.message(Command("help"))
    async def on_help(message: Message) -> None:
        got["help"] = message
        await message.answer("帮助")

    @dp.message(F.photo)
    async def on_photo(message: Message) -> None:
        got["photo"] = message
        file = await bot.get_file(message.photo[-1].file_id)
        data = await bot.download_file(file.file_path)
        await message.answer(f"图片 {len(data.getvalue())} 字节：{message.caption}")

    @dp.message(F.location)
    async def on_location(message: Message) -> None:
        got["location"] = message
        await message.answer(f"位置 {message.location.latitude}")

    @dp.message(F.reply_to_message)
    async def on_reply(message: Message) -> None:
        got["reply"] = message
        await message.answer("收到回复")

    async with polling(dp, bot):
        await client.send_text(alice["id"], group["id"], "/help@hgj_demo_bot 怎么用")
        assert (await client.wait_for_message(group["id"]))["text"] == "帮助"
        png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x00\x80" + b"\x00" * 20
        await client.send_photo(alice["id"], group["id"], png, caption="漏水照片")
        assert (await client.wait_for_message(group["id"]))["text"] == f"图片 {len(png)} 字节：漏水照片"
        await client.send_location(alice["id"], group["id"], 31.23, 121.47)
        assert (await client.wait_for_message(group["id"]))["text"] == "位置 31.23"
        first = await client.messages(group["id"], limit=1)
        await client.send_text(alice["id"], group["id"], "3号楼", reply_to=first[0]["message_id"])
        assert (await client.wait_for_message(group["id"]))["text"] == "收到回复"

    cmd = got["help"]
    assert cmd.entities[0].type == "bot_command" and cmd.entities[0].offset == 0
    assert cmd.entities[0].length == len("/help@hgj_demo_bot")
    assert got["photo"].photo[-1].width == 256 and got["photo"].photo[-1].height == 128
    assert got["location"].location.longitude == 121.47
    assert got["reply"].reply_to_message.from_user.is_bot
    assert got["reply"].reply_to_message.text == "位置 31.23"


async def test_private_start_and_my_chat_member(server, client, bot):
    user = await client.add_user("张楼长")
    dp = Dispatcher()
    events: list[str] = []

    @dp.message(Command("start"))
    async def on_start(message: Message) -> None:
        events.append(f"start:{message.chat.type}:{message.chat.id}")
        await message.answer("欢迎")

    @dp.my_chat_member()
    async def on_member(update) -> None:
        events.append(update.new_chat_member.status)

    async with polling(dp, bot):
        await client.start_private(user["id"])
        reply = await client.wait_for_message(user["id"])
        assert reply["chat"] == {"id": user["id"], "type": "private", "first_name": "张楼长"}
        await client.block(user["id"])
        await client.unblock(user["id"])
        await client.start_private(user["id"])
        await client.wait_for_message(user["id"])
    assert events == [f"start:private:{user['id']}", "kicked", "member", f"start:private:{user['id']}"]


async def test_update_not_redelivered_after_offset_confirmation(server, client, bot, community):
    alice, group = community["alice"], community["group"]
    await client.send_text(alice["id"], group["id"], "一")
    await client.send_text(alice["id"], group["id"], "二")
    first = await bot(GetUpdates(timeout=0))
    assert [u.message.text for u in first] == ["一", "二"]
    again = await bot(GetUpdates(timeout=0))  # not confirmed yet: same updates
    assert [u.update_id for u in again] == [u.update_id for u in first]
    confirmed = await bot(GetUpdates(offset=first[-1].update_id + 1, timeout=0))
    assert confirmed == []
    await client.send_text(alice["id"], group["id"], "三")
    later = await bot(GetUpdates(offset=first[0].update_id, timeout=0))  # old offset: nothing comes back
    assert [u.message.text for u in later] == ["三"]
    assert later[0].update_id == first[-1].update_id + 1
    limited = await bot(GetUpdates(offset=-1, timeout=0))
    assert [u.message.text for u in limited] == ["三"]


async def test_long_poll_returns_as_soon_as_an_update_arrives(server, client, bot, community):
    alice, group = community["alice"], community["group"]
    poll = asyncio.create_task(bot(GetUpdates(timeout=20)))
    await asyncio.sleep(0.05)
    assert not poll.done()
    started = time.monotonic()
    await client.send_text(alice["id"], group["id"], "在吗")
    updates = await asyncio.wait_for(poll, 5)
    assert time.monotonic() - started < 1.0
    assert updates[0].message.text == "在吗"


async def test_second_poller_terminates_the_first(server, client, bot):
    first = asyncio.create_task(bot(GetUpdates(timeout=20)))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(bot(GetUpdates(timeout=0)))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, 5)
    assert await second == []


async def test_allowed_updates_filters_new_updates(server, client, bot):
    user = await client.add_user("刘网格员")
    await bot(GetUpdates(timeout=0, allowed_updates=["callback_query"]))
    await client.start_private(user["id"])
    assert await bot(GetUpdates(timeout=0)) == []


async def test_redelivered_update_keeps_its_id(server, client, bot, community):
    alice, group = community["alice"], community["group"]
    dp = Dispatcher()
    seen: list[int] = []

    @dp.update.outer_middleware()
    async def record(handler, event, data):
        seen.append(event.update_id)
        return await handler(event, data)

    @dp.message(F.text)
    async def on_text(message: Message) -> None:
        await message.answer("ok")

    async with polling(dp, bot):
        await client.send_text(alice["id"], group["id"], "一次")
        await client.wait_for_message(group["id"])
        again = await client.redeliver()
        assert again["message"]["text"] == "一次"
        await client.wait_for_message(group["id"])
        await client.send_text(alice["id"], group["id"], "两次")
        await client.wait_for_message(group["id"])
    assert seen == [again["update_id"], again["update_id"], again["update_id"] + 1]
