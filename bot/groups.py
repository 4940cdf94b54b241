"""Group chats bound to a community or one of its grids."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from models import ChatGroup, Grid, Member

from . import places
from .errors import InvalidInput, NotAllowed


def bind(
    session: Session,
    chat_id: int,
    *,
    community_name: str,
    grid_name: str | None = None,
    compound_name: str | None = None,
    title: str = "",
    by: Member | None = None,
    now: datetime,
) -> ChatGroup:
    """Tie a group to a community (or grid). In the chat only office admins may do it."""
    community = places.get_community(session, community_name)
    if by is not None and not (by.is_office_admin and by.community_id == community.id):
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
    group = session.get(ChatGroup, chat_id) or ChatGroup(chat_id=chat_id, community_id=community.id)
    group.community_id = community.id
    group.grid_id = grid.id if grid else None
    group.compound_id = compound.id if compound else None
    group.title = title or group.title
    group.bound_by_id = by.id if by else None
    group.bound_at = now
    session.add(group)
    session.flush()
    return group


def get(session: Session, chat_id: int) -> ChatGroup | None:
    return session.get(ChatGroup, chat_id)


def of_grid(session: Session, grid_id: int) -> list[ChatGroup]:
    return list(session.exec(select(ChatGroup).where(ChatGroup.grid_id == grid_id)).all())


def of_community(session: Session, community_id: int) -> list[ChatGroup]:
    return list(session.exec(select(ChatGroup).where(ChatGroup.community_id == community_id)).all())
