"""An unreachable recipient: the row fails, the member's account is marked, the alert goes to the next person."""

from __future__ import annotations

from sqlmodel import select

from bot.places import groups
from bot.outbox import Unreachable, enqueue
from bot.messages import Action, Button, Outgoing
from models import Member, OutboxMessage, OutboxStatus
from tests.factories import build_world

from .conftest import add, make_sender, rows, virtual
from tests import ids as tg

S = OutboxStatus
CHAT = {"bh3": 9003, "gm1": 9001, "office": 9005, "leader": 9006}
GRID1_GROUP = -100777


def setup_world(db, clock, *, chats=CHAT, bind_group=False):
    with db.transaction() as session:
        w = build_world(session, clock.now())
        for key, chat_id in chats.items():
            tg.bind(w.session, w.m[key], chat_id)
        if bind_group:
            groups.bind(session, tg.chat(session, GRID1_GROUP), community_name="白庙社区", grid_name="第一网格", now=clock.now())
        issue = w.report("3栋楼道灯坏了")
        session.flush()
        ids = {key: m.id for key, m in w.m.items()}
        alert = enqueue(
            session,
            Outgoing(
                chat_id=tg.chat(session, chats["bh3"]), text=f"新问题 Q{issue.id}：3栋楼道灯坏了", kind="alert",
                member_id=ids["bh3"], ref=f"issue:{issue.id}",
                buttons=[[Button("受理", Action("q", "accept", issue.id)), Button("领办", Action("q", "claim", issue.id))]],
            ),
            now=clock.now(),
        )
        session.flush()
        return ids, issue.id, alert.id


def chat_of(db, chat_key: int) -> int:
    """A row's chat as Telegram names it."""
    with db.session() as session:
        return tg.telegram_chat(session, chat_key)


def members(db) -> dict[int, Member]:
    with db.session() as session:
        return {m.id: m for m in session.exec(select(Member)).all()}


def blocked(db, member_id: int) -> bool:
    """The member's account blocked the bot (marked by the sender), and no other reaches them."""
    with db.session() as session:
        return tg.unreachable(session, member_id)


@virtual
async def test_a_blocked_building_head_is_marked_and_the_grid_manager_gets_the_alert(db, clock, transport):
    ids, issue_id, alert_id = setup_world(db, clock)
    transport.block(CHAT["bh3"], Unreachable("Forbidden: bot was blocked by the user"))
    sender = make_sender(db, transport, clock)
    assert await sender.drain() == 1
    stored = rows(db)
    assert stored[alert_id].status == S.failed and "blocked" in stored[alert_id].last_error
    assert blocked(db, ids["bh3"])
    [replacement] = [r for r in stored.values() if r.id != alert_id]
    assert chat_of(db, replacement.chat_id) == CHAT["gm1"] and replacement.member_id == ids["gm1"]
    assert (replacement.text, replacement.buttons, replacement.kind, replacement.ref) == (
        stored[alert_id].text, stored[alert_id].buttons, "alert", f"issue:{issue_id}",
    )
    assert replacement.status == S.sent
    [delivery] = transport.deliveries
    assert delivery.chat == CHAT["gm1"]
    assert delivery.message.buttons[0][1].action == Action("q", "claim", issue_id)
    assert sender.stats.failed == 1 and sender.stats.rerouted == 1


@virtual
async def test_when_everyone_in_the_route_is_unreachable_the_grid_group_gets_it(db, clock, transport):
    ids, issue_id, alert_id = setup_world(db, clock, bind_group=True)
    for chat_id in CHAT.values():
        transport.block(chat_id, Unreachable("Forbidden: bot was blocked by the user"))
    sender = make_sender(db, transport, clock)
    await sender.drain()
    stored = list(rows(db).values())
    tried = [chat_of(db, r.chat_id) for r in stored]
    assert tried[0] == CHAT["bh3"] and tried[-1] == GRID1_GROUP
    assert len(tried) == len(set(tried))  # nobody twice: the chain ends
    assert [d.chat for d in transport.deliveries] == [GRID1_GROUP]
    assert all(r.status == S.failed for r in stored[:-1]) and stored[-1].status == S.sent
    marked = {key for key, mid in ids.items() if blocked(db, mid)}
    assert marked == {key for key in CHAT if CHAT[key] in tried}


@virtual
async def test_an_unreachable_group_marks_nobody_and_other_rows_are_not_rerouted(db, clock, transport):
    ids, _, alert_id = setup_world(db, clock)
    plain, in_group = add(
        db, clock,
        Outgoing(chat_id=CHAT["gm1"], text="你的积分 +5", kind="notice", member_id=ids["gm1"]),
        Outgoing(chat_id=-100999, text="群里的提醒", kind="alert", member_id=ids["leader"], ref="issue:999"),
    )
    transport.block(CHAT["gm1"], Unreachable("blocked"))
    transport.block(-100999, Unreachable("Forbidden: bot was kicked from the group chat"))
    sender = make_sender(db, transport, clock)
    with db.transaction() as session:  # only the two rows of this test
        session.get(OutboxMessage, alert_id).status = S.sent
    await sender.drain()
    stored = rows(db)
    assert stored[plain].status == S.failed and stored[in_group].status == S.failed
    assert blocked(db, ids["gm1"])  # a private chat: the member's
    assert not blocked(db, ids["leader"])  # a group: not the member's fault
    assert len(stored) == 3 and sender.stats.rerouted == 0


@virtual
async def test_a_failing_hook_does_not_lose_the_failed_mark(db, clock, transport):
    ids, _, alert_id = setup_world(db, clock)
    transport.block(CHAT["bh3"], Unreachable("blocked"))

    def broken(session, row, now):
        session.add(OutboxMessage(chat_id=tg.chat(session, 1), text="half-written"))
        session.flush()
        raise RuntimeError("hook bug")

    sender = make_sender(db, transport, clock, on_unreachable=broken)
    await sender.drain()
    stored = rows(db)
    assert stored[alert_id].status == S.failed and len(stored) == 1  # the hook's row rolled back
    assert blocked(db, ids["bh3"])
