"""The demo: the stand-in's world made of the demo district (``hgj demo`` and the tests)."""

from __future__ import annotations

from bot.db import Database


def populate_standin(world, db: Database) -> dict:
    """Every member and resident with a chat account becomes a stand-in user (same id), every
    bound group a group of the people of its community; members' private chats are opened.
    Returns ``{"users": n, "groups": {chat_id: title}}``."""
    from sqlmodel import select

    from handlers.texts import role_label
    from models import ChatGroup, Community, Member, Resident

    with db.session() as session:
        members = session.exec(select(Member).where(Member.chat_user_id.is_not(None)).order_by(Member.id)).all()
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
            world.add_user(name, user_id=user_id, last_name=label or None)
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
    return {"users": len(people), "groups": made}
