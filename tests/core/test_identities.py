"""Chat accounts and chats (``bot.identities``): a platform's ids map to keys once, a member may
hold an account on each platform and binds each with its own proof, files carry their platform,
and a chat of one platform is never handed to another's transport."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot import identities
from bot.members import binding
from bot.outbox import PermanentError
from bot.outbox.transport import OutboundMessage
from models import ChatAccount, MemberEvent, OutboxMessage, PlatformChat
from tests import ids
from tests.factories import build_world


@pytest.fixture
def w(db, clock):
    with db.transaction() as session:
        world = build_world(session, clock.now())
        ids.bind(session, world.m["office"], 8001)
        ids.bind(session, world.m["gm1"], 8002)
        yield world


def test_a_platform_id_maps_to_one_key_and_the_same_number_elsewhere_is_someone_else(w):
    s = w.session
    first = identities.resolve_account(s, "telegram", "5001", name="李四", private_chat="5001")
    again = identities.resolve_account(s, "telegram", 5001, name="李四（改名）")
    other = identities.resolve_account(s, "wecom", "5001", name="李四")
    assert first.id == again.id != other.id
    assert again.display_name == "李四（改名）"  # the name follows the platform's
    assert first.private_chat_id is not None and first.private_chat_id != first.id  # keys of two tables
    assert identities.chat(s, first.private_chat_id).kind == "private"
    group = identities.resolve_chat(s, "telegram", "-1005", kind="group", title="居民群")
    renamed = identities.resolve_chat(s, "telegram", "-1005", kind="group", title="阳光花园居民群")
    assert group.id == renamed.id and renamed.title == "阳光花园居民群"
    assert identities.destination(s, group.id) == identities.Destination("telegram", "-1005", "group")


@pytest.mark.parametrize("platform, external, kind", [
    ("telegram", "", "group"), ("telegram", "x" * 65, "group"), ("qq", "1", "group"), ("telegram", "1", "channel"),
])
def test_nonsense_ids_are_refused(w, platform, external, kind):
    with pytest.raises(ValueError):
        identities.resolve_chat(w.session, platform, external, kind=kind)
    assert w.session.exec(select(PlatformChat).where(PlatformChat.external_id == external)).first() is None


def test_a_member_binds_an_account_on_each_platform_with_its_own_proof(w):
    s, member = w.session, w.m["volunteer"]
    tg = ids.account(s, 9001)
    wecom = identities.resolve_account(s, "wecom", "zhangsan", name="张三", private_chat="zhangsan").id
    assert binding.bind_by_contact(s, tg, phone=member.phone, owner_id=tg, now=w.now).status == "bound"
    # the same member on WeCom, with WeCom's proof: a second account, not a replacement
    assert binding.bind_by_contact(s, wecom, phone=member.phone, owner_id=wecom, now=w.now).status == "bound"
    assert {a.platform for a in identities.accounts_of(s, member)} == {"telegram", "wecom"}
    assert identities.member_of(s, tg).id == identities.member_of(s, wecom).id == member.id
    # a second Telegram account for the same member is refused (one account per platform)
    other_tg = ids.account(s, 9002)
    assert binding.bind_by_contact(s, other_tg, phone=member.phone, owner_id=other_tg, now=w.now).status == "refused"
    assert ids.member_telegram_id(s, member) == 9001
    # unbinding ends every account of the member, each recorded and each told
    done = binding.unbind(s, member, by=w.m["office"], how="office", now=w.now)
    assert identities.accounts_of(s, member) == [] and done.account_id in (tg, wecom)
    events = s.exec(select(MemberEvent).where(MemberEvent.member_id == member.id, MemberEvent.kind == "unbind")).all()
    assert {e.account_id for e in events} == {tg, wecom}
    told = {r.chat_id for r in s.exec(select(OutboxMessage).where(OutboxMessage.text.contains("解绑"))).all()}
    assert {identities.private_chat_of_account(s, tg), identities.private_chat_of_account(s, wecom)} <= told


def test_a_member_is_reached_where_they_bound_last(w, clock):
    assert identities.private_chat(w.session, w.m["volunteer"]) is None  # no account: nowhere
    s, member, _tg, wecom = _on_both_platforms(w, clock)
    assert identities.private_chat(s, member) == wecom.private_chat_id


def _on_both_platforms(w, clock):
    """The volunteer with a Telegram account (bound first) and a WeCom one (bound a day later)."""
    s, member = w.session, w.m["volunteer"]
    ids.bind(s, member, 9001)
    tg = identities.account_of(s, member, "telegram")
    tg.bound_at = w.now
    wecom = identities.resolve_account(s, "wecom", "zs", private_chat="zs")
    wecom.member_id, wecom.bound_at = member.id, w.now + timedelta(days=1)
    s.add_all([tg, wecom])
    s.flush()
    return s, member, tg, wecom


def test_a_member_who_blocked_the_bot_on_one_platform_is_reached_on_the_other(w, clock):
    from bot.members.address import address, private_chat

    s, member, tg, wecom = _on_both_platforms(w, clock)
    group_of = lambda m: 4242  # noqa: E731 — their grid's group, when nothing private reaches them
    assert address(s, member, group_of) == (wecom.private_chat_id, False)
    # WeCom refused a private message: that account is marked, the Telegram one still reaches them
    assert identities.blocked(s, wecom.private_chat_id) == 1
    s.refresh(wecom)
    assert wecom.unreachable and not tg.unreachable
    assert private_chat(s, member) == tg.private_chat_id and address(s, member, group_of) == (tg.private_chat_id, False)
    assert not identities.is_blocked(s, member) and identities.reachable_member_ids(s, [member.id]) == {member.id}
    # and on Telegram too: only the group is left, and routing passes them by
    identities.blocked(s, tg.private_chat_id)
    s.refresh(tg)
    assert address(s, member, group_of) == (4242, True) and identities.is_blocked(s, member)
    assert identities.reachable_member_ids(s, [member.id]) == set()
    # writing to the bot on WeCom again makes that account reachable, and only that one
    assert identities.wrote_in_private(s, wecom.id) and not identities.wrote_in_private(s, wecom.id)
    s.refresh(wecom)
    assert address(s, member, group_of) == (wecom.private_chat_id, False) and tg.unreachable


def test_a_mention_is_resolved_to_the_account_on_the_platform_the_message_goes_to(w, clock):
    s, member, tg, wecom = _on_both_platforms(w, clock)
    resident = identities.resolve_account(s, "telegram", "7100002", name="李四")  # no member: Telegram only
    whos = [(tg.id, member.id), (tg.id, None), (None, member.id), (resident.id, None), (None, None), (99999, None)]
    assert identities.mention_ids(s, "telegram", whos) == {
        (tg.id, member.id): "9001", (tg.id, None): "9001", (None, member.id): "9001", (resident.id, None): "7100002"}
    # on WeCom the same mentions name the member's WeCom account; the resident has none there
    assert identities.mention_ids(s, "wecom", whos) == {
        (tg.id, member.id): "zs", (tg.id, None): "zs", (None, member.id): "zs"}
    assert identities.mention_ids(s, "telegram", []) == {}


def test_files_carry_their_platform(w):
    assert identities.file_ref("telegram", "AgAC") == "telegram:AgAC"
    assert identities.file_id("telegram:AgAC", "telegram") == "AgAC"
    assert identities.file_id("wecom:media-1", "telegram") is None  # Telegram cannot send WeCom's file
    assert identities.file_id("AgAC", "telegram") is None and identities.file_ref("telegram", None) is None


async def test_the_telegram_transport_refuses_another_platforms_chat_and_file():
    from aiogram import Bot

    from bot.platforms.telegram.transport import TelegramTransport

    transport = TelegramTransport(Bot("123456:TEST"))
    message = OutboundMessage(id=1, chat_id=7, text="hi", platform="wecom", external_chat_id="room-1",
                              chat_kind="group")
    with pytest.raises(PermanentError, match="not a Telegram chat"):
        await transport.send(message)  # refused before any request: dead, not retried
    await transport.bot.session.close()


def test_an_account_another_process_added_meanwhile_is_read_not_doubled(any_db):
    """Two updates of a new person at once: the later insert meets the unique key inside a
    savepoint and reads the other's row, and the update goes on (no failed update, no second row)."""

    class MissesOnce:  # this process looked before the other one's row was committed
        def __init__(self, session):
            self.session, self.looks = session, 0

        def exec(self, query):
            self.looks += 1
            if self.looks == 1:
                return type("Nothing", (), {"first": lambda self: None})()
            return self.session.exec(query)

        def __getattr__(self, name):
            return getattr(self.session, name)

    with any_db.transaction() as s:
        theirs = identities.resolve_account(s, "telegram", "424242")
        mine, added = identities._get_or_add(MissesOnce(s), ChatAccount, "telegram", "424242", display_name="")
        assert (mine.id, added) == (theirs.id, False)
        s.add(OutboxMessage(chat_id=ids.chat(s, 424242), text="the transaction still works"))
    with any_db.session() as s:
        assert len(s.exec(select(ChatAccount).where(ChatAccount.external_id == "424242")).all()) == 1


