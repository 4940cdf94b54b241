"""The issue flows every front end calls alike (chat, web, command line, an API): a report comes in
→ it is filed → routed → the people on its route are alerted, or held for quiet hours; each
lifecycle transition (accept, claim, resolve, reject, reassign, confirm, reopen, support) and who
hears of it; who may take over an issue (the reassign ranking). The flows decide who hears what,
where and when and which earlier cards change, as plain data (``Filed``, ``Changed``,
``Supported``); the caller only turns that into words (``handlers.handling.deliver``) and hands the
messages to the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from bot.infra.config import Settings
from bot.issues import service as issues
from bot.issues.escalation import quiet_until
from bot.issues.lifecycle import Actor
from bot.issues.routing import RouteStop, route
from bot.members import permissions
from bot.members import service as members
from bot.members.address import private_chat
from bot.places import groups
from models import Building, ChatAccount, Issue, IssueFollower, Member, MemberStatus, OutboxMessage, Resident, Role


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
        chat = private_chat(session, member)
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
    unit: str = "", room: str = "", source_chat_id: int | None = None, source_message_id: str | None = None,
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


# --- the lifecycle: each transition, and who hears of it ---------------------------------------------


def member_actor(session: Session, member: Member, *, now: datetime) -> Actor:
    """A member acting, with the resident record they report through (for the event trail)."""
    return Actor(member=member, resident=members.resident_for_member(session, member, now=now))


@dataclass(frozen=True)
class Card:
    """A message about the issue already sent that shows its state: ``kind`` "reply" is the
    residents' card under the report, "alert" a handler's card with the handling buttons."""

    chat_id: int
    message_id: str
    kind: str


@dataclass(frozen=True)
class FollowerNote:
    """A private note to someone following the issue (a member with a reachable chat); the
    reporter's note is the one that may carry the 已修复 / 仍未修复 buttons."""

    chat_id: int
    member_id: int
    reporter: bool


@dataclass
class Changed:
    """What one lifecycle transition leaves to be said. ``event`` names it (accept, claim,
    resolve, reject, reassign, confirm, reopen); the caller turns each part into words:

    - ``alerts``: members newly given the issue, with its card and buttons (the reassignee; on
      reopen the handler, or the route when there is none) — ``alerts_stops`` when the whole route is alerted;
    - ``handler``: (chat, member) told privately that the reporter confirmed;
    - ``cards``: every earlier card to edit to the state now;
    - ``group``: (chat, message to reply under) in the report's group, or None;
    - ``ask_reporter``: the group notice and the reporter's note ask 修好了吗 with buttons;
    - ``followers``: private notes to the reporter and everyone who joined (not the actor)."""

    issue: Issue
    event: str
    actor: Member | None = None
    target: Member | None = None  # reassigned to
    note: str = ""  # the resolution note, the rejection reason
    photo: str | None = None
    alerts: Alerts | None = None
    alerts_stops: list[RouteStop] | None = None
    handler: tuple[int, Member] | None = None
    cards: list[Card] = field(default_factory=list)
    group: tuple[int, int | None] | None = None
    ask_reporter: bool = False
    followers: list[FollowerNote] = field(default_factory=list)


def cards_of(session: Session, issue: Issue) -> list[Card]:
    """Every card of the issue already sent (the group reply, each member's alert), once each."""
    rows = session.exec(select(OutboxMessage.chat_id, OutboxMessage.sent_message_id, OutboxMessage.kind).where(
        OutboxMessage.ref == ref_of(issue), OutboxMessage.kind.in_(("alert", "reply")),
        OutboxMessage.sent_message_id.is_not(None), OutboxMessage.edit_message_id.is_(None),
    ).order_by(OutboxMessage.id)).all()
    seen: dict[tuple[int, int], Card] = {}
    for chat_id, message_id, kind in rows:
        seen.setdefault((chat_id, message_id), Card(chat_id, message_id, kind))
    return list(seen.values())


def followers_of(session: Session, issue: Issue, actor: Actor | None) -> list[FollowerNote]:
    """The reporter and everyone who joined, who are members with a reachable chat — but not
    whoever made the change."""
    rows = session.exec(
        select(IssueFollower.kind, ChatAccount.private_chat_id, Resident.id, Member.id).join(
            Resident, Resident.id == IssueFollower.resident_id
        ).join(Member, Member.id == Resident.member_id).join(ChatAccount, ChatAccount.id == Resident.account_id).where(
            IssueFollower.issue_id == issue.id, ChatAccount.member_id == Member.id, ChatAccount.unreachable.is_(False),
        ).order_by(IssueFollower.id)
    ).all()
    acting_member = actor.member.id if actor and actor.member else None
    acting_resident = actor.resident.id if actor and actor.resident else None
    out = []
    for kind, chat_id, resident_id, member_id in rows:
        if chat_id is None or member_id == acting_member or resident_id == acting_resident:
            continue
        out.append(FollowerNote(chat_id, member_id, kind == "reporter"))
    return out


