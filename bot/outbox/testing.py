"""Test helpers: a transport that records instead of sending, and an event loop with virtual time.

``run_virtual(coro)`` runs a coroutine on a ``VirtualTimeLoop``: whenever every task is waiting
for a timer, the loop's clock jumps to that timer instead of sleeping, so a test that waits an
hour of rate limits and retries finishes in milliseconds, in a deterministic order. Only for code
that does no real I/O (run database calls inline: ``Sender(..., offload_db=False)``).
"""

from __future__ import annotations

import asyncio
import selectors
from collections import defaultdict, deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

from .ratelimit import RateLimits
from .transport import UNLIMITED, OutboundMessage, PlatformLimits, RetryAfter

T = TypeVar("T")


class _JumpSelector(selectors.DefaultSelector):
    def __init__(self) -> None:
        super().__init__()
        self.loop: VirtualTimeLoop | None = None

    def select(self, timeout: float | None = None):
        ready = super().select(0)
        if ready or timeout == 0:
            return ready
        if timeout is None:  # nothing scheduled at all: real I/O is the only way forward
            ready = super().select(5.0)
            if not ready:
                raise RuntimeError("virtual-time loop is idle with no timer and no I/O: a deadlock")
            return ready
        self.loop.advance(timeout)
        return []


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """``loop.time()`` starts at ``start`` and moves only when the loop would otherwise sleep."""

    def __init__(self, start: float = 1000.0) -> None:
        selector = _JumpSelector()
        super().__init__(selector)
        selector.loop = self
        self._virtual_now = float(start)

    def time(self) -> float:
        return self._virtual_now

    def advance(self, seconds: float) -> None:
        self._virtual_now += max(0.0, seconds)


def run_virtual(coro: Coroutine[Any, Any, T], *, start: float = 1000.0) -> T:
    loop = VirtualTimeLoop(start)
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


class LoopClock:
    """A ``bot.clock`` whose ``now()`` follows the running loop's clock (virtual in tests), so
    due times in the database and waits in the loop agree."""

    def __init__(self, start: datetime) -> None:
        self.start = start.astimezone(timezone.utc)
        self._origin: float | None = None

    def _loop_time(self) -> float:
        now = asyncio.get_running_loop().time()
        if self._origin is None:
            self._origin = now
        return now - self._origin

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self._loop_time())


def platform_chat(message: OutboundMessage) -> int | str:
    """The chat as the platform names it (Telegram's are numbers)."""
    ext = message.external_chat_id
    return int(ext) if ext.lstrip("-").isdigit() else ext


@dataclass(frozen=True)
class Delivery:
    at: float  # loop time
    message: OutboundMessage
    message_id: str  # as a platform answers: its message ids are text to the core
    edit: bool = False

    @property
    def chat(self) -> int | str:
        return platform_chat(self.message)


class FakeTransport:
    """Records deliveries; raises what a test scripts. Chats are named as the platform names them
    (``OutboundMessage.external_chat_id``; Telegram's as numbers), as a platform's server would.

    ``fail(chat_id, *errors)`` — the next sends to that chat raise these, in order;
    ``block(chat_id, error)`` — every send to that chat raises it (until ``unblock``);
    ``enforce`` — answer ``RetryAfter`` like the platform when these limits are broken
    (measured on the loop clock), counting them in ``refused``;
    ``latency`` — seconds each call takes (on the loop clock);
    ``limits`` — what the platform it plays declares (a platform that cannot edit: ``can_edit``
    false, and ``edit`` is never called).
    """

    def __init__(self, *, latency: float = 0.0, enforce: RateLimits | None = None,
                 limits: PlatformLimits = UNLIMITED) -> None:
        self.limits = limits
        self.latency = latency
        self.deliveries: list[Delivery] = []
        self.attempts: list[tuple[float, OutboundMessage]] = []  # every call, failed or not
        self.calls = 0
        self.refused = 0
        self._scripted: dict[int, deque[BaseException]] = defaultdict(deque)
        self._blocked: dict[int, BaseException] = {}
        self._next_id = 1000
        self._enforce = enforce
        self._stamps: dict[Any, deque[float]] = defaultdict(deque)
        self.before_send: Callable[[OutboundMessage], None] | None = None

    def fail(self, chat_id: int, *errors: BaseException) -> None:
        self._scripted[chat_id].extend(errors)

    def block(self, chat_id: int, error: BaseException) -> None:
        self._blocked[chat_id] = error

    def unblock(self, chat_id: int) -> None:
        self._blocked.pop(chat_id, None)

    def sent_to(self, chat_id: int | str) -> list[OutboundMessage]:
        return [d.message for d in self.deliveries if d.chat == chat_id]

    @property
    def sent_ids(self) -> list[int]:
        return [d.message.id for d in self.deliveries]

    async def send(self, message: OutboundMessage) -> str:
        return await self._deliver(message, edit=False)

    async def edit(self, message: OutboundMessage) -> str:
        if not self.limits.can_edit:
            raise AssertionError(f"{self.limits.platform} cannot edit, yet row {message.id} was sent as an edit")
        return await self._deliver(message, edit=True)

    async def _deliver(self, message: OutboundMessage, *, edit: bool) -> str:
        self.calls += 1
        self.attempts.append((asyncio.get_running_loop().time(), message))
        if self.before_send is not None:
            self.before_send(message)
        if self.latency:
            await asyncio.sleep(self.latency)
        else:
            await asyncio.sleep(0)
        chat_id = platform_chat(message)
        if chat_id in self._blocked:
            raise self._blocked[chat_id]
        if self._scripted.get(chat_id):
            raise self._scripted[chat_id].popleft()
        now = asyncio.get_running_loop().time()
        if self._enforce is not None and not edit:
            self._check_limits(chat_id, now, message.is_private)
        if edit:
            message_id = message.edit_message_id
        else:
            self._next_id += 1
            message_id = str(self._next_id)
        self.deliveries.append(Delivery(now, message, message_id, edit))
        return message_id

    def _check_limits(self, chat_id: int | str, now: float, private: bool) -> None:
        """Like the platform (no slack): (now − window, now] may hold ``count`` − 1 earlier sends."""
        limits = self._enforce
        checks = [("all", c, w) for c, w in limits.overall]
        checks += [(chat_id, c, w) for c, w in limits.for_chat(private)]
        for key, count, window in checks:
            stamps = self._stamps[(key, window)]
            while stamps and stamps[0] <= now - window:
                stamps.popleft()
            if len(stamps) >= count:
                self.refused += 1
                raise RetryAfter(max(1.0, stamps[-count] + window - now), "Too Many Requests")
        for key, count, window in checks:
            self._stamps[(key, window)].append(now)
