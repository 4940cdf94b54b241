"""A group upgraded to a supergroup, as Telegram does it: a new id, service messages in both
chats, and the old id refused with ``migrate_to_chat_id``."""

from __future__ import annotations

import pytest
from aiogram.exceptions import TelegramMigrateToChat

from bot.platforms.telegram.standin import StandinClientError

from .conftest import make_bot


async def test_a_group_becomes_a_supergroup_with_the_same_people(server, client, bot):
    alice = await client.add_user("王阿姨")
    bob = await client.add_user("李师傅")
    group = await client.add_group("幸福里居民群", members=[alice["id"], bob["id"]], type="group",
                                   admins=[alice["id"]], owner=alice["id"])
    await bot.get_updates(offset=-1)  # nothing before
    sent = await bot.send_message(group["id"], "升级前")

    result = await client.migrate(group["id"])

    new = result["chat"]
    assert new["id"] != group["id"] and new["id"] < 0 and new["type"] == "supergroup"
    assert (new["title"], new["members"], new["admins"], new["owner"]) == (
        "幸福里居民群", group["members"], [alice["id"]], alice["id"])
    assert result["old"]["migrated_to"] == new["id"]
    updates = await bot.get_updates(timeout=0)
    service = [u.message for u in updates]
    assert [(m.chat.id, m.migrate_to_chat_id, m.migrate_from_chat_id) for m in service] == [
        (group["id"], new["id"], None), (new["id"], None, group["id"])]
    assert service[0].from_user.id == alice["id"]
    assert len(result["update_ids"]) == 2

    with pytest.raises(TelegramMigrateToChat) as refused:
        await bot.send_message(group["id"], "还发旧群")
    assert refused.value.migrate_to_chat_id == new["id"]
    assert "group chat was upgraded to a supergroup chat" in refused.value.message
    with pytest.raises(TelegramMigrateToChat):
        await bot.edit_message_text(chat_id=group["id"], message_id=sent.message_id, text="改")
    assert (await bot.send_message(new["id"], "新群")).chat.id == new["id"]

    with pytest.raises(StandinClientError) as old_write:
        await client.send_text(bob["id"], group["id"], "旧群还能说话吗")
    assert old_write.value.status == 409
    await client.send_text(bob["id"], new["id"], "新群说话")
    assert (await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0))[0].message.text == "新群说话"
    assert [m["text"] for m in await client.messages(group["id"]) if "text" in m] == ["升级前"]


async def test_only_a_group_is_upgraded_once_and_bots_stay_who_they_were(server, client, bot):
    other = make_bot(server, "515151:other-token")
    try:
        await other.get_me()
        alice = await client.add_user("王阿姨")
        group = await client.add_group("只有另一个机器人", members=[alice["id"]], type="group", bots=[515151])
        result = await client.migrate(group["id"], id=-1009999, user_id=alice["id"])
        assert result["chat"]["id"] == -1009999 and result["chat"]["bot_ids"] == [515151]
        assert [u.message.migrate_from_chat_id for u in await other.get_updates(timeout=0)] == [None, group["id"]]
        assert await bot.get_updates(timeout=0) == []
        with pytest.raises(StandinClientError) as twice:
            await client.migrate(group["id"])
        assert twice.value.status == 409
        with pytest.raises(StandinClientError) as supergroup:
            await client.migrate(-1009999)
        assert supergroup.value.status == 400
    finally:
        await other.session.close()
