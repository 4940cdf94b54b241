"""Reply keyboards (the request-contact button) live in the user's view of the chat, and users
share contacts: their own through the button, or someone else's card."""

from __future__ import annotations

import pytest
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove

from bot.platforms.telegram.standin import StandinClientError


async def test_a_reply_keyboard_is_the_chats_not_the_messages(client, bot, community):
    alice = community["alice"]
    markup = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="📱 分享我的手机号", request_contact=True)]],
                                 resize_keyboard=True, one_time_keyboard=True)
    sent = await bot.send_message(alice["id"], "请分享手机号", reply_markup=markup)
    assert sent.reply_markup is None  # Telegram returns no reply keyboard in the message
    assert (await client.message(alice["id"], sent.message_id)).get("reply_markup") is None
    assert await client.keyboard(alice["id"]) == {
        "keyboard": [[{"text": "📱 分享我的手机号", "request_contact": True}]],
        "resize_keyboard": True, "one_time_keyboard": True}
    await bot.send_message(alice["id"], "好的", reply_markup=ReplyKeyboardRemove())
    assert await client.keyboard(alice["id"]) is None


async def test_bad_reply_keyboards_are_refused_like_telegram(bot, community):
    alice = community["alice"]["id"]
    for markup, error in (({"keyboard": "x"}, "Array of Arrays"), ({"keyboard": [[{"txt": "a"}]]}, "text"),
                          ({"keyboard": [[]]}, "must not be empty"), ({"remove_keyboard": False}, "must be true")):
        with pytest.raises(TelegramBadRequest, match=error):
            await bot.send_message(alice, "x", reply_markup=markup)


async def test_sharing_ones_own_contact_and_forwarding_another(client, bot, community):
    carol = await client.add_user("赵会计", phone_number="+8613907240020")
    await client.start_private(carol["id"], send=False)
    own = await client.share_contact(carol["id"])
    assert own["contact"] == {"phone_number": "+8613907240020", "first_name": "赵会计", "user_id": carol["id"]}
    card = await client.send_contact(carol["id"], carol["id"], "13907240005", "陈静")
    assert card["contact"] == {"phone_number": "13907240005", "first_name": "陈静"} and "text" not in card
    stranger = await client.send_contact(carol["id"], carol["id"], "13907240005", "陈静", contact_user_id=555)
    assert stranger["contact"]["user_id"] == 555
    updates = await bot.get_updates()
    assert updates[-1].message.contact.user_id == 555 and updates[-3].message.contact.user_id == carol["id"]
    with pytest.raises(StandinClientError, match="no phone_number"):
        await client.share_contact(community["alice"]["id"])  # alice's account has no number here
    shared = await client.share_contact(community["alice"]["id"], phone_number="13800000000")
    assert shared["contact"]["user_id"] == community["alice"]["id"]
