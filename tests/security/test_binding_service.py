"""The core of binding (``bot.members.binding``): proof by one's own phone or a one-time
invitation, one answer for every failure, a limit per account, events, notices, unbinding."""

from __future__ import annotations

from tests.rendered import html_of
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.members import logins as access
from bot.infra.errors import InvalidInput, NotAllowed
from bot.members import binding
from models import BindAttempt, Invitation, MemberEvent, MemberStatus, OutboxMessage, OutboxStatus
from tests.factories import build_world
from tests import ids

ME = 9001


@pytest.fixture
def w(db, clock):
    with db.transaction() as session:
        world = build_world(session, clock.now())
        for key in ("office", "gm1", "gm2"):  # the watchers have chat accounts (others stay unbound)
            ids.bind(world.session, world.m[key], {"office": 8001, "gm1": 8002, "gm2": 8003}[key])
        session.flush()
        yield world


def notices(w) -> dict[int, list[str]]:
    rows = w.session.exec(select(OutboxMessage).where(OutboxMessage.kind == "notice")).all()
    out: dict[int, list[str]] = {}
    for row in rows:
        out.setdefault(ids.telegram_chat(w.session, row.chat_id), []).append(html_of(row))
    return out


def test_ones_own_phone_binds_in_any_spelling_and_is_recorded_and_told(w):
    member = w.m["volunteer"]  # 第一网格
    spelled = f"+86 {member.phone[:3]}-{member.phone[3:7]} {member.phone[7:]}"
    outcome = binding.bind_by_contact(w.session, ids.account(w.session, ME), phone=spelled, owner_id=ids.account(w.session, ME), display_name="志愿者", now=w.now)
    assert outcome.status == "bound" and ids.member_telegram_id(w.session, member) == ME
    (event,) = w.session.exec(select(MemberEvent)).all()
    assert (event.kind, event.how, ids.telegram_user(w.session, event.account_id), event.member_id) == ("bind", "phone", ME, member.id)
    told = notices(w)
    assert set(told) == {8001, 8002}  # the office and the grid's manager, not the other grid's
    assert member.number in told[8001][0] and "本人分享登记手机号" in told[8001][0]
    again = binding.bind_by_contact(w.session, ids.account(w.session, ME), phone=member.phone, owner_id=ids.account(w.session, ME), now=w.now)
    assert again.status == "already" and again.member.id == member.id


@pytest.mark.parametrize("case", ["forwarded", "no_owner", "unknown_phone", "not_a_phone", "left", "taken"])
def test_every_failed_contact_reads_the_same_and_counts(w, case):
    member = w.m["volunteer"]
    phone, owner = member.phone, ME
    if case == "forwarded":
        owner = 4242  # someone else's card: Telegram names its account
    elif case == "no_owner":
        owner = None
    elif case == "unknown_phone":
        phone = "13999999999"
    elif case == "not_a_phone":
        phone = "12345"
    elif case == "left":
        member.status = MemberStatus.left
    elif case == "taken":
        ids.bind(w.session, member, 7777)
    outcome = binding.bind_by_contact(w.session, ids.account(w.session, ME), phone=phone, owner_id=ids.account(w.session, owner) if owner is not None else None, now=w.now)
    assert outcome.status == "refused" and outcome.member is None
    assert binding.failures(w.session, ids.account(w.session, ME), now=w.now) == 1
    if case == "taken":  # the phone's verified owner asks for a number bound elsewhere: the office looks
        assert "已绑定其他账号" in notices(w)[8001][0] and 8002 not in notices(w)
    else:
        assert notices(w) == {}
        assert ids.member_telegram_id(w.session, member) is None


def test_five_failures_an_hour_then_not_even_the_right_phone_is_checked(w, clock):
    member = w.m["volunteer"]
    for i in range(binding.MAX_FAILURES):
        assert binding.bind_by_code(w.session, ids.account(w.session, ME), f"guess{i}", now=w.now).status == "refused"
    assert binding.bind_by_contact(w.session, ids.account(w.session, ME), phone=member.phone, owner_id=ids.account(w.session, ME), now=w.now).status == "limited"
    assert ids.member_telegram_id(w.session, member) is None
    assert len(w.session.exec(select(BindAttempt)).all()) == 5  # a limited try writes nothing
    later = w.now + binding.FAILURE_WINDOW + timedelta(seconds=1)
    assert binding.bind_by_contact(w.session, ids.account(w.session, ME), phone=member.phone, owner_id=ids.account(w.session, ME), now=later).status == "bound"


