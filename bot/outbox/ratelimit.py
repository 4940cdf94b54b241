"""Telegram's sending limits, kept on our side so the platform never has to refuse us.

The platform counts a message when it *arrives*, somewhere between the moment we start the
request and the moment its answer is back. So each send holds a slot from the moment it is
granted until it completes, and then for ``window`` seconds after completing. A new send is
granted only while fewer than ``count`` sends are in flight or completed within the last
``window`` seconds. Then no ``count + 1`` sends can arrive within any ``window`` seconds,
whatever the network latency: of such a set, the last one granted would have seen all the
others in flight or completed less than ``window`` before (a send arrives no later than its
answer), and waited.

``async with limiter.slot(chat_id, private=…):`` waits for the chat's windows (private: 1/s; group:
20/min) and then for the overall one (30/s), and holds both until the block ends. Waits are
exact: a sleep until the moment a window frees, or until a send in flight completes — never
polling. Callers queue in order: one lock per chat, one for the overall window, so only the head
of each queue is awake. The overall queue serves the more urgent first (``priority``, lower first:
a reply before an alert), then in arrival order.

Time is injected: ``time`` (monotonic seconds) and ``sleep``; by default the running event
loop's clock and ``asyncio.sleep``, so a loop with virtual time (``bot.outbox.testing``) drives
everything without waiting. ``pause`` / ``pause_all`` hold a chat or everything when the platform
asks to wait anyway (a 429).
"""

from __future__ import annotations

import asyncio
import bisect
import heapq
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

Window = tuple[int, float]  # (count, seconds)
_NEVER = float("-inf")


@dataclass(frozen=True)
class RateLimits:
    """At most ``count`` messages in any ``seconds``: overall, per private chat, per group.

    Defaults are Telegram's published limits. ``slack`` lengthens every window a little.
    Telegram's FAQ also asks for ≤ 1 message/s in *any* chat; add ``(1, 1.0)`` to ``group``
    to follow it strictly (bursts to a group then take a second each).
    """

    overall: tuple[Window, ...] = ((30, 1.0),)
    private: tuple[Window, ...] = ((1, 1.0),)
    group: tuple[Window, ...] = ((20, 60.0),)
    slack: float = 0.01
    # Of each group window, this many sends are kept for interactive ones (replies, edits): bulk
    # may use 15 of a group's 20 a minute, so a burst of notices never leaves a resident's
    # reply waiting a minute for the window. A private chat's one a second has nothing to spare.
    group_reserve: int = 5
    # The overall window's sends are spread over it (one each 1/30 s) rather than granted in a
    # burst of 30: as many go out per second, but only a few are ever on the wire at once, and a
    # crash can double only a message on the wire (its ``sent`` mark not yet written).
    pace: bool = True

    @classmethod
    def off(cls) -> RateLimits:
        return cls(overall=(), private=(), group=(), slack=0.0, group_reserve=0, pace=False)

    @property
    def takeover_pause(self) -> float:
        """How long a sender that takes over from another waits before its first send: the
        longest overall or private-chat window (a group's minute is left to its reserve)."""
        return max((seconds + self.slack for _count, seconds in self.overall + self.private), default=0.0)

    @property
    def enabled(self) -> bool:
        return bool(self.overall or self.private or self.group)

    def for_chat(self, private: bool) -> tuple[Window, ...]:
        return self.private if private else self.group

    def reserve_for(self, private: bool) -> int:
        return 0 if private else self.group_reserve


class _PriorityLock:
    """An asyncio lock handed on to the waiter with the lowest ``(priority, arrival)``; a
    cancelled waiter takes nothing (and passes the lock on if it was just handed to it)."""

    __slots__ = ("_locked", "_waiters", "_arrivals")

    def __init__(self) -> None:
        self._locked = False
        self._waiters: list[tuple[int, int, asyncio.Future]] = []
        self._arrivals = itertools.count()

    def locked(self) -> bool:
        return self._locked

    async def acquire(self, priority: int = 0) -> None:
        if not self._locked and not self._waiters:
            self._locked = True
            return
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (priority, next(self._arrivals), future))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # handed to us as we were cancelled: hand it on
            raise

    def release(self) -> None:
        while self._waiters:
            _priority, _n, future = heapq.heappop(self._waiters)
            if not future.done():
                future.set_result(None)  # stays locked: ownership passes to that waiter
                return
        self._locked = False


class _Windows:
    """Sends in flight and the completion times of the latest ones, against sliding windows."""

    __slots__ = ("specs", "done", "depth", "in_flight", "not_before", "changed", "lock", "queue", "reserve",
                 "gap", "last_start")

    def __init__(self, specs: tuple[Window, ...], slack: float, reserve: int = 0, pace: bool = False) -> None:
        self.specs = tuple((count, seconds + slack) for count, seconds in specs)
        # paced: one start per ``seconds / count`` of the tightest window at most
        self.gap = min((seconds / count for count, seconds in self.specs), default=0.0) if pace else 0.0
        self.last_start = _NEVER
        self.reserve = reserve  # slots of each window bulk sends may not take
        self.depth = max((count for count, _ in self.specs), default=0)
        self.done: list[float] = []  # sorted; only the latest ``depth`` matter
        self.in_flight = 0
        self.not_before = _NEVER
        self.changed = asyncio.Event()  # set when a send completes
        self.lock = asyncio.Lock()  # a chat's: its sends one after another
        self.queue = _PriorityLock()  # the overall window's: the most urgent sender next

    def earliest(self, now: float, priority: int = 0) -> float | None:
        """When one more send may start; None while every slot is in flight. A bulk send
        (``priority > 0``) leaves ``reserve`` slots of each window to interactive ones."""
        at = max(now, self.not_before, self.last_start + self.gap)
        for count, seconds in self.specs:
            if priority > 0 and count > self.reserve:
                count -= self.reserve
            free = count - self.in_flight
            if free <= 0:
                return None
            if len(self.done) >= free:
                at = max(at, self.done[-free] + seconds)
        return at

    def start(self, now: float) -> None:
        if self.specs:
            self.in_flight += 1
            self.last_start = now

    def finish(self, at: float) -> None:
        if not self.specs:
            return
        self.in_flight -= 1
        bisect.insort(self.done, at)
        if len(self.done) > self.depth:
            del self.done[: len(self.done) - self.depth]
        self.changed.set()

    def idle_since(self, now: float) -> bool:
        horizon = max((s for _, s in self.specs), default=0.0)
        last = self.done[-1] if self.done else _NEVER
        return (
            self.in_flight == 0 and not self.lock.locked() and not self.queue.locked()
            and last + horizon <= now and self.not_before <= now
        )


