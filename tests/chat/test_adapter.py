"""The Telegram adapter's small parts, and the commands that start the bot."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from aiogram.types import CallbackQuery, Chat, Message, User

from bot.platforms.telegram import convert
from bot.platforms.telegram.callbacks import FACTORIES, IssueCB, QuestionCB, TaskCB, WishCB
from handlers import build_conversation
from bot.messages import Action
from models import ChatAccount, PlatformChat

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("factory, kind", [(IssueCB, "q"), (WishCB, "w"), (QuestionCB, "ask"), (TaskCB, "t")])
@pytest.mark.parametrize("verb, id_, arg", [("accept", 12, ""), ("to", 3, "57"), ("bld", 99999, "1234")])
def test_callback_data_factories_pack_exactly_like_actions(factory, kind, verb, id_, arg):
    packed = factory(verb=verb, id=id_, arg=arg).pack()
    assert packed == Action(kind, verb, id_, arg).pack()
    assert factory.unpack(packed) == factory(verb=verb, id=id_, arg=arg)
    assert Action.unpack(packed) == Action(kind, verb, id_, arg)


def test_every_button_kind_of_the_conversation_has_a_route():
    kinds = set(build_conversation().buttons)
    assert kinds - set(FACTORIES) <= {"s", "r"}  # rota buttons go through the catch-all router


def test_actions_from_before_the_four_part_format_still_unpack():
    assert Action.unpack("q:accept:12") == Action("q", "accept", 12, "")


def _message(**kw) -> Message:
    base = dict(message_id=5, date=datetime(2026, 11, 28, 1, 0, tzinfo=timezone.utc),
                chat=Chat(id=-100123, type="supergroup", title="阳光花园居民群"),
                from_user=User(id=42, is_bot=False, first_name="张", last_name="阿姨"))
    base.update(kw)
    return Message(**base)


def test_messages_become_inbound_values(db):
    bot_user = User(id=7, is_bot=True, first_name="红管家")
    replied = _message(message_id=4, from_user=bot_user, text="在哪栋楼？")
    with db.transaction() as session:
        ids = convert.Ids(session)
        msg = convert.inbound(ids, _message(text="5栋", reply_to_message=replied), 1001, bot_id=7)
        # Telegram's numbers stay in the adapter: the conversation gets the account's and chat's keys
        account, chat = session.get(ChatAccount, msg.user.id), session.get(PlatformChat, msg.chat.id)
        assert (account.platform, account.external_id, account.display_name) == ("telegram", "42", "张 阿姨")
        assert (chat.platform, chat.external_id, chat.kind) == ("telegram", "-100123", "group")
        assert session.get(PlatformChat, account.private_chat_id).external_id == "42"  # a person's chat: their id
        assert msg.chat.kind == "group" and msg.chat.title == "阳光花园居民群"
        assert msg.user.name == "张 阿姨"
        assert (msg.text, msg.update_id, msg.reply_to_message_id, msg.reply_to_bot) == ("5栋", "telegram:1001", "4", True)
        photo = convert.inbound(ids, _message(caption="修好了", photo=[
            {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 90},
            {"file_id": "big", "file_unique_id": "b", "width": 800, "height": 800},
        ]), 1002, bot_id=7)
        assert photo.text == "修好了" and photo.photo == "telegram:big"
        assert photo.user.id == msg.user.id and photo.chat.id == msg.chat.id  # the same account, the same chat
        private = convert.inbound(ids, _message(chat=Chat(id=42, type="private"), text="/start"), 1003, bot_id=7)
        assert private.chat.is_private and private.command == ("start", "")
        assert private.chat.id == account.private_chat_id and private.chat.id != msg.user.id


def test_known_people_and_chats_cost_no_sql_and_a_rolled_back_one_is_not_remembered(db):
    """Chatter must not take SQLite's write lock: a person and a group seen before are mapped from
    memory. Only what a committed transaction added is remembered."""
    cache = convert.KeyCache()
    with db.transaction() as session:
        ids = convert.Ids(session, cache=cache)
        first = convert.inbound(ids, _message(text="大家好"), 1, bot_id=7)
    ids.keep()

    class NoSql:
        def __getattr__(self, name):
            raise AssertionError(f"SQL ({name}) for an id mapped before")

    again = convert.inbound(convert.Ids(NoSql(), cache=cache), _message(text="又来了"), 2, bot_id=7)
    assert (again.user.id, again.chat.id) == (first.user.id, first.chat.id)
    with pytest.raises(RuntimeError):
        with db.transaction() as session:
            ids = convert.Ids(session, cache=cache)
            convert.inbound(ids, _message(chat=Chat(id=-100999, type="supergroup", title="新群"), text="x"), 3, bot_id=7)
            raise RuntimeError("the handler failed: rolled back")
    assert -100999 not in cache.chats  # its row was rolled back; a key for it would point nowhere
    renamed = _message(from_user=User(id=42, is_bot=False, first_name="张", last_name="阿姨（3栋）"), text="hi")
    with db.transaction() as session:  # a new name is written (one lookup), then known again
        ids = convert.Ids(session, cache=cache)
        assert convert.inbound(ids, renamed, 4, bot_id=7).user.id == first.user.id
        assert session.get(ChatAccount, first.user.id).display_name == "张 阿姨（3栋）"


def test_both_migration_service_messages_name_the_old_and_the_new_chat():
    old = Chat(id=-4000000001, type="group", title="居民群")
    assert convert.migration(_message(chat=old, migrate_to_chat_id=-100777)) == (-4000000001, -100777)
    assert convert.migration(_message(migrate_from_chat_id=-4000000001)) == (-4000000001, -100123)
    assert convert.migration(_message(text="hi")) is None


def test_presses_become_press_values(db):
    query = CallbackQuery(id="cb1", from_user=User(id=42, is_bot=False, first_name="张"), chat_instance="x",
                          data="q:accept:12:", message=_message(text="卡片"))
    with db.transaction() as session:
        ids = convert.Ids(session)
        press = convert.press(ids, query, 77)
        assert press.action == Action("q", "accept", 12) and press.message_id == "5" and press.update_id == "telegram:77"
        assert session.get(ChatAccount, press.user.id).external_id == "42"
        assert convert.press(ids, CallbackQuery(id="cb2", from_user=User(id=1, is_bot=False, first_name="x"),
                                                chat_instance="x", data="q:x:1:"), 78) is None


def _hgj(*args, env=None, **kw):
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=60, **kw)


def test_run_without_a_token_says_so_in_one_line(tmp_path):
    result = _hgj("run", env={"HGJ_TELEGRAM_TOKEN": "", "HGJ_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "HGJ_TELEGRAM_TOKEN" in result.stderr


def test_demo_starts_everything_prints_the_url_and_stops_on_ctrl_c(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "demo", "--port", "0", "--web-port", "0",
                             "--database", str(tmp_path / "demo.db")], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    lines = []
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("网页:"):
                break
        text = "".join(lines)
        assert "打开 http://127.0.0.1:" in text and "网页: http://127.0.0.1:" in text, text
        url = text.split("打开 ")[1].split(" ")[0]
        import urllib.request

        with urllib.request.urlopen(url, timeout=10) as page:
            assert "<html" in page.read().decode()
        with urllib.request.urlopen(url + "_standin/chats", timeout=10) as chats:
            body = chats.read().decode()
        assert "阳光花园居民群" in body and "杨志强" in body
        deadline = time.monotonic() + 20
        while "我是红管家机器人" not in body and time.monotonic() < deadline:  # the bot's first words
            time.sleep(0.2)
            with urllib.request.urlopen(url + "_standin/chats", timeout=10) as chats:
                body = chats.read().decode()
        assert "我是红管家机器人" in body
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
