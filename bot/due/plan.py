"""What is due at one instant: a pure function of the tables and ``now`` (the plan).

``due(session, now)`` lists every message that should be on its way at ``now`` and is not yet:
shift reminders (the evening before, at the start), calls for volunteers when a shift is short of
its quorum, missed-check-in calls (the backup, then up the route), issue escalations (not accepted
in time, urgent, claimed and overdue), the morning digest, the weekly group note and the
quarterly unit scoreboard. Each comes with a unique key; ``fire`` records the key (``Occurrence``)
and queues the message (outbox ``dedupe_key``) in one transaction, so two ticks, a late tick, two
processes or a restart never send it twice, and a tick after a crash still sends what is still
useful. ``hgj due --at`` prints the same list without sending.

Collectors (``bot.rotas.scheduled``, ``bot.issues.scheduled``, ``bot.office.digests``) yield cheap
``Candidate`` occurrences first; only those not yet fired are expanded into messages (recipients
looked up, texts written), so a tick costs little when nothing new is due. This module holds what
a collector needs (``Plan``, ``Candidate``, ``Message``) and the expansion; ``bot.due.fire`` asks
the collectors and records what it queues, so collectors never import back what calls them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlmodel import Session, select

from bot.messages import Outgoing
from bot.notices import InGroup, Said, render
from models import ChatGroup, Member, Occurrence

from bot.infra.config import Settings, get_settings
from bot.issues.escalation import Policies, quiet_until
from bot.members.address import address

UTC = timezone.utc


@dataclass
class Message:
    """One message of an occurrence: to a member (private chat, or their group when they have
    no reachable chat account) or straight to a group chat. ``fact`` is what it tells
    (``bot.notices``): its words are rendered when it is queued."""

    fact: object
    member: Member | None = None
    chat_id: int | None = None  # a group message
    suffix: str = ""  # appended to the occurrence key: ":m:12"


@dataclass
class Candidate:
    key: str  # the occurrence, recorded once: "miss:shift:12:2"
    at: datetime  # falls due
    until: datetime | None  # no longer useful from then on
    what: str  # eve | start | quorum | miss | unaccepted | urgent | overdue | digest | weekly | quarterly
    kind: str  # the outbox kind: reminder | alert | digest
    expand: Callable[[Plan], list[Message]]
    ref: str | None = None
    urgent: bool = False  # any hour, never held
    any_hour: bool = False  # this step goes out in quiet hours too
    hold_limit: datetime | None = None  # held past this it would be useless: then send at once
    checked: bool = False  # the collector already knows it has not fired (checked in SQL)

    def useful(self, now: datetime) -> bool:
        return self.until is None or now < self.until


@dataclass(frozen=True)
class Due:
    key: str  # unique per message: the outbox dedupe_key
    occurrence: str  # the Candidate key it belongs to
    at: datetime
    what: str
    urgent: bool
    not_before: datetime | None
    out: Outgoing

    def to_dict(self, tz=None) -> dict:
        def iso(t):
            return t.astimezone(tz).isoformat() if (t and tz) else (t.isoformat() if t else None)

        return {
            "key": self.key, "what": self.what, "at": iso(self.at), "not_before": iso(self.not_before),
            "urgent": self.urgent, "chat_id": self.out.chat_id, "member_id": self.out.member_id,
            "kind": self.out.kind, "ref": self.out.ref, "text": self.out.text.plain,
            "buttons": [[b.text for b in row] for row in self.out.buttons],
        }


class Plan:
    """One computation: the session, the instant, settings, and lookups cached for its length."""

    def __init__(self, session: Session, now: datetime, settings: Settings, *, include_fired: bool = False) -> None:
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        self.session = session
        self.include_fired = include_fired  # collectors may skip fired occurrences in SQL unless set
        self.now = now.astimezone(UTC)
        self.settings = settings
        self.tz = settings.tz
        self.policies = Policies(session, settings)
        self.cache: dict = {}
        self._members: dict[int, Member] = {}
        self._groups: tuple[dict[int, int], dict[int, int]] | None = None

    def members(self, ids: Iterable[int]) -> dict[int, Member]:
        missing = [i for i in set(ids) if i is not None and i not in self._members]
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            for m in self.session.exec(select(Member).where(Member.id.in_(chunk))).all():
                self._members[m.id] = m
        return self._members

    def member(self, member_id: int | None) -> Member | None:
        if member_id is None:
            return None
        return self.members([member_id]).get(member_id)

    def group_for(self, member: Member) -> int | None:
        """The group a member without a reachable chat account is told in: their grid's, else
        their community's (the lowest chat id, so the choice is stable)."""
        if self._groups is None:
            by_grid: dict[int, int] = {}
            by_community: dict[int, int] = {}
            for chat_id, community_id, grid_id in self.session.exec(
                select(ChatGroup.chat_id, ChatGroup.community_id, ChatGroup.grid_id).order_by(ChatGroup.chat_id)
            ).all():
                if grid_id is not None:
                    by_grid.setdefault(grid_id, chat_id)
                by_community.setdefault(community_id, chat_id)
            self._groups = (by_grid, by_community)
        by_grid, by_community = self._groups
        if member.grid_id is not None and member.grid_id in by_grid:
            return by_grid[member.grid_id]
        return by_community.get(member.community_id)

    def address(self, member: Member) -> tuple[int, bool] | None:
        """(chat id, through a group?) or None when the member cannot be reached at all."""
        return address(self.session, member, self.group_for)


def fired(session: Session, keys: Iterable[str]) -> set[str]:
    keys = list(dict.fromkeys(keys))
    out: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        out.update(session.exec(select(Occurrence.key).where(Occurrence.key.in_(chunk))).all())
    return out


def _not_before(plan: Plan, c: Candidate) -> datetime | None:
    if c.urgent or c.any_hour:
        return None
    held = quiet_until(plan.now, plan.settings)
    if held is None:
        return None
    if c.hold_limit is not None and held >= c.hold_limit:
        return None  # holding it would make it useless (a shift about to start): send it now
    return held


def expand(plan: Plan, c: Candidate) -> list[Due]:
    """The occurrence's messages as outbox rows. Members without a reachable chat account are
    told in their group; several of them in one group get one message naming them all."""
    not_before = _not_before(plan, c)
    out: list[Due] = []
    in_group: dict[int, tuple[list[Member], Message]] = {}

    def add(chat_id: int, said: Said, member_id: int | None, suffix: str) -> None:
        key = c.key + suffix
        out.append(
            Due(
                key=key, occurrence=c.key, at=c.at, what=c.what, urgent=c.urgent, not_before=not_before,
                out=Outgoing(
                    chat_id=chat_id, text=said.text, buttons=said.buttons, kind=c.kind, member_id=member_id,
                    ref=c.ref, dedupe_key=key, not_before=not_before,
                ),
            )
        )

    for msg in c.expand(plan):
        if msg.chat_id is not None:
            add(msg.chat_id, render(msg.fact), None, msg.suffix)
            continue
        if msg.member is None:
            continue
        where = plan.address(msg.member)
        if where is None:
            continue
        chat_id, via_group = where
        if not via_group:
            add(chat_id, render(msg.fact), msg.member.id, msg.suffix)
        elif chat_id in in_group:
            in_group[chat_id][0].append(msg.member)
        else:
            in_group[chat_id] = ([msg.member], msg)
    for chat_id, (members, msg) in in_group.items():
        said = render(InGroup(tuple(m.name for m in members), render(msg.fact)))
        add(chat_id, said, members[0].id if len(members) == 1 else None, f":g:{chat_id}")
    return out
