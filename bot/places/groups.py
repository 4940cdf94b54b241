"""Group chats bound to a community or one of its grids."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import update
from sqlmodel import Session, select

from bot.messages import Outgoing
from bot.outbox.store import enqueue_all
from models import (
    ChatGroup,
    Community,
    Compound,
    Grid,
    HeldBundle,
    HeldMessage,
    Issue,
    Member,
    MemberStatus,
    Occurrence,
    OutboxMessage,
    OutboxStatus,
    PendingQuestion,
    PlatformChat,
    Wish,
)

from bot import identities
from bot.infra import changes
from bot.places import service as places
from bot.infra.errors import InvalidInput, NotAllowed


def bind(
    session: Session,
    chat_id: int,
    *,
    community_name: str,
    grid_name: str | None = None,
    compound_name: str | None = None,
    title: str = "",
    by: Member | None = None,
    force: bool = False,
    now: datetime,
) -> ChatGroup:
    """Tie a group to a community (or grid). In the chat only office admins may do it, and a
    group bound already only an office admin of the community it is bound to (``may_rebind``);
    from the command line (``by=None``) a bound group is rebound only with ``force``. A rebind
    is told to the office of the community the group was bound to."""
    community = places.get_community(session, community_name)
    if by is not None and not (by.is_office_admin and by.status != MemberStatus.left
                               and by.community_id == community.id):
        raise NotAllowed("只有本社区红管家工作室的管理员可以绑定群聊")
    grid: Grid | None = None
    if grid_name:
        grid = places.find_grid(session, community.id, grid_name)
        if grid is None:
            raise InvalidInput(f"社区「{community.name}」没有网格「{grid_name}」")
    compound = None
    if compound_name:
        compound = places.find_compound(session, community.id, compound_name)
        if compound is None:
            raise InvalidInput(f"社区「{community.name}」没有小区「{compound_name}」")
    group = session.get(ChatGroup, chat_id)
    before = where(session, group) if group is not None else ""
    wanted = (community.id, grid.id if grid else None, compound.id if compound else None)
    changed = group is not None and (group.community_id, group.grid_id, group.compound_id) != wanted
    if changed and by is None and not force:
        raise InvalidInput(f"群 {chat_id} 已绑定到 {before}；确需改绑请加 --force（会通知该社区工作室）")
    if changed and by is not None and not may_rebind(group, by):
        raise NotAllowed(f"本群已绑定到 {before}，只有该社区红管家工作室的管理员可以更改")
    old_community_id = group.community_id if group is not None else None
    group = group or ChatGroup(chat_id=chat_id, community_id=community.id)
    group.community_id, group.grid_id, group.compound_id = wanted
    group.title = title or group.title
    group.bound_by_id = by.id if by else None
    group.bound_at = now
    session.add(group)
    session.flush()
    changes.announce(session, chat_id)  # the other instances' caches forget the old binding
    if changed:
        actor = f"{by.name}（社区工作室）" if by is not None else "命令行（--force）"
        _tell_office(session, old_community_id, (
            f"群「{group.title or str(chat_id)}」的绑定已由 {actor} 从 {before} "
            f"改为 {where(session, group)}。"), skip=by, now=now)
    return group


def may_rebind(group: ChatGroup, by: Member | None) -> bool:
    """Who may change a bound group's binding in the chat: an office admin of its community."""
    return (by is not None and by.status != MemberStatus.left and by.is_office_admin
            and by.community_id == group.community_id)


def refuse_takeover(session: Session, group: ChatGroup, by: Member, target: str, *, now: datetime) -> str:
    """Someone tried to rebind a group bound to another community: its office is told. Returns
    where the group stays bound."""
    stays = where(session, group)
    community = session.get(Community, by.community_id)
    _tell_office(session, group.community_id, (
        f"⚠️ 有人试图改绑群「{group.title or str(group.chat_id)}」：{by.name}"
        f"（{community.name if community else ''}）发送了 /bind {target}，已拒绝；"
        f"本群仍绑定在 {stays}。"), skip=None, now=now,
        # one notice per intruder and group an hour: repeating /bind cannot flood the office
        once=f"takeover:{group.chat_id}:{by.id}:{now.astimezone(timezone.utc):%Y%m%d%H}")
    return stays


def where(session: Session, group: ChatGroup) -> str:
    """「白庙社区 · 第三网格」: the community, grid and compound a group is bound to."""
    community = session.get(Community, group.community_id)
    grid = session.get(Grid, group.grid_id) if group.grid_id else None
    compound = session.get(Compound, group.compound_id) if group.compound_id else None
    return " · ".join(x.name for x in (community, grid, compound) if x is not None)


def _tell_office(session: Session, community_id: int | None, text: str, *, skip: Member | None,
                 now: datetime, once: str | None = None) -> None:
    admins = session.exec(select(Member).where(
        Member.community_id == community_id, Member.is_office_admin, Member.status != MemberStatus.left,
    ).order_by(Member.id)).all()
    enqueue_all(session, [
        Outgoing(chat_id=chat, text=text, kind="notice", member_id=m.id, ref="group-binding",
                 dedupe_key=f"{once}:{m.id}" if once else None)
        for m in admins
        if (skip is None or m.id != skip.id) and (chat := identities.private_chat(session, m)) is not None
    ], now=now)


