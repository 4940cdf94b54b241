"""The demo: the stand-in's world made of the demo district (``hgj demo`` and the tests)."""

from __future__ import annotations

from bot.infra.db import Database


def populate_standin(world, db: Database) -> dict:
    """Every member and resident with a chat account becomes a stand-in user (same id; members'
    accounts carry their roster phone, as a Telegram account has its number), every bound group a
    group of the people of its community; members' private chats are opened. A member without a
    chat account gets an account of their own that is not bound (id ``NEWCOMER_ACCOUNT_BASE`` +
    member id), to try binding by phone or invitation. Returns ``{"users": n, "groups": {chat_id: title},
    "newcomers": {user_id: member number}}``."""
    from sqlmodel import select

    from bot.demo.data import NEWCOMER_ACCOUNT_BASE
    from handlers.texts import role_label
    from models import ChatGroup, Community, Member, Resident

    with db.session() as session:
        members = session.exec(select(Member).where(Member.chat_user_id.is_not(None)).order_by(Member.id)).all()
        newcomers = session.exec(select(Member).where(Member.chat_user_id.is_(None), Member.status != "left")
                                 .order_by(Member.id)).all()
        phones = {m.chat_user_id: m.phone for m in members}
        unbound = {NEWCOMER_ACCOUNT_BASE + m.id: (m.name, f"· {role_label(m)}（未绑定）", m.phone, m.number)
                   for m in newcomers}
        residents = session.exec(select(Resident).where(Resident.chat_user_id.is_not(None))
                                 .order_by(Resident.id)).all()
        bound = session.exec(select(ChatGroup)).all()
        names = {c.id: c.name for c in session.exec(select(Community)).all()}
        people: dict[int, tuple[str, str, int | None]] = {}
        for m in members:
            people[m.chat_user_id] = (m.name, f"· {role_label(m)}", m.community_id)
        for r in residents:
            if r.chat_user_id not in people:
                people[r.chat_user_id] = (r.display_name or "居民", "", r.community_id)
    for user_id, (name, label, _c) in people.items():
        if user_id not in world.users:
            world.add_user(name, user_id=user_id, last_name=label or None, phone_number=phones.get(user_id))
    for user_id, (name, label, phone, _number) in unbound.items():
        if user_id not in world.users:
            world.add_user(name, user_id=user_id, last_name=label, phone_number=phone)
    for m in members:
        world.start(m.chat_user_id, send=False)
    made = {}
    for group in bound:
        if group.chat_id in world.groups:
            continue
        inside = [uid for uid, (_n, _l, community) in people.items() if community == group.community_id]
        title = group.title or f"{names.get(group.community_id, '')}居民群"
        world.add_group(title, members=inside, chat_id=group.chat_id)
        made[group.chat_id] = title
    return {"users": len(people) + len(unbound), "groups": made,
            "newcomers": {uid: number for uid, (_n, _l, _p, number) in unbound.items()}}
