"""Migration 0012 on a database made by the schema before it (0010): every Telegram id stored
anywhere becomes a chat or chat account row and the columns hold their keys, nothing is lost,
and the bot works on the result — a report from the bound group reaches the bound grid manager,
a message that was waiting in the outbox is delivered to the same person."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, time, timezone

import pytest
import sqlalchemy as sa
from sqlmodel import select

from bot.bootstrap import prepare
from bot.infra.db import Database, alembic_config, make_engine, upgrade
from bot.outbox import RateLimiter, RateLimits, Sender
from bot.outbox.testing import FakeTransport, run_virtual
from models import (
    BindAttempt, ChatAccount, ChatGroup, CheckIn, FailedUpdate, HeldBundle, HeldMessage, Invitation, Issue,
    Member, MemberEvent, OutboxMessage, PendingQuestion, PlatformChat, ReportTrace, Resident, Wish,
)

GROUP, OFFICE, GM, RESIDENT, STRANGER = -1001234567890, 8001, 8002, 9001, 9555
AT = datetime(2026, 11, 27, 1, 0)


def _insert(conn, meta: sa.MetaData, table: str, **values) -> int | None:
    """A row with the given values; other required columns get a plain empty value."""
    t = meta.tables[table]
    for col in t.columns:
        if col.name in values or col.nullable or col.primary_key and col.autoincrement:
            continue
        if col.server_default is not None:
            continue
        py = col.type.python_type if not isinstance(col.type, sa.types.TypeDecorator) else datetime
        values[col.name] = {int: 0, str: "", bool: False, float: 0.0, datetime: AT}.get(py, "")
    result = conn.execute(t.insert().values(**values))
    return result.inserted_primary_key[0] if result.inserted_primary_key else None


def build_0010(url: str) -> dict[str, int]:
    """The schema at revision 0010 with a row in every table that stored a Telegram id."""
    engine = make_engine(url)
    upgrade(engine, "0010")
    meta = sa.MetaData()
    meta.reflect(engine)
    ids: dict[str, int] = {}
    with engine.begin() as c:
        ins = lambda table, **kw: _insert(c, meta, table, **kw)  # noqa: E731
        cid = ins("community", code=1, name="白庙社区", district="掇刀区", created_at=AT)
        grid = ins("grid", community_id=cid, number=1, name="第一网格")
        compound = ins("compound", community_id=cid, name="阳光花园")
        ins("building", community_id=cid, grid_id=grid, compound_id=compound, number="3", code=3)
        ids["office"] = ins("member", number="3-001-00-000-0001", seq=1, name="王主任", role=3, community_id=cid,
                            phone="13900000001", chat_user_id=OFFICE, is_office_admin=True, status="active",
                            created_at=AT, updated_at=AT)
        ids["gm"] = ins("member", number="3-001-01-000-0002", seq=2, name="张网格", role=3, community_id=cid,
                        grid_id=grid, phone="13900000002", chat_user_id=GM, is_grid_manager=True, status="active",
                        created_at=AT, updated_at=AT)
        ids["vol"] = ins("member", number="5-001-01-000-0003", seq=3, name="赵志愿", role=5, community_id=cid,
                         grid_id=grid, phone="13900000003", status="active", created_at=AT, updated_at=AT)
        for key, uid in (("office", OFFICE), ("gm", GM)):
            ins("resident", chat_user_id=uid, display_name=key, community_id=cid, member_id=ids[key], created_at=AT)
        ids["resident"] = ins("resident", chat_user_id=RESIDENT, display_name="李四", community_id=cid, created_at=AT)
        ins("chatgroup", chat_id=GROUP, community_id=cid, grid_id=grid, compound_id=compound, title="阳光花园居民群",
            bound_by_id=ids["office"], bound_at=AT)
        ids["issue"] = ins("issue", community_id=cid, grid_id=grid, reporter_id=ids["resident"], text="3栋楼道灯坏了",
                           category="facility", status="resolved", source_chat_id=GROUP, source_message_id=41,
                           resolution_photo="AgACAgUAAxkBAAIBRESOLVED", created_at=AT, updated_at=AT)
        ids["wish"] = ins("wish", community_id=cid, poster_id=ids["resident"], text="想请人帮忙买菜", category="errand",
                          status="posted", source_chat_id=RESIDENT, source_message_id=7, created_at=AT, updated_at=AT)
        ids["alert"] = ins("outboxmessage", created_at=AT, chat_id=GM, text="🔔 <b>新问题 Q1</b> 3栋楼道灯坏了",
                           buttons="", request="", kind="alert", priority=1, member_id=ids["gm"], status="pending",
                           attempts=0, next_attempt_at=AT, last_error="", photo="AgACAgUAAxkBAAIBOUTBOX")
        ids["group_note"] = ins("outboxmessage", created_at=AT, chat_id=GROUP, text="已记录 Q1", buttons="",
                                request="", kind="reply", priority=0, reply_to_message_id=41, status="sent",
                                attempts=1, sent_message_id=42, last_error="")
        ids["question"] = ins("pendingquestion", chat_id=GROUP, user_id=RESIDENT, kind="place",
                              payload='{"text": "楼道灯坏了", "message_id": 43}', question_message_id=44,
                              created_at=AT, expires_at=datetime(2026, 11, 27, 2, 0))
        ins("invitation", code_hash="h" * 64, member_id=ids["gm"], created_by_id=ids["office"], created_at=AT,
            expires_at=AT, used_at=AT, used_by_chat_user_id=GM)
        ins("bindattempt", chat_user_id=STRANGER, at=AT, how="phone", reason="no_match")
        ins("memberevent", member_id=ids["gm"], kind="bind", how="invitation", chat_user_id=GM, by_id=ids["office"],
            at=datetime(2026, 11, 20, 3, 0), note="")
        ins("reporttrace", community_id=cid, user_id=RESIDENT, chat_id=GROUP, message_id=41, at=AT,
            fingerprint="3栋楼道灯坏了", marks="3栋", outcome="acted")
        bundle = ins("heldbundle", community_id=cid, grid_id=grid, user_id=STRANGER, sender_name="刷屏者",
                     chat_id=GROUP, opened_at=AT, last_at=AT, count=1, status="held")
        ins("heldmessage", bundle_id=bundle, chat_id=GROUP, message_id=45, text="又坏了又坏了", at=AT, status="held")
        ins("checkin", key="dual:3:2026-11-27", kind="dual", member_id=ids["vol"], community_id=cid, at=AT,
            photo="AgACAgUAAxkBAAIBCHECKIN", note="")
        ins("failedupdate", update_id=777, at=AT, platform="telegram", chat_id=GROUP, raw="{}", error="boom",
            attempts=1)
        assert c.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0010"
    engine.dispose()
    return ids


def _chat(s, key: int | None) -> tuple[str, str, str] | None:
    if key is None:
        return None
    row = s.get(PlatformChat, key)
    return row.platform, row.external_id, row.kind


def _account(s, key: int | None) -> str | None:
    return None if key is None else s.get(ChatAccount, key).external_id


def check_upgraded(db: Database, ids: dict[str, int]) -> None:
    with db.session() as s:
        # every id became a row: groups are groups, people's chats private, with the group's title
        chats = {(c.external_id, c.kind, c.title) for c in s.exec(select(PlatformChat))}
        assert (str(GROUP), "group", "阳光花园居民群") in chats
        assert {(str(u), "private", "") for u in (OFFICE, GM, RESIDENT, STRANGER)} <= chats
        accounts = {a.external_id: a for a in s.exec(select(ChatAccount))}
        assert set(accounts) == {str(u) for u in (OFFICE, GM, RESIDENT, STRANGER)}
        assert all(a.platform == "telegram" for a in accounts.values())
        gm = accounts[str(GM)]
        assert gm.member_id == ids["gm"] and accounts[str(OFFICE)].member_id == ids["office"]
        assert accounts[str(RESIDENT)].member_id is None and accounts[str(STRANGER)].member_id is None
        assert _chat(s, gm.private_chat_id) == ("telegram", str(GM), "private")
        assert gm.bound_at == datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)
        assert accounts[str(RESIDENT)].display_name == "李四"
        assert s.exec(select(Member).where(Member.id == ids["vol"])).one().name == "赵志愿"
        # what referred to them refers to the rows now
        group = s.exec(select(ChatGroup)).one()
        assert _chat(s, group.chat_id) == ("telegram", str(GROUP), "group") and group.title == "阳光花园居民群"
        resident = s.get(Resident, ids["resident"])
        assert _account(s, resident.account_id) == str(RESIDENT) and resident.display_name == "李四"
        alert = s.get(OutboxMessage, ids["alert"])
        assert _chat(s, alert.chat_id) == ("telegram", str(GM), "private")
        assert (alert.status, alert.member_id, alert.photo) == ("pending", ids["gm"], "telegram:AgACAgUAAxkBAAIBOUTBOX")
        note = s.get(OutboxMessage, ids["group_note"])
        assert _chat(s, note.chat_id)[1] == str(GROUP) and note.sent_message_id == "42"
        question = s.get(PendingQuestion, ids["question"])
        assert (_chat(s, question.chat_id)[1], _account(s, question.user_id)) == (str(GROUP), str(RESIDENT))
        # message ids are text since 0014, in the payload too
        assert json.loads(question.payload) == {"text": "楼道灯坏了", "message_id": "43"}
        assert question.question_message_id == "44"
        invitation = s.exec(select(Invitation)).one()
        assert _account(s, invitation.used_by_account_id) == str(GM)
        assert _account(s, s.exec(select(BindAttempt)).one().account_id) == str(STRANGER)
        event = s.exec(select(MemberEvent)).one()
        assert (_account(s, event.account_id), event.member_id, event.how) == (str(GM), ids["gm"], "invitation")
        trace = s.exec(select(ReportTrace)).one()
        assert (_account(s, trace.user_id), _chat(s, trace.chat_id)[1], trace.message_id) == (str(RESIDENT), str(GROUP), "41")
        bundle = s.exec(select(HeldBundle)).one()
        assert (_account(s, bundle.user_id), _chat(s, bundle.chat_id)[1], bundle.sender_name) == (
            str(STRANGER), str(GROUP), "刷屏者")
        held = s.exec(select(HeldMessage)).one()
        assert (_chat(s, held.chat_id)[1], held.message_id, held.text) == (str(GROUP), "45", "又坏了又坏了")
        issue = s.get(Issue, ids["issue"])
        assert _chat(s, issue.source_chat_id)[1] == str(GROUP) and issue.source_message_id == "41"
        assert issue.resolution_photo == "telegram:AgACAgUAAxkBAAIBRESOLVED"
        wish = s.get(Wish, ids["wish"])
        assert _chat(s, wish.source_chat_id) == ("telegram", str(RESIDENT), "private")
        assert s.exec(select(CheckIn)).one().photo == "telegram:AgACAgUAAxkBAAIBCHECKIN"
        assert _chat(s, s.exec(select(FailedUpdate)).one().chat_id)[1] == str(GROUP)


def the_bot_still_works(db: Database, clock, conversation, parser) -> None:
    """The waiting alert goes out to the grid manager's Telegram chat; a new report in the
    bound group is answered there and reaches the same grid manager privately."""
    from tests.chat.harness import ChatWorld

    transport = FakeTransport()
    sender = Sender(db, transport, clock=clock, limiter=RateLimiter(RateLimits.off()), offload_db=False)
    assert run_virtual(sender.drain()) == 1
    [delivered] = transport.deliveries
    assert (delivered.message.platform, delivered.message.external_chat_id) == ("telegram", str(GM))
    assert delivered.message.photo == "telegram:AgACAgUAAxkBAAIBOUTBOX"
    with db.session() as s:
        assert all(r.status == "sent" for r in s.exec(select(OutboxMessage)))

    world = ChatWorld(db, clock, conversation, parser)
    try:
        world.names.update({RESIDENT: "李四", GM: "张网格"})
        out = world.say(RESIDENT, GROUP, "3栋3单元门口的路灯坏了，晚上很黑")
        assert any(m.chat_id == GROUP and "Q" in m.text for m in out), [(m.chat_id, m.text) for m in out]
        cards = [m for m in out if m.chat_id == GM]
        # the question that waited in the group ran out: its report is filed and routed too
        assert any("楼道灯坏了" in m.text for m in cards), [m.text for m in out]
        card = next(m for m in cards if "路灯" in m.text)
        assert "李四" in card.text and "受理" in card.labels
    finally:
        if world.probe is not None:
            world.probe.close()


@pytest.fixture
def chat_parts():
    from handlers import build_conversation
    from handlers.understanding import get_parser

    return build_conversation(), get_parser()


def test_the_downgrade_gives_the_telegram_ids_back(tmp_path):
    from alembic import command

    url = f"sqlite:///{tmp_path / 'old.db'}"
    ids = build_0010(url)
    engine = make_engine(url)
    upgrade(engine)
    command.downgrade(alembic_config(engine), "0010")
    with engine.connect() as c:
        assert c.execute(sa.text("SELECT chat_user_id FROM member ORDER BY id")).scalars().all() == [OFFICE, GM, None]
        assert c.execute(sa.text("SELECT chat_id, user_id FROM pendingquestion")).one() == (GROUP, RESIDENT)
        assert c.execute(sa.text("SELECT resolution_photo FROM issue")).scalar() == "AgACAgUAAxkBAAIBRESOLVED"
    upgrade(engine)  # and up again: the same as the first time
    engine.dispose()
    db = Database(url)
    try:
        check_upgraded(db, ids)
    finally:
        db.dispose()


def test_sqlite_database_of_0010_upgrades_without_loss(tmp_path, clock, chat_parts):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    ids = build_0010(url)
    db = prepare(url)  # what the bot does when it starts: upgrade, then the default rules
    try:
        check_upgraded(db, ids)
        the_bot_still_works(db, clock, *chat_parts)
    finally:
        db.dispose()


@pytest.mark.postgres
def test_postgres_database_of_0010_upgrades_without_loss(pg_url, clock, chat_parts):
    import psycopg2

    name = f"hgj_mig_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="test")
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
    db = None
    try:
        ids = build_0010(url)
        db = prepare(url)
        check_upgraded(db, ids)
        the_bot_still_works(db, clock, *chat_parts)
    finally:
        if db is not None:
            db.dispose()
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
