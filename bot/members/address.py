"""How to reach a member — one rule for rota notices, due reminders, issue alerts and the
outbox's re-route: the private chat of the chat account they bound last among those that have not
blocked the bot (``bot.identities.private_chat``; blocking is per account, so a member who blocked
the bot on one platform is reached on another); else the group of their grid (else of their
community), with their names in front; else nobody."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlmodel import Session, select

from bot.messages import Button, Outgoing
from bot.rich import Rich, rich
from models import ChatGroup, Member

from .. import identities


def group_chat_for(session: Session, member: Member) -> int | None:
    if member.grid_id is not None:
        found = session.exec(
            select(ChatGroup.chat_id).where(ChatGroup.grid_id == member.grid_id).order_by(ChatGroup.chat_id)
        ).first()
        if found is not None:
            return found
    return session.exec(
        select(ChatGroup.chat_id).where(ChatGroup.community_id == member.community_id).order_by(ChatGroup.chat_id)
    ).first()


def private_chat(session: Session, member: Member) -> int | None:
    """The member's private chat (its key), or None: no chat account, or each blocked the bot."""
    return identities.private_chat(session, member)


def address(session: Session, member: Member,
            group_for: Callable[[Member], int | None]) -> tuple[int, bool] | None:
    """(chat key, through a group?) or None when the member cannot be reached."""
    chat = private_chat(session, member)
    if chat is not None:
        return chat, False
    group = group_for(member)
    return (group, True) if group is not None else None


def to_members(
    session: Session,
    members: Iterable[Member],
    text: str | Rich,
    *,
    buttons: list[list[Button]] | None = None,
    kind: str = "notice",
    ref: str | None = None,
    skip_chat: int | None = None,
) -> list[Outgoing]:
    """One message per member; members told in the same group share one message."""
    out: list[Outgoing] = []
    grouped: dict[int, list[Member]] = {}
    for m in members:
        where = address(session, m, lambda x: group_chat_for(session, x))
        if where is None or where[0] == skip_chat:
            continue
        chat_id, via_group = where
        if via_group:
            grouped.setdefault(chat_id, []).append(m)
        else:
            out.append(Outgoing(chat_id=chat_id, text=text, buttons=buttons or [], kind=kind, member_id=m.id, ref=ref))
    for chat_id, ms in grouped.items():
        who = "、".join(m.name for m in ms)
        out.append(Outgoing(chat_id=chat_id, text=rich(f"【致 {who}】\n", text), buttons=buttons or [], kind=kind, ref=ref))
    return out