def test_an_invitation_binds_once_within_seven_days(w):
    member = w.m["bh3"]
    issued = binding.create_invitation(w.session, member, by=w.m["office"], now=w.now)
    assert len(issued.code) <= 64 and issued.code not in str(issued.invitation.model_dump())
    assert issued.link("hgj_demo_bot") == f"https://t.me/hgj_demo_bot?start={issued.code}"
    assert binding.bind_by_code(w.session, ids.account(w.session, ME), issued.code, now=w.now).status == "bound"
    assert ids.member_telegram_id(w.session, member) == ME
    event = w.session.exec(select(MemberEvent)).one()
    assert (event.how, event.by_id) == ("invitation", w.m["office"].id)
    assert binding.bind_by_code(w.session, ids.account(w.session, 9002), issued.code, now=w.now).status == "refused"  # used


def test_an_expired_or_replaced_invitation_binds_nobody(w):
    member = w.m["bh3"]
    old = binding.create_invitation(w.session, member, by=None, now=w.now)
    new = binding.create_invitation(w.session, member, by=None, now=w.now)
    assert new.revoked == 1
    assert binding.bind_by_code(w.session, ids.account(w.session, ME), old.code, now=w.now).status == "refused"
    late = w.now + binding.INVITATION_LIFETIME + timedelta(minutes=1)
    assert binding.bind_by_code(w.session, ids.account(w.session, ME), new.code, now=late).status == "refused"
    assert ids.member_telegram_id(w.session, member) is None
    assert [a.reason for a in w.session.exec(select(BindAttempt).order_by(BindAttempt.id))] == ["revoked", "expired"]


def test_who_may_invite(w):
    with pytest.raises(NotAllowed):
        binding.create_invitation(w.session, w.m["volunteer"], by=w.m["gm2"], now=w.now)  # another grid
    with pytest.raises(NotAllowed):
        binding.create_invitation(w.session, w.m["volunteer"], by=w.m["outsider"], now=w.now)  # other office
    with pytest.raises(NotAllowed):
        binding.create_invitation(w.session, w.m["volunteer"], by=w.m["bh3"], now=w.now)
    assert binding.create_invitation(w.session, w.m["volunteer"], by=w.m["gm1"], now=w.now).code
    with pytest.raises(InvalidInput, match="已绑定"):
        binding.create_invitation(w.session, w.m["gm1"], by=w.m["office"], now=w.now)


def test_unbinding_ends_logins_drops_waiting_messages_and_is_told(w):
    from bot.outbox import enqueue
    from bot.messages import Outgoing

    member = w.m["volunteer"]
    binding.bind_by_contact(w.session, ids.account(w.session, ME), phone=member.phone, owner_id=ids.account(w.session, ME), now=w.now)
    token = access.issue_login(w.session, member, now=w.now)
    waiting = enqueue(w.session, Outgoing(chat_id=ids.chat(w.session, ME), text="alert", kind="alert", member_id=member.id), now=w.now)
    with pytest.raises(NotAllowed):
        binding.unbind(w.session, member, by=w.m["gm1"], how="office", now=w.now)
    done = binding.unbind(w.session, member, by=w.m["office"], how="office", now=w.now)
    assert ids.member_telegram_id(w.session, member) is None and done.logins_revoked == 1 and done.messages_dropped == 1
    assert access.member_for_token(w.session, token, now=w.now) is None
    assert waiting.status == OutboxStatus.dead
    kinds = [(e.kind, e.how, e.by_id) for e in w.session.exec(select(MemberEvent).order_by(MemberEvent.id))]
    assert kinds == [("bind", "phone", None), ("unbind", "office", w.m["office"].id)]
    told = notices(w)
    assert any("已解绑" in t for t in told[8002]) and any("解绑" in t for t in told[ME])
    assert not any("已解绑" in t for t in told.get(8001, []))  # the office admin did it herself
    with pytest.raises(InvalidInput, match="没有绑定"):
        binding.unbind(w.session, member, by=None, how="cli", now=w.now)


