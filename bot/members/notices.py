"""What the office and grid managers (and an unbound account) are told about binds and unbinds,
as facts (``bot.notices``); their words are ``handlers.texts.members``."""

from __future__ import annotations

from dataclasses import dataclass

from models import Member, MemberEvent


@dataclass(frozen=True)
class BoundNotice:
    member: Member
    event: MemberEvent
    by: Member | None


@dataclass(frozen=True)
class UnboundNotice:
    member: Member
    event: MemberEvent
    by: Member | None


@dataclass(frozen=True)
class UnboundToAccount:
    """To the account itself: it no longer speaks for the member."""

    member: Member


@dataclass(frozen=True)
class ClaimedElsewhere:
    """Someone shared the member's own phone from another account while one is bound."""

    member: Member


@dataclass(frozen=True)
class RosterBound:
    """A roster import pre-bound these members' chat accounts."""

    members: tuple[Member, ...]
