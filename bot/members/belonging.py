"""Who are the people of a community: the ones its buttons answer (附议, 进度).

A member of the community; a resident it knows — first seen in one of its groups, or who reported,
joined or posted there since; and someone the bot has never seen, pressing in one of its groups
(being in the residents' group is what makes a resident; the press makes them one there, as writing
would). Not: a member or resident of another community, nor a stranger in a private chat — they get
a polite popup, nothing is counted, no resident row is made or moved.
"""

from __future__ import annotations

from sqlalchemy import exists
from sqlmodel import Session, select

from models import Issue, IssueFollower, Member, Resident, Wish


def wrote_in(session: Session, resident_id: int, community_id: int) -> bool:
    """Did this resident report, join (附议) or post a wish in the community?"""
    followed = select(IssueFollower.id).join(Issue, Issue.id == IssueFollower.issue_id).where(
        IssueFollower.resident_id == resident_id, Issue.community_id == community_id)
    posted = select(Wish.id).where(Wish.poster_id == resident_id, Wish.community_id == community_id)
    return bool(session.exec(select(exists(followed) | exists(posted))).one())


def belongs(session: Session, community_id: int, *, member: Member | None, resident: Resident | None,
            group_community_id: int | None) -> bool:
    """Is the person (their member and resident records, if any) one of the community's people?
    ``group_community_id``: the community of the group they press in (None in a private chat)."""
    if member is not None and member.community_id == community_id:
        return True
    if resident is not None and resident.community_id is not None:
        return resident.community_id == community_id or wrote_in(session, resident.id, community_id)
    if member is not None:
        return resident is not None and wrote_in(session, resident.id, community_id)
    return group_community_id == community_id
