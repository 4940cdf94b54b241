"""Red team: /swap paged the whole team again at every asking.

「/swap S1」 five times sent every free teammate five 换班请求 (one open request, five rounds of
notices), in private chats where every command is answered — a member could page their team a
hundred times a minute. The team hears of a request once; asking again says it is waiting."""

from __future__ import annotations

from sqlmodel import select

from models import OutboxMessage
from tests import ids
from tests.rotas.conftest import make_rota, settings, world  # noqa: F401 (fixtures)
from tests.rotas.test_chat import chat  # noqa: F401 (fixture)


def swap_notices(db) -> dict[int, int]:
    out: dict[int, int] = {}
    with db.session() as s:
        rows = s.exec(select(OutboxMessage).where(OutboxMessage.text.contains("换班请求"))).all()
        for row in rows:  # by Telegram chat id, as the tests name people
            chat = ids.telegram_chat(s, row.chat_id)
            out[chat] = out.get(chat, 0) + 1
    return out


def test_asking_again_for_the_same_shift_pages_nobody_again(chat, db, world, clock, settings):
    with db.transaction() as s:
        make_rota(s, world, settings, clock.now())
    first = chat.text("张三", "/swap S1")
    assert "已请 2 位队友替你 S1" in first
    for _ in range(4):
        assert "你已在请人替 S1" in chat.text("张三", "/swap S1")
        chat.press("张三", "s:swap:1")
    assert swap_notices(db) == {7003: 1, 7004: 1}
    # the other person on the shift asking is their own request: the team hears of it
    assert "已请" in chat.text("李四", "/swap S1")
