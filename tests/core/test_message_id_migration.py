"""Migration 0014 on a database made by the schema before it (0013): message ids become text, the
processed updates are tagged with their platform, outbox mentions name account keys, a member's
unreachable mark moves to their account — nothing is lost, the downgrade gives the numbers back,
and the bot works on the result (a waiting message with a mention goes out linking the same
person, a re-delivered update is still skipped, a blocked member is still skipped by routing)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from sqlmodel import select

from bot.bootstrap import prepare
from bot.infra.config import Settings
from bot.infra.db import Database, alembic_config, make_engine, upgrade
from bot.issues import routing
from bot.outbox import RateLimiter, RateLimits, Sender
from bot.outbox.testing import FakeTransport, run_virtual
from bot.platforms.telegram.render import html
from bot.rich import bold, mention, rich
from bot.outbox.store import rich_of
from handlers.context import Context
from handlers.conversation import process_message
from handlers.types import Chat, Inbound, User
from models import (
    ChatAccount, HeldMessage, Issue, Member, OutboxMessage, PendingQuestion, ProcessedUpdate, ReportTrace, Wish,
)
from tests.conftest import fresh_pg_database
from tests.core.test_identity_migration import _insert

GROUP, GM, HEAD, RESIDENT, STRANGER = "-1001234567890", "8002", "8003", "9001", "7100009"
AT = datetime(2026, 11, 27, 1, 0)


def build_0013(url: str) -> dict[str, int]:
    """The schema at 0013 with a row in every table that held a message id as a number."""
    engine = make_engine(url)
    upgrade(engine, "0013")
    meta = sa.MetaData()
    meta.reflect(engine)
    ids: dict[str, int] = {}
    with engine.begin() as c:
        ins = lambda table, **kw: _insert(c, meta, table, **kw)  # noqa: E731
        cid = ins("community", code=1, name="白庙社区", district="掇刀区", created_at=AT)
        grid = ins("grid", community_id=cid, number=1, name="第一网格")
        building = ins("building", community_id=cid, grid_id=grid, number="3", code=3)
        ids["group"] = ins("chat", platform="telegram", external_id=GROUP, kind="group", title="阳光花园居民群")
        ins("chatgroup", chat_id=ids["group"], community_id=cid, grid_id=grid, title="阳光花园居民群", bound_at=AT)
        for key, number, name, role, extra in (
                ("gm", GM, "张网格", 3, {"grid_id": grid, "is_grid_manager": True, "unreachable": False}),
                ("head", HEAD, "朱红梅", 6, {"grid_id": grid, "building_id": building, "unreachable": True})):
            ids[key] = ins("member", number=f"3-001-01-000-000{len(ids)}", seq=len(ids), name=name, role=role,
                           community_id=cid, phone=f"1390000000{len(ids)}", status="active", created_at=AT,
                           updated_at=AT, **extra)
            chat = ins("chat", platform="telegram", external_id=number, kind="private", title="")
            ids[f"{key}_chat"] = chat
            ids[f"{key}_account"] = ins("chataccount", platform="telegram", external_id=number, member_id=ids[key],
                                        private_chat_id=chat, display_name=name, bound_at=AT)
        ids["resident_account"] = ins("chataccount", platform="telegram", external_id=RESIDENT, display_name="李四")
        resident = ins("resident", account_id=ids["resident_account"], display_name="李四", community_id=cid,
                       created_at=AT)
        ids["issue"] = ins("issue", community_id=cid, grid_id=grid, reporter_id=resident, text="3栋楼道灯坏了",
                           category="facility", status="reported", source_chat_id=ids["group"], source_message_id=41,
                           created_at=AT, updated_at=AT)
        ids["wish"] = ins("wish", community_id=cid, poster_id=resident, text="想请人帮忙买菜", category="errand",
                          status="posted", source_chat_id=ids["group"], source_message_id=7, created_at=AT,
                          updated_at=AT)
        # waiting to go to the grid manager: mentions of a known account and of one nobody has
        text = json.dumps(["请 ", {"mention": "李四", "account": int(RESIDENT)}, " 和 ",
                           {"mention": "王五", "account": int(STRANGER), "bold": True}, " 确认"], ensure_ascii=False)
        ids["alert"] = ins("outboxmessage", created_at=AT, chat_id=ids["gm_chat"], text=text, buttons="", request="",
                           kind="alert", priority=1, member_id=ids["gm"], status="pending", attempts=0,
                           next_attempt_at=AT, last_error="", reply_to_message_id=41)
        ids["card"] = ins("outboxmessage", created_at=AT, chat_id=ids["group"], text='["Q1 已受理"]', buttons="",
                          request="", kind="card", priority=0, edit_message_id=42, status="sent", attempts=1,
                          sent_message_id=42, last_error="")
        ids["question"] = ins("pendingquestion", chat_id=ids["group"], user_id=ids["resident_account"],
                              kind="resolve", payload='{"issue": 1, "chat": 1, "message": 43}',
                              question_message_id=44, created_at=AT, expires_at=datetime(2026, 11, 27, 2, 0))
        ins("reporttrace", community_id=cid, user_id=ids["resident_account"], chat_id=ids["group"], message_id=41,
            at=AT, fingerprint="3栋楼道灯坏了", marks="3栋", outcome="acted")
        bundle = ins("heldbundle", community_id=cid, grid_id=grid, user_id=ids["resident_account"],
                     sender_name="李四", chat_id=ids["group"], opened_at=AT, last_at=AT, count=1, status="held")
        ins("heldmessage", bundle_id=bundle, chat_id=ids["group"], message_id=45, text="又坏了", at=AT,
            status="held")
        ins("processedupdate", update_id=812345, at=AT)
        assert c.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0013"
    engine.dispose()
    return ids


def check_upgraded(db: Database, ids: dict[str, int]) -> None:
    with db.session() as s:
        alert, card = s.get(OutboxMessage, ids["alert"]), s.get(OutboxMessage, ids["card"])
        assert (alert.reply_to_message_id, card.edit_message_id, card.sent_message_id) == ("41", "42", "42")
        question = s.get(PendingQuestion, ids["question"])
        assert question.question_message_id == "44"
        assert json.loads(question.payload) == {"issue": 1, "chat": 1, "message": "43"}
        assert s.exec(select(ReportTrace.message_id)).one() == "41"
        assert s.exec(select(HeldMessage.message_id)).one() == "45"
        assert s.get(Issue, ids["issue"]).source_message_id == "41" and s.get(Wish, ids["wish"]).source_message_id == "7"
        assert [u.key for u in s.exec(select(ProcessedUpdate))] == ["telegram:812345"]
        # the mark is the account's now; the member row has none
        accounts = {a.external_id: a for a in s.exec(select(ChatAccount))}
        assert accounts[HEAD].unreachable and not accounts[GM].unreachable and not accounts[RESIDENT].unreachable
        assert "unreachable" not in Member.model_fields
        # mentions name account keys; the unknown id got an account of its own (nothing lost)
        stranger = accounts[STRANGER]
        assert (stranger.platform, stranger.member_id, stranger.display_name) == ("telegram", None, "王五")
        assert rich_of(alert.text) == rich("请 ", mention("李四", account=accounts[RESIDENT].id), " 和 ",
                                           bold(mention("王五", account=stranger.id)), " 确认")
        assert [m.account for m in rich_of(alert.text).mentions] == [accounts[RESIDENT].id, stranger.id]


def the_bot_still_works(db: Database, ids: dict[str, int], clock) -> None:
    transport = FakeTransport()
    sender = Sender(db, transport, clock=clock, limiter=RateLimiter(RateLimits.off()), offload_db=False)
    assert run_virtual(sender.drain()) == 1
    [delivered] = transport.deliveries
    message = delivered.message
    assert (message.external_chat_id, message.reply_to_message_id) == (GM, "41")
    # rendered for Telegram, it links the same two people as before
    assert html(message.text, message.mention_id) == (
        f'请 <a href="tg://user?id={RESIDENT}">李四</a> 和 <b><a href="tg://user?id={STRANGER}">王五</a></b> 确认')
    with db.session() as s:
        assert s.get(OutboxMessage, ids["alert"]).sent_message_id == delivered.message_id == "1001"
        # the building head blocked the bot: routing passes him by, the grid manager is named
        named = routing.members_at(s, "building_head", community_id=1, grid_id=1, building_id=1)
        assert named == []
        assert [m.id for m in routing.members_at(s, "grid_manager", community_id=1, grid_id=1, building_id=1)] == [
            ids["gm"]]
    # Telegram delivers update 812345 again: it was handled before the upgrade, and is skipped
    from handlers import build_conversation

    with db.transaction() as s:
        ctx = Context(session=s, now=clock.now(), settings=Settings(_env_file=None))
        msg = Inbound(chat=Chat(ids["group"], "group", "阳光花园居民群"), user=User(ids["resident_account"], "李四"),
                      message_id="46", text="你好", at=clock.now(), update_id="telegram:812345")
        assert process_message(build_conversation(), s, ctx, msg) is None


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_database_of_0013_upgrades_without_loss_and_the_bot_runs_on_it(backend, tmp_path, clock):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
        _run(url, clock)
    else:
        with fresh_pg_database("hgj_mig14") as url:
            _run(url, clock)


def _run(url: str, clock) -> None:
    ids = build_0013(url)
    db = prepare(url)  # what the bot does when it starts: upgrade, then the default rules
    try:
        check_upgraded(db, ids)
        the_bot_still_works(db, ids, clock)
    finally:
        db.dispose()


def test_the_downgrade_gives_the_numbers_back(tmp_path):
    from alembic import command

    url = f"sqlite:///{tmp_path / 'old.db'}"
    ids = build_0013(url)
    engine = make_engine(url)
    upgrade(engine)
    command.downgrade(alembic_config(engine), "0013")
    with engine.connect() as c:
        q = lambda sql: c.execute(sa.text(sql)).all()  # noqa: E731
        assert q(f"SELECT reply_to_message_id FROM outboxmessage WHERE id = {ids['alert']}") == [(41,)]
        assert q(f"SELECT edit_message_id, sent_message_id FROM outboxmessage WHERE id = {ids['card']}") == [(42, 42)]
        assert q("SELECT question_message_id, payload FROM pendingquestion") == [
            (44, '{"issue":1,"chat":1,"message":43}')]
        assert q("SELECT message_id FROM reporttrace") == [(41,)] and q("SELECT message_id FROM heldmessage") == [(45,)]
        assert q("SELECT source_message_id FROM issue") == [(41,)] and q("SELECT source_message_id FROM wish") == [(7,)]
        assert q("SELECT update_id FROM processedupdate") == [(812345,)]
        assert q("SELECT id, unreachable FROM member ORDER BY id") == [(ids["gm"], 0), (ids["head"], 1)]
        text = json.loads(q(f"SELECT text FROM outboxmessage WHERE id = {ids['alert']}")[0][0])
        assert [item.get("account") for item in text if isinstance(item, dict)] == [int(RESIDENT), int(STRANGER)]
    upgrade(engine)  # and up again: the same as the first time
    engine.dispose()
    db = Database(url)
    try:
        check_upgraded(db, ids)
    finally:
        db.dispose()
