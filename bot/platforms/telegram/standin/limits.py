"""Telegram's sending limits, as sliding windows over an injectable monotonic clock."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields

__all__ = ["Limits", "ManualClock", "RateLimiter"]


@dataclass
class Limits:
    """At most ``*_count`` messages per ``*_window`` seconds; ``enabled=False`` switches all off.

    Defaults are Telegram's: 30 messages/s per bot, 1 message/s per private chat and
    20 messages/min per group.
    """

    enabled: bool = True
    global_count: int = 30
    global_window: float = 1.0
    private_count: int = 1
    private_window: float = 1.0
    group_count: int = 20
    group_window: float = 60.0

    @classmethod
    def off(cls) -> "Limits":
        return cls(enabled=False)

    def to_dict(self) -> dict:
        return asdict(self)

    def updated(self, changes: dict) -> "Limits":
        known = {f.name: f.type for f in fields(self)}
        values = self.to_dict()
        for key, value in changes.items():
            if key not in known:
                raise ValueError(f"unknown limit {key!r}")
            if key == "enabled":
                values[key] = bool(value)
            elif key.endswith("_count"):
                values[key] = int(value)
                if values[key] < 1:
                    raise ValueError(f"{key} must be at least 1")
            else:
                values[key] = float(value)
                if values[key] <= 0:
                    raise ValueError(f"{key} must be positive")
        return Limits(**values)


class ManualClock:
    """A monotonic time source that only moves when told to (for tests)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = float(start)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time only moves forward")
        self.now += seconds


class _Window:
    """Timestamps of the last ``count`` accepted sends."""

    __slots__ = ("stamps",)

    def __init__(self) -> None:
        self.stamps: deque[float] = deque()

    def retry_after(self, now: float, count: int, window: float) -> int:
        stamps = self.stamps
        while stamps and stamps[0] <= now - window:
            stamps.popleft()
        if len(stamps) < count:
            return 0
        # The send becomes possible once the oldest of the last ``count`` leaves the window.
        wait = stamps[-count] + window - now
        return max(1, math.ceil(wait - 1e-9))

    def add(self, now: float, count: int) -> None:
        self.stamps.append(now)
        while len(self.stamps) > count:
            self.stamps.popleft()


class RateLimiter:
    """One per bot: an overall window and one window per chat."""

    def __init__(self, limits: Limits, time_source: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.time_source = time_source
        self._global = _Window()
        self._chats: dict[int, _Window] = {}

    def check(self, chat_id: int, is_private: bool) -> int:
        """0 and the send is counted, or the whole seconds to wait (nothing counted)."""
        lim = self.limits
        if not lim.enabled:
            return 0
        now = self.time_source()
        if is_private:
            count, window = lim.private_count, lim.private_window
        else:
            count, window = lim.group_count, lim.group_window
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Window()
        wait = max(
            self._global.retry_after(now, lim.global_count, lim.global_window),
            chat.retry_after(now, count, window),
        )
        if wait:
            return wait
        self._global.add(now, lim.global_count)
        chat.add(now, count)
        return 0
