"""The issue flows every front end calls alike (chat, web, command line, an API): a report comes in
→ it is filed → routed → the people on its route are alerted, or held for quiet hours; who may
take over an issue (the reassign ranking). The flows decide who hears what, where and when; the
caller only turns the result into words (``handlers.texts``) and hands the messages to the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from bot.infra.config import Settings
from bot.issues import service as issues
from bot.issues.escalation import quiet_until
from bot.issues.routing import RouteStop, route
from bot.members import permissions
from bot.members.address import private_chat
from bot.places import groups
from models import Building, Issue, Member, MemberStatus, Resident, Role


def ref_of(issue: Issue) -> str:
    """What the issue's messages are about, to find them again (card edits, re-routing)."""
    return f"issue:{issue.id}"


def route_of(session: Session, issue: Issue) -> list[RouteStop]:
    return route(session, community_id=issue.community_id, category=issue.category, urgent=issue.urgent,
                 grid_id=issue.grid_id, building_id=issue.building_id)


def alert_time(issue: Issue, now: datetime, settings: Settings) -> datetime | None:
    """None (now), or the end of quiet hours for a report that is not urgent: a broken lamp
    reported at 23:00 reaches the building head at 07:00; a fire, at once."""
    if issue.urgent:
        return None
    return quiet_until(now, settings)


@dataclass
class Alerts:
    """Who hears of an issue, and where: a private card for each member in ``private`` (chat id,
    member); the members without a reachable private chat are named in ``group_chats``."""

    private: list[tuple[int, Member]] = field(default_factory=list)
    unreached: list[Member] = field(default_factory=list)
    group_chats: list[int] = field(default_factory=list)
    not_before: datetime | None = None


def group_chats_of(session: Session, issue: Issue) -> list[int]:
    """Where members without a private chat are named: the groups of the issue's grid, else the
    chat it was reported in."""
    chats = [g.chat_id for g in groups.of_grid(session, issue.grid_id)] if issue.grid_id else []
    if not chats and issue.source_chat_id:
        chats = [issue.source_chat_id]
    return chats


def alerts_for(session: Session, members: list[Member], issue: Issue, *, not_before: datetime | None = None) -> Alerts:
    out = Alerts(not_before=not_before)
    for member in members:
        chat = private_chat(member)
        if chat is not None:
            out.private.append((chat, member))
        else:
            out.unreached.append(member)
    if out.unreached:
        out.group_chats = group_chats_of(session, issue)
    return out


@dataclass
class Filed:
    """A report filed: the issue, its route, and who is alerted how."""

    issue: Issue
    stops: list[RouteStop]
    alerts: Alerts

    @property
    def held_until(self) -> datetime | None:
        return self.alerts.not_before


def report(
    session: Session, *, reporter: Resident, community_id: int, text: str, now: datetime, settings: Settings,
    category: str = "other", urgent: bool = False, building: Building | None = None, grid_id: int | None = None,
    unit: str = "", room: str = "", source_chat_id: int | None = None, source_message_id: int | None = None,
) -> Filed:
    """File a report, route it, and say who is alerted (now, or when quiet hours end)."""
    issue = issues.report(
        session, reporter=reporter, community_id=community_id, text=text, now=now, category=category,
        urgent=urgent, building=building, grid_id=grid_id if building is None else None, unit=unit, room=room,
        source_chat_id=source_chat_id, source_message_id=source_message_id,
    )
    stops = route_of(session, issue)
    later = alert_time(issue, now, settings)
    return Filed(issue, stops, alerts_for(session, [s.member for s in stops], issue, not_before=later))


def _reassign_rank(issue: Issue, m: Member) -> int:
    """Who is nearest the issue first: its building head, its grid manager, community workers of
    its grid, mediators, unit cadres, the office; 9 means not a candidate."""
    if m.role == Role.building_head:
        return 0 if m.building_id == issue.building_id else 9
    if m.is_grid_manager:
        return 1 if m.grid_id == issue.grid_id else 9
    if m.role == Role.community_worker and not m.is_office_admin:
        return 2 if m.grid_id in (issue.grid_id, None) else 9
    if m.is_mediator:
        return 3
    if m.role == Role.unit_cadre:
        return 4 if m.grid_id in (issue.grid_id, None) else 9
    if m.is_office_admin:
        return 5
    return 6


def reassign_candidates(session: Session, issue: Issue, exclude: set[int], *, limit: int = 8) -> list[Member]:
    """The members an issue may be handed to, nearest first."""
    found = session.exec(select(Member).where(
        Member.community_id == issue.community_id, Member.status == MemberStatus.active,
        Member.role != Role.volunteer,
    )).all()
    ok = [m for m in found if m.id not in exclude and permissions.may_claim(m, issue) is None]
    ranked = [(_reassign_rank(issue, m), m.id, m) for m in ok]
    return [m for rank, _id, m in sorted(ranked, key=lambda r: r[:2]) if rank < 9][:limit]