def test_a_new_person_another_process_added_meanwhile_is_read_not_doubled(any_db):
    """The adapters' short way to a key (``account_key``): this update looked before the other
    update's rows of the same new person were committed; its inserts meet the unique keys, it
    reads their rows, and the update goes on — one account, one private chat."""

    class MissesFirstLook:
        def __init__(self, session):
            self.session, self.looks = session, 0

        def connection(self):
            conn = self.session.connection()
            outer = self

            class Conn:
                dialect = conn.dialect

                def execute(self, stmt, params=None):
                    if outer.looks == 0 and str(stmt).startswith("SELECT"):
                        outer.looks += 1
                        return conn.execute(stmt, {**params, "external": "never-seen"})
                    return conn.execute(stmt, params)

            return Conn()

        def __getattr__(self, name):
            return getattr(self.session, name)

    with any_db.transaction() as s:
        theirs = identities.resolve_account(s, "telegram", "434343", name="新邻居", private_chat="434343")
        s.flush()
        mine = identities.account_key(MissesFirstLook(s), "telegram", "434343", name="新邻居", private_chat="434343")
        assert mine == theirs.id
        s.add(OutboxMessage(chat_id=ids.chat(s, 434343), text="the transaction still works"))
    with any_db.session() as s:
        assert len(s.exec(select(ChatAccount).where(ChatAccount.external_id == "434343")).all()) == 1
        assert len(s.exec(select(PlatformChat).where(PlatformChat.external_id == "434343")).all()) == 1
        assert s.exec(select(ChatAccount).where(ChatAccount.external_id == "434343")).one().private_chat_id \
            == theirs.private_chat_id
