"""Telegram's sending limits, kept on our side so the platform never has to refuse us.

Sliding windows: "at most ``count`` sends in any ``window`` seconds" holds iff for the grant
times g₁ ≤ g₂ ≤ …, g[k + count] − g[k] ≥ window. Each window keeps the last ``count`` grant
times; the earliest next grant is ``max(now, oldest + window)``. ``acquire`` computes the exact
moment it may go and sleeps once until then (no polling), then records it.

Per chat, acquisitions are serialised (a lock per chat), so the chat's grants are in order.
Overall, a caller first waits for its chat, then reserves the next overall slot: reservations
are made in time order, so the overall grants are in order too, and a slot is recorded before
the caller sleeps, so concurrent callers never both take the last one.

Time is injected: ``time`` (a monotonic clock in seconds) and ``sleep``; by default the running
event loop's clock and ``asyncio.sleep``, so a loop with virtual time (``bot.outbox.testing``)
drives everything without waiting.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

Window = tuple[int, float]  # (count, seconds)


@dataclass(frozen=True)
class RateLimits:
    """At most ``count`` messages in any ``seconds``, overall, per private chat, per group.

    Defaults are Telegram's published limits. ``slack`` lengthens every window a little: the
    platform measures arrival, not departure, and two bursts a window apart must not arrive
    closer than that. Telegram's FAQ also asks for ≤ 1 message/s in *any* chat; add
    ``(1, 1.0)`` to ``group`` to follow it strictly (bursts to a group then take a second each).
    """

    overall: tuple[Window, ...] = ((30, 1.0),)
    private: tuple[Window, ...] = ((1, 1.0),)
    group: tuple[Window, ...] = ((20, 60.0),)
    slack: float = 0.05

    @classmethod
    def off(cls) -> RateLimits:
        return cls(overall=(), private=(), group=(), slack=0.0)

    @property
    def enabled(self) -> bool:
        return bool(self.overall or self.private or self.group)

    def for_chat(self, chat_id: int) -> tuple[Window, ...]:
        return self.private if chat_id > 0 else self.group


class _Windows:
    """The last grants against a set of sliding windows (grants recorded in time order)."""

    __slots__ = ("specs", "stamps", "not_before")

    def __init__(self, specs: tuple[Window, ...], slack: float) -> None:
        self.specs = tuple((count, seconds + slack) for count, seconds in specs)
        depth = max((count for count, _ in self.specs), default=0)
        self.stamps: deque[float] = deque(maxlen=depth or None)
        self.not_before = float("-inf")

    def earliest(self, now: float) -> float:
        at = max(now, self.not_before)
        stamps = self.stamps
        for count, seconds in self.specs:
            if len(stamps) >= count:
                at = max(at, stamps[-count] + seconds)
        return at

    def record(self, at: float) -> None:
        if self.specs:
            self.stamps.append(at)

    def last(self) -> float:
        return self.stamps[-1] if self.stamps else float("-inf")

    def horizon(self) -> float:
        return max((s for _, s in self.specs), default=0.0)


class _Chat:
    __slots__ = ("windows", "lock")

    def __init__(self, windows: _Windows) -> None:
        self.windows = windows
        self.lock = asyncio.Lock()


class RateLimiter:
    """``await limiter.acquire(chat_id)`` returns when one message may go to that chat."""

    def __init__(
        self,
        limits: RateLimits | None = None,
        *,
        time: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self.limits = limits if limits is not None else RateLimits()
        self._time = time
        self._sleep = sleep or asyncio.sleep
        self._overall = _Windows(self.limits.overall, self.limits.slack)
        self._chats: dict[int, _Chat] = {}
        self._grants = 0
        self.waited = 0.0  # total seconds callers were held back (a figure for benchmarks)

    @classmethod
    def unlimited(cls) -> RateLimiter:
        return cls(RateLimits.off())

    def now(self) -> float:
        return self._time() if self._time is not None else asyncio.get_running_loop().time()

    # --- the platform told us to wait ------------------------------------------------------

    def pause(self, chat_id: int, seconds: float) -> None:
        """Send nothing more to ``chat_id`` for ``seconds`` (the platform said so)."""
        state = self._chat(chat_id)
        state.windows.not_before = max(state.windows.not_before, self.now() + seconds)

    def pause_all(self, seconds: float) -> None:
        """Send nothing at all for ``seconds`` (the overall flood limit was hit)."""
        self._overall.not_before = max(self._overall.not_before, self.now() + seconds)

    def paused_until(self, chat_id: int | None = None) -> float:
        if chat_id is None:
            return self._overall.not_before
        state = self._chats.get(chat_id)
        return max(self._overall.not_before, state.windows.not_before if state else float("-inf"))

    # --- acquiring -------------------------------------------------------------------------

    async def acquire(self, chat_id: int) -> float:
        """Wait until a message may go to ``chat_id``; returns the granted (monotonic) time.

        Cancelling a waiting caller is safe; the slot it reserved stays used (errs on the
        side of sending less)."""
        if not self.limits.enabled and self._overall.not_before == float("-inf"):
            state = self._chats.get(chat_id)
            if state is None or state.windows.not_before == float("-inf"):
                return self.now()
        state = self._chat(chat_id)
        async with state.lock:
            while True:
                # 1. this chat's own windows (and a pause the platform asked for)
                await self._wait_until(state.windows.earliest(self.now()))
                # 2. the next overall slot, reserved before sleeping
                overall = self._overall
                at = overall.earliest(self.now())
                overall.record(at)
                await self._wait_until(at)
                # a pause that came in meanwhile (a 429 elsewhere) moves us back in line
                if overall.not_before > at or state.windows.not_before > at:
                    continue
                state.windows.record(at)
                self._grants += 1
                if self._grants % 4096 == 0:
                    self._prune(at)
                return at

    async def _wait_until(self, at: float) -> None:
        delay = at - self.now()
        if delay > 0:
            self.waited += delay
            await self._sleep(delay)

    def _chat(self, chat_id: int) -> _Chat:
        state = self._chats.get(chat_id)
        if state is None:
            state = self._chats[chat_id] = _Chat(
                _Windows(self.limits.for_chat(chat_id), self.limits.slack)
            )
        return state

    def _prune(self, now: float) -> None:
        """Forget chats whose windows have all passed (keeps memory bounded)."""
        stale = [
            chat_id
            for chat_id, state in self._chats.items()
            if not state.lock.locked()
            and state.windows.last() + state.windows.horizon() <= now
            and state.windows.not_before <= now
        ]
        for chat_id in stale:
            del self._chats[chat_id]
