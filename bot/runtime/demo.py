"""The demo: the stand-in's world made of the demo district (``hgj demo`` and the tests)."""

from __future__ import annotations

from sqlmodel import select

from bot.demo.data import NEWCOMER_ACCOUNT_BASE
from bot.infra.db import Database
from handlers.texts import role_label
from models import ChatAccount, ChatGroup, Community, Member, PlatformChat, Resident


def populate_standin(world, db: Database) -> dict:
    """Every member and resident with a chat account becomes a stand-in user (same id; members'
    accounts carry their roster phone, as a Telegram account has its number), every bound group a
    group of the people of its community; members' private chats are opened. A member without a
    chat account gets an account of their own that is not bound (id ``NEWCOMER_ACCOUNT_BASE`` +
    member id), to try binding by phone or invitation. Returns ``{"users": n, "groups": {chat_id: title},
    "newcomers": {user_id: member number}}``."""
    with db.session() as session:
        # the stand-in is Telegram: people and groups by their Telegram ids
        tg = {a.id: int(a.external_id) for a in session.exec(
            select(ChatAccount).where(ChatAccount.platform == "telegram"))}
        by_member = {a.member_id: tg[a.id] for a in session.exec(
            select(ChatAccount).where(ChatAccount.platform == "telegram", ChatAccount.member_id.is_not(None)))}
        members = session.exec(select(Member).where(Member.id.in_(list(by_member))).order_by(Member.id)).all()
        newcomers = session.exec(select(Member).where(Member.id.not_in(list(by_member)), Member.status != "left")
                                 .order_by(Member.id)).all()
        phones = {by_member[m.id]: m.phone for m in members}
        unbound = {NEWCOMER_ACCOUNT_BASE + m.id: (m.name, f"· {role_label(m)}（未绑定）", m.phone, m.number)
                   for m in newcomers}
        residents = session.exec(select(Resident).where(Resident.account_id.in_(list(tg)))
                                 .order_by(Resident.id)).all()
        group_ids = {c.id: int(c.external_id) for c in session.exec(
            select(PlatformChat).where(PlatformChat.platform == "telegram", PlatformChat.kind == "group"))}
        bound = [(group_ids[g.chat_id], g) for g in session.exec(select(ChatGroup)).all() if g.chat_id in group_ids]
        names = {c.id: c.name for c in session.exec(select(Community)).all()}
        people: dict[int, tuple[str, str, int | None]] = {}
        for m in members:
            people[by_member[m.id]] = (m.name, f"· {role_label(m)}", m.community_id)
        for r in residents:
            if tg[r.account_id] not in people:
                people[tg[r.account_id]] = (r.display_name or "居民", "", r.community_id)
    for user_id, (name, label, _c) in people.items():
        if user_id not in world.users:
            world.add_user(name, user_id=user_id, last_name=label or None, phone_number=phones.get(user_id))
    for user_id, (name, label, phone, _number) in unbound.items():
        if user_id not in world.users:
            world.add_user(name, user_id=user_id, last_name=label, phone_number=phone)
    for m in members:
        world.start(by_member[m.id], send=False)
    made = {}
    for telegram_id, group in bound:
        if telegram_id in world.groups:
            continue
        inside = [uid for uid, (_n, _l, community) in people.items() if community == group.community_id]
        title = group.title or f"{names.get(group.community_id, '')}居民群"
        world.add_group(title, members=inside, chat_id=telegram_id)
        made[telegram_id] = title
    return {"users": len(people) + len(unbound), "groups": made,
            "newcomers": {uid: number for uid, (_n, _l, _p, number) in unbound.items()}}
