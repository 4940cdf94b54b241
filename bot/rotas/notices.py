"""What the rota's scheduled messages tell, as facts (``bot.notices``): the shift, the rota, the
people, the time. Their words are ``handlers.texts.rotas``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from models import Member, Rota, Shift


@dataclass(frozen=True)
class ShiftFacts:
    shift: Shift
    rota: Rota
    tz: ZoneInfo
    today: date  # in the rota's zone: 「明天」 is counted from it


@dataclass(frozen=True)
class EveReminder:
    """The evening before a shift, to one person on it (or its backup)."""

    at: ShiftFacts
    others: tuple[Member, ...]  # the rest of the people on it
    backup: Member | None
    as_backup: bool
    on: tuple[Member | None, ...] = ()  # everyone on it (what the backup is told)


@dataclass(frozen=True)
class StartReminder:
    """A shift begins, to one person on it, with the previous shift's handoff note."""

    at: ShiftFacts
    others: tuple[Member, ...]
    handoff_note: str = ""
    handoff_by: Member | None = None


@dataclass(frozen=True)
class QuorumCall:
    """A shift short of people: to the free team members (``team_free``), else to whoever arranges."""

    at: ShiftFacts
    on: tuple[Member, ...]
    need: int
    team_free: bool


@dataclass(frozen=True)
class MissedCheckIn:
    """A shift under way with fewer check-ins than its quorum; ``to`` is who hears of it:
    ``backup`` (come and cover), ``team`` (anyone free, come), ``route`` (arrange it)."""

    at: ShiftFacts
    to: str
    place: str
    minutes: int  # since the start
    present: int
    arrived: tuple[Member | None, ...]
    on: tuple[Member, ...]
    backup: Member | None