def _changed(session: Session, issue: Issue, event: str, actor: Actor, *, in_group: bool = True,
             **parts) -> Changed:
    group = (issue.source_chat_id, issue.source_message_id) if in_group and issue.source_chat_id else None
    return Changed(issue, event, actor=actor.member, cards=cards_of(session, issue), group=group,
                   followers=followers_of(session, issue, actor), **parts)


def accept(session: Session, issue: Issue, member: Member, *, now: datetime) -> Changed:
    """Into the task list: the cards show it, the reporter and followers hear who handles it."""
    actor = member_actor(session, member, now=now)
    issues.accept(session, issue, actor, now=now)
    return _changed(session, issue, "accept", actor)


def claim(session: Session, issue: Issue, member: Member, *, now: datetime) -> Changed:
    actor = member_actor(session, member, now=now)
    issues.claim(session, issue, actor, now=now)
    return _changed(session, issue, "claim", actor)


def resolve(session: Session, issue: Issue, member: Member, *, now: datetime, note: str = "",
            photo: str | None = None) -> Changed:
    """Marked solved: the reporter is asked whether it is fixed (in the group, under the report,
    and privately), with the photo if there is one."""
    actor = member_actor(session, member, now=now)
    issues.resolve(session, issue, actor, now=now, note=note, photo=photo)
    return _changed(session, issue, "resolve", actor, note=note, photo=photo, ask_reporter=True)


def reject(session: Session, issue: Issue, member: Member, *, reason: str, now: datetime) -> Changed:
    actor = member_actor(session, member, now=now)
    issues.reject(session, issue, actor, reason=reason, now=now)
    return _changed(session, issue, "reject", actor, note=reason)


def reassign(session: Session, issue: Issue, member: Member, *, to: Member, now: datetime) -> Changed:
    """Handed to ``to``: they get the card with its buttons, as an alert."""
    actor = member_actor(session, member, now=now)
    issues.reassign(session, issue, actor, to=to, now=now)
    return _changed(session, issue, "reassign", actor, target=to, alerts=alerts_for(session, [to], issue))


def confirm(session: Session, issue: Issue, actor: Actor, *, now: datetime, answered_in: int | None = None) -> Changed:
    """The reporter says it is fixed: the handler hears it privately. ``answered_in``: the chat
    the answer was given in; given in the report's group, that answer is the group's notice."""
    issues.confirm(session, issue, actor, now=now)
    handler = session.get(Member, issue.handler_id) if issue.handler_id else None
    chat = private_chat(session, handler) if handler is not None else None
    return _changed(session, issue, "confirm", actor, in_group=answered_in != issue.source_chat_id,
                    handler=(chat, handler) if chat is not None else None)


def reopen(session: Session, issue: Issue, actor: Actor, *, now: datetime, settings: Settings,
           answered_in: int | None = None) -> Changed:
    """The reporter says it is not fixed: back to its handler (with the card again), or — with no
    handler — to everyone on its route, as a new alert (held for quiet hours as one)."""
    issues.reopen(session, issue, actor, now=now)
    handler = session.get(Member, issue.handler_id) if issue.handler_id else None
    stops = None
    if handler is not None:
        alerts = alerts_for(session, [handler], issue)
    else:
        stops = route_of(session, issue)
        alerts = alerts_for(session, [s.member for s in stops], issue, not_before=alert_time(issue, now, settings))
    return _changed(session, issue, "reopen", actor, in_group=answered_in != issue.source_chat_id,
                    alerts=alerts, alerts_stops=stops)


@dataclass
class Supported:
    """A resident joined an issue (附议): ``issue`` is the one joined (a merged issue's original),
    ``new`` whether they were not following it yet, ``cards`` to show the new count."""

    issue: Issue
    new: bool
    cards: list[Card]


def support(session: Session, issue: Issue, resident: Resident, *, now: datetime) -> Supported:
    joined, new = issues.support(session, issue, resident, now=now)
    return Supported(joined, new, cards_of(session, joined))
