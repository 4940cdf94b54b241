"""The sender asks the platform's adapter what it takes: length (measured its way), button data,
whether a message can be edited; a platform that cannot edit gets the card's new state as a new
message."""

from __future__ import annotations

import pytest

from bot.messages import ACTION_BUDGET
from bot.outbox import RateLimits
from bot.outbox.testing import FakeTransport
from bot.outbox.transport import PlatformLimits
from bot.rich import bold, mention, rich
from bot.rich.render import to_markdown
from bot.platforms.telegram.render import LIMITS as TELEGRAM
from bot.platforms.telegram.transport import TelegramTransport
from bot.messages import Action, Button, Outgoing
from models import OutboxStatus

from .conftest import add, make_sender, rows, virtual

NO_EDITS = PlatformLimits("noedit", button_data_bytes=64, text_length=2048, caption_length=512, can_edit=False,
                          size=lambda r: len(to_markdown(r).encode()))


@virtual
async def test_where_a_platform_cannot_edit_the_new_state_goes_out_as_a_new_message(db, clock):
    transport = FakeTransport(limits=NO_EDITS)
    [card] = add(db, clock, Outgoing(chat_id=5, text=rich("问题 ", bold("Q1"), " 待受理"),
                                     buttons=[[Button("受理", Action("q", "accept", 1))]]))
    await make_sender(db, transport, clock).drain()
    first = rows(db)[card].sent_message_id
    [edit] = add(db, clock, Outgoing(chat_id=5, text=rich("问题 ", bold("Q1"), " 已受理"), edit_message_id=first,
                                     buttons=[[Button("领办", Action("q", "claim", 1))]], kind="card"))
    await make_sender(db, transport, clock).drain()  # FakeTransport.edit would fail the test
    sent, again = transport.deliveries
    assert not again.edit and again.message.edit_message_id is None and again.message.chat_id == sent.message.chat_id
    assert again.message.text == rich("问题 ", bold("Q1"), " 已受理")
    assert [b.text for b in again.message.buttons[0]] == ["领办"]
    row = rows(db)[edit]
    assert row.status == OutboxStatus.sent and row.sent_message_id == again.message_id != first


@virtual
async def test_where_a_platform_can_edit_an_edit_stays_an_edit(db, clock):
    transport = FakeTransport(limits=TELEGRAM)
    [row_id] = add(db, clock, Outgoing(chat_id=5, text="已受理", edit_message_id="77"))
    await make_sender(db, transport, clock).drain()
    [d] = transport.deliveries
    assert d.edit and d.message.edit_message_id == "77" and rows(db)[row_id].sent_message_id == "77"


@virtual
async def test_a_text_is_cut_to_the_platforms_length_measured_its_way(db, clock):
    transport = FakeTransport(limits=NO_EDITS)
    long = rich(mention("张" * 10, account=1), "：", "*" * 5000)  # every * is escaped: 2 bytes each
    photo = rich(bold("照片说明"), "啊" * 5000)
    add(db, clock, Outgoing(chat_id=5, text=long), Outgoing(chat_id=6, text=photo, photo="FILE"))
    await make_sender(db, transport, clock).drain()
    [text] = transport.sent_to(5)
    [caption] = transport.sent_to(6)
    assert NO_EDITS.size(text.text) <= 2048 and NO_EDITS.size(text.text) > 2040
    assert text.text.plain.endswith("…") and text.text.spans[0] == mention("张" * 10, account=1).spans[0]
    assert NO_EDITS.size(caption.text) <= 512 and caption.text.plain.startswith("照片说明")


@virtual
async def test_button_data_over_the_platforms_limit_is_refused_not_sent_broken(db, clock):
    tight = PlatformLimits("tight", button_data_bytes=8, text_length=100, caption_length=100, can_edit=True)
    transport = FakeTransport(limits=tight)
    [ok, refused] = add(db, clock, Outgoing(chat_id=5, text="短", buttons=[[Button("是", Action("a", "b", 1))]]),
                        Outgoing(chat_id=6, text="长", buttons=[[Button("受理", Action("q", "accept", 12345))]]))
    await make_sender(db, transport, clock, limits=RateLimits.off()).drain()
    assert [d.message.id for d in transport.deliveries] == [ok]
    assert rows(db)[refused].status == OutboxStatus.dead and "over 8 bytes" in rows(db)[refused].last_error


def test_every_platform_carries_what_the_conversation_packs_into_a_button():
    """The conversation packs a button's action in at most ``ACTION_BUDGET`` bytes; a platform
    adapter that declares less could not carry every button (a new platform must check here)."""
    for limits in (TELEGRAM, TelegramTransport.limits):
        assert limits.button_data_bytes >= ACTION_BUDGET
    biggest = Action("ask", "intent", 2**63 - 1, "x" * 20).pack()
    assert len(biggest.encode()) <= ACTION_BUDGET
    with pytest.raises(ValueError, match="over 64 bytes"):
        Action("ask", "intent", 2**63 - 1, "x" * 40).pack()
