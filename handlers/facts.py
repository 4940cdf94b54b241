"""What the texts show besides the thing itself, looked up for them (``handlers.texts`` never
reads the database): an issue's place and handler, a wish's place and claimer, where a member
serves."""

from __future__ import annotations

from sqlmodel import Session

from bot.places import service as places
from models import Building, Community, Grid, Issue, Member, Wish

from .texts import IssueFacts, MemberFacts, WishFacts


def of_issue(session: Session, issue: Issue) -> IssueFacts:
    place = places.place_label(session, building_id=issue.building_id, grid_id=issue.grid_id,
                               unit=issue.unit, room=issue.room)
    handler = session.get(Member, issue.handler_id) if issue.handler_id else None
    return IssueFacts(issue, place, handler)


def of_wish(session: Session, wish: Wish) -> WishFacts:
    place = (places.place_label(session, building_id=wish.building_id, grid_id=wish.grid_id)
             if (wish.building_id or wish.grid_id) else "")
    claimer = session.get(Member, wish.claimer_id) if wish.claimer_id else None
    return WishFacts(wish, place, claimer)


def of_member(session: Session, member: Member) -> MemberFacts:
    community = session.get(Community, member.community_id)
    where = [community.name if community else ""]
    if member.grid_id:
        grid = session.get(Grid, member.grid_id)
        where.append(grid.name if grid else "")
    if member.building_id:
        where.append(places.building_label(session, session.get(Building, member.building_id)))
    return MemberFacts(member, tuple(where))