@dataclass
class Permit:
    chat_id: int
    granted_at: float
    _chat: _Windows
    _overall: _Windows
    released: bool = False


class RateLimiter:
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
        self._overall = _Windows(self.limits.overall, self.limits.slack, pace=self.limits.pace)
        self._chats: dict[int, _Windows] = {}
        self._grants = 0
        self.waited = 0.0  # seconds callers slept on timers (a figure for benchmarks)

    @classmethod
    def unlimited(cls) -> RateLimiter:
        return cls(RateLimits.off())

    def now(self) -> float:
        return self._time() if self._time is not None else asyncio.get_running_loop().time()

    # --- the platform told us to wait ------------------------------------------------------

    def pause(self, chat_id: int, seconds: float, *, private: bool) -> None:
        """Send nothing more to ``chat_id`` for ``seconds`` (the platform said so)."""
        state = self._chat(chat_id, private)
        state.not_before = max(state.not_before, self.now() + seconds)

    def pause_all(self, seconds: float) -> None:
        """Send nothing at all for ``seconds`` (the overall flood limit was hit)."""
        self._overall.not_before = max(self._overall.not_before, self.now() + seconds)

    def paused_until(self, chat_id: int | None = None) -> float:
        if chat_id is None:
            return self._overall.not_before
        state = self._chats.get(chat_id)
        return max(self._overall.not_before, state.not_before if state else _NEVER)

    # --- acquiring -------------------------------------------------------------------------

    @asynccontextmanager
    async def slot(self, chat_id: int, *, private: bool, priority: int = 0) -> AsyncIterator[Permit]:
        """Hold a slot for one send to ``chat_id`` for the duration of the block; among the
        senders waiting for the overall window, a lower ``priority`` goes first."""
        permit = await self.acquire_permit(chat_id, private=private, priority=priority)
        try:
            yield permit
        finally:
            self.release(permit)

    async def acquire(self, chat_id: int, *, private: bool) -> float:
        """Wait for a slot and give it back at once (the send counts as completed when it was
        granted); returns the granted time. Prefer ``slot()``, which also covers latency."""
        permit = await self.acquire_permit(chat_id, private=private)
        self.release(permit, at=permit.granted_at)
        return permit.granted_at

    async def acquire_permit(self, chat_id: int, *, private: bool, priority: int = 0) -> Permit:
        """Wait until a send to ``chat_id`` (a private chat or a group) may start; ``release`` the
        permit when it is done. Cancelling a waiting caller takes nothing."""
        chat = self._chat(chat_id, private)
        overall = self._overall
        if not self.limits.enabled:
            now = self.now()
            if chat.not_before <= now and overall.not_before <= now:
                return Permit(chat_id, now, chat, overall)
        async with chat.lock:
            while True:
                await self._wait_for(chat, priority)
                await overall.queue.acquire(priority)
                try:
                    await self._wait_for(overall, priority)
                    now = self.now()
                    at = chat.earliest(now, priority)
                    if at is None or at > now:
                        continue  # the chat's windows moved meanwhile (a completion, a pause)
                    chat.start(now)
                    overall.start(now)
                    self._grants += 1
                    if self._grants % 4096 == 0:
                        self._prune(now)
                    return Permit(chat_id, now, chat, overall)
                finally:
                    overall.queue.release()

    def release(self, permit: Permit, *, at: float | None = None) -> None:
        if permit.released:
            return
        permit.released = True
        done = self.now() if at is None else at
        permit._chat.finish(done)
        permit._overall.finish(done)

    async def _wait_for(self, windows: _Windows, priority: int = 0) -> None:
        """Return once ``windows`` would let one more send of that priority start now."""
        while True:
            now = self.now()
            at = windows.earliest(now, priority)
            if at is None:  # every slot in flight: wait for one to complete
                windows.changed.clear()
                await windows.changed.wait()
            elif at > now:
                self.waited += at - now
                await self._sleep(at - now)
            else:
                return

    def _chat(self, chat_id: int, private: bool) -> _Windows:
        state = self._chats.get(chat_id)
        if state is None:
            state = self._chats[chat_id] = _Windows(
                self.limits.for_chat(private), self.limits.slack, self.limits.reserve_for(private)
            )
        return state

    def _prune(self, now: float) -> None:
        """Forget chats whose windows have all passed (keeps memory bounded)."""
        for chat_id in [c for c, state in self._chats.items() if state.idle_since(now)]:
            del self._chats[chat_id]