def test_leaving_ends_logins_and_invitations_at_once(w):
    member, unbound = w.m["gm1"], w.m["bh3"]
    token = access.issue_login(w.session, member, now=w.now)
    issued = binding.create_invitation(w.session, unbound, by=None, now=w.now)
    binding.set_status(w.session, member, MemberStatus.left, now=w.now)
    binding.set_status(w.session, unbound, MemberStatus.left, now=w.now)
    assert access.member_for_token(w.session, token, now=w.now) is None
    assert w.session.exec(select(Invitation)).one().revoked_at is not None
    assert binding.bind_by_code(w.session, ids.account(w.session, ME), issued.code, now=w.now).status == "refused"


def test_a_login_row_is_checked_on_every_use(w):
    member = w.m["gm1"]
    token = access.issue_login(w.session, member, now=w.now)
    assert access.member_for_token(w.session, token, now=w.now).id == member.id
    assert access.member_for_token(w.session, token, now=w.now + timedelta(days=7, seconds=1)) is None
    assert access.member_for_token(w.session, token + "x", now=w.now) is None
    assert access.member_for_token(w.session, "²" * 10, now=w.now) is None
    member.status = MemberStatus.left  # even set by hand, without set_status
    assert access.member_for_token(w.session, token, now=w.now) is None


def test_the_rosters_telegram_id_prebinds_as_an_event_and_the_office_hears_once(db, tmp_path, clock):
    from bot.members.roster import import_roster
    from models import Member

    path = tmp_path / "roster.csv"
    path.write_text("姓名,手机号,角色,社区,网格,职务,电报ID\n"
                    "刘洋,13907240004,3,白庙社区,,管理员,8001\n"
                    "陈静,13907240005,网格员,白庙社区,第一网格,,8002\n"
                    "郑小红,13907240010,5,白庙社区,第一网格,,8003\n", encoding="utf-8")
    with db.transaction() as session:
        import_roster(session, path, now=clock.now())
    with db.transaction() as session:
        events = session.exec(select(MemberEvent)).all()
        assert sorted((e.how, ids.telegram_user(session, e.account_id)) for e in events) == [("roster", 8001), ("roster", 8002), ("roster", 8003)]
        told = notices(type("W", (), {"session": session}))
        assert set(told) == {8001, 8002} and all(len(v) == 1 for v in told.values())  # one notice each
        assert "郑小红" in told[8002][0] and "刘洋" not in told[8002][0]  # the grid manager: her grid only
        token = access.issue_login(session, ids.member_of(session, 8003),
                                   now=clock.now())
    path.write_text("姓名,手机号,角色,社区,网格,电报ID\n郑小红,13907240010,5,白庙社区,第一网格,8004\n", encoding="utf-8")
    with db.transaction() as session:  # the roster names another account: the old one's login ends
        import_roster(session, path, now=clock.now())
        assert access.member_for_token(session, token, now=clock.now()) is None
        kinds = [(e.kind, ids.telegram_user(session, e.account_id)) for e in session.exec(select(MemberEvent).order_by(MemberEvent.id))][3:]
        assert kinds == [("unbind", 8003), ("bind", 8004)]


@pytest.mark.postgres
def test_an_invitation_is_used_once_on_postgresql(pg_db, clock):
    with pg_db.transaction() as session:
        w = build_world(session, clock.now())
        issued = binding.create_invitation(session, w.m["bh3"], by=None, now=clock.now())
    with pg_db.transaction() as session:
        assert binding.bind_by_code(session, ids.account(session, ME), issued.code, now=clock.now()).status == "bound"
    with pg_db.transaction() as session:
        assert binding.bind_by_code(session, ids.account(session, 9002), issued.code, now=clock.now()).status == "refused"
        assert binding.failures(session, ids.account(session, 9002), now=clock.now()) == 1
