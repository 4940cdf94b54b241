"""What the office's scheduled messages tell, as facts (``bot.notices``): the morning digest, the
weekly group note, the quarterly unit scoreboard. Their words are ``handlers.texts.office``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from models import Rota, Shift


@dataclass(frozen=True)
class MorningDigest:
    """A grid manager's day: open issues with their age, the day's shifts, yesterday's misses."""

    name: str  # the manager's
    grid: str
    day: date
    issues: tuple[tuple[int, str, float], ...]  # (issue id, what was written, days open), oldest first
    shifts: tuple[tuple[Shift, Rota, ZoneInfo, tuple[str, ...]], ...]  # (…, names of the people on)
    missed: tuple[tuple[int, str, int, int], ...]  # (shift id, rota name, checked in, quorum)


@dataclass(frozen=True)
class WeeklyNote:
    start: datetime  # local: the week's first instant
    end: datetime  # local: its last second
    solved: int
    solved_first: tuple[tuple[int, str], ...]  # (issue id, what was written), a few
    wishes: int
    turns: int  # check-ins on patrols
    thanks: tuple[str, ...] | None  # who solved and fulfilled, most first; None: nobody
    star: tuple[str, int] | None  # (name, points) of the week's best


@dataclass(frozen=True)
class Scoreboard:
    period: str  # 「2026年第4季度」
    community: str
    rows: tuple[tuple[str, int, int], ...]  # (unit, dual check-ins, points), best first