def get(session: Session, chat_id: int) -> ChatGroup | None:
    return session.get(ChatGroup, chat_id)


def of_grid(session: Session, grid_id: int) -> list[ChatGroup]:
    return list(session.exec(select(ChatGroup).where(ChatGroup.grid_id == grid_id)).all())


def of_community(session: Session, community_id: int) -> list[ChatGroup]:
    return list(session.exec(select(ChatGroup).where(ChatGroup.community_id == community_id)).all())


@dataclass
class Moved:
    """What ``move_chat`` carried over (counts of rows changed)."""

    group: ChatGroup | None = None  # the binding at the new id (None: the old chat was not bound)
    outbox: int = 0  # pending rows re-targeted
    edits_dropped: int = 0  # pending edits of messages in the old chat: cannot follow, dead
    questions: int = 0
    issues: int = 0
    wishes: int = 0


def move_chat(session: Session, old_chat_id: int, new_chat_id: int, *, now: datetime) -> Moved:
    """A group became a supergroup with a new id (Telegram's migration): what belongs to the
    group follows it — its binding, the messages still waiting to go there, the questions the
    bot is waiting on there, and where reports and wishes from it hear back. Idempotent: a
    second call, or a new id already bound (kept as it is), does no harm.

    Message ids of the old chat mean nothing in the new one, so replies that would have gone
    under an old message go out plainly, and a pending edit of an old message is dropped
    (``dead``). Messages already sent stay recorded in the old chat."""
    moved = Moved()
    if old_chat_id == new_chat_id:
        moved.group = session.get(ChatGroup, new_chat_id)
        return moved
    old_chat = session.get(PlatformChat, old_chat_id)
    if old_chat is not None and old_chat.moved_to_id != new_chat_id:
        old_chat.moved_to_id = new_chat_id  # an id copied before the upgrade still finds the group
        session.add(old_chat)
    old = session.get(ChatGroup, old_chat_id)
    new = session.get(ChatGroup, new_chat_id)
    if old is not None:
        if new is None:
            new = ChatGroup(
                chat_id=new_chat_id, community_id=old.community_id, grid_id=old.grid_id,
                compound_id=old.compound_id, title=old.title, bound_by_id=old.bound_by_id, bound_at=old.bound_at,
            )
            session.add(new)
        session.delete(old)
        session.flush()
        changes.announce(session, old_chat_id)
        changes.announce(session, new_chat_id)
    moved.group = new
    moved.edits_dropped = _update(session, OutboxMessage, (
        OutboxMessage.chat_id == old_chat_id, OutboxMessage.status == OutboxStatus.pending,
        OutboxMessage.edit_message_id.is_not(None),
    ), status=OutboxStatus.dead, last_error=f"chat migrated to {new_chat_id}: the message to edit stays in the old chat")
    moved.outbox = _update(session, OutboxMessage, (
        OutboxMessage.chat_id == old_chat_id, OutboxMessage.status == OutboxStatus.pending,
    ), chat_id=new_chat_id, reply_to_message_id=None)
    moved.questions = _move_questions(session, old_chat_id, new_chat_id)
    moved.issues = _update(session, Issue, (Issue.source_chat_id == old_chat_id,),
                           source_chat_id=new_chat_id, source_message_id=None)
    moved.wishes = _update(session, Wish, (Wish.source_chat_id == old_chat_id,),
                           source_chat_id=new_chat_id, source_message_id=None)
    # messages the flood rule holds: filed later, they are answered in the new chat
    _update(session, HeldMessage, (HeldMessage.chat_id == old_chat_id,), chat_id=new_chat_id, message_id=None)
    _update(session, HeldBundle, (HeldBundle.chat_id == old_chat_id,), chat_id=new_chat_id)
    _copy_occurrences(session, old_chat_id, new_chat_id)
    session.flush()
    return moved


def _update(session: Session, table, where: tuple, **values) -> int:
    return session.execute(update(table).where(*where).values(**values)).rowcount or 0


def _move_questions(session: Session, old_chat_id: int, new_chat_id: int) -> int:
    """Questions waiting in the old chat wait in the new one (one per person: a question the
    person was already asked there wins); the message they were about stays behind."""
    rows = session.exec(select(PendingQuestion).where(PendingQuestion.chat_id == old_chat_id)).all()
    taken = set(session.exec(select(PendingQuestion.user_id).where(PendingQuestion.chat_id == new_chat_id)).all())
    count = 0
    for question in rows:
        if question.user_id in taken:
            session.delete(question)
            continue
        payload = json.loads(question.payload or "{}")
        if payload.get("message_id") is not None:
            payload["message_id"] = None
            question.payload = json.dumps(payload, ensure_ascii=False)
        question.chat_id = new_chat_id
        question.question_message_id = None
        session.add(question)
        count += 1
    session.flush()
    return count


def _copy_occurrences(session: Session, old_chat_id: int, new_chat_id: int) -> None:
    """What already went to the group this week (the weekly note) is not sent again to it."""
    suffix = f":chat:{old_chat_id}"
    for occ in session.exec(select(Occurrence).where(Occurrence.key.endswith(suffix))).all():
        key = occ.key[: -len(suffix)] + f":chat:{new_chat_id}"
        if session.get(Occurrence, key) is None:
            session.add(Occurrence(key=key, due_at=occ.due_at, fired_at=occ.fired_at, messages=0))
