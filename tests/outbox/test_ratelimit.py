"""The rate limiter: no window ever holds more than its limit, and nobody waits longer than needed."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.outbox import RateLimiter, RateLimits
from bot.outbox.testing import run_virtual

from .conftest import virtual

EPS = 1e-9


def assert_windows_hold(grants: list[float], count: int, window: float) -> None:
    """At most ``count`` grants in any half-open window of ``window`` seconds."""
    g = sorted(grants)
    for k in range(len(g) - count):
        assert g[k + count] - g[k] >= window - EPS, (k, g[k], g[k + count], count, window)


async def _grant_all(limiter: RateLimiter, requests: list[tuple[float, int]]) -> list[tuple[int, float, float]]:
    """Each request (arrival offset, chat) acquires once; returns (chat, arrival, grant) with
    the grant measured as the loop time when ``acquire`` returned."""
    loop = asyncio.get_running_loop()
    origin = loop.time()
    out: list[tuple[int, float, float]] = []

    async def one(at: float, chat: int) -> None:
        await asyncio.sleep(at)
        arrival = loop.time()
        await limiter.acquire(chat, private=chat > 0)
        out.append((chat, arrival, loop.time() - origin))

    await asyncio.gather(*(one(at, chat) for at, chat in requests))
    return out


def check_all_limits(limits: RateLimits, grants: list[tuple[int, float, float]]) -> None:
    times = [g for _, _, g in grants]
    for count, window in limits.overall:
        assert_windows_hold(times, count, window + limits.slack)
    for chat in {c for c, _, _ in grants}:
        mine = [g for c, _, g in grants if c == chat]
        for count, window in limits.for_chat(chat > 0):
            assert_windows_hold(mine, count, window + limits.slack)


requests = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=90, allow_nan=False),
        st.sampled_from([1, 2, 3, 4, 5, 6, 7, 8, -100, -200, -300]),
    ),
    min_size=1,
    max_size=120,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests, st.sampled_from([0.0, 0.05]), st.integers(min_value=2, max_value=30))
def test_no_window_ever_holds_more_than_its_limit(reqs, slack, overall):
    limits = RateLimits(overall=((overall, 1.0),), private=((1, 1.0),), group=((20, 60.0), (3, 2.0)), slack=slack)
    grants = run_virtual(_grant_all(RateLimiter(limits), reqs))
    assert len(grants) == len(reqs)
    check_all_limits(limits, grants)
    assert all(g >= arrival - 1000 - EPS for _, arrival, g in grants)  # never before it was asked


async def _send_all(limiter: RateLimiter, requests) -> list[tuple[int, float, float]]:
    """Each request (arrival offset, chat, latency) holds a slot while its send is under way;
    returns (chat, granted, completed)."""
    loop = asyncio.get_running_loop()
    out = []

    async def one(at: float, chat: int, latency: float) -> None:
        await asyncio.sleep(at)
        async with limiter.slot(chat, private=chat > 0):
            granted = loop.time()
            await asyncio.sleep(latency)
        out.append((chat, granted, loop.time()))

    await asyncio.gather(*(one(*r) for r in requests))
    return out


def assert_no_arrivals_bunch(sends: list[tuple[float, float]], count: int, window: float) -> None:
    """Whatever moment in [granted, completed] each send reaches the platform, no ``count + 1``
    of them can arrive within ``window``: for each send j and the ``count`` others granted no
    later with the latest completions, j's start is ≥ ``window`` after the earliest of those."""
    for j, (g_j, _) in enumerate(sends):
        ends = sorted(c for i, (g, c) in enumerate(sends) if i != j and g <= g_j)
        if len(ends) >= count:
            assert g_j - ends[-count] >= window - EPS, (g_j, ends[-count:], count, window)


timed_requests = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=20, allow_nan=False),
        st.sampled_from([1, 2, 3, -100, -200]),
        st.floats(min_value=0, max_value=2.5, allow_nan=False),
    ),
    min_size=1,
    max_size=80,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(timed_requests, st.integers(min_value=1, max_value=6))
def test_with_network_latency_the_platform_still_never_sees_too_many(reqs, overall):
    limits = RateLimits(overall=((overall, 1.0),), private=((1, 1.0),), group=((4, 3.0),), slack=0.0)
    sends = run_virtual(_send_all(RateLimiter(limits), reqs))
    assert len(sends) == len(reqs)
    assert_no_arrivals_bunch([(g, c) for _, g, c in sends], overall, 1.0)
    for chat in {c for c, _, _ in sends}:
        for count, window in limits.for_chat(chat > 0):
            assert_no_arrivals_bunch([(g, c) for ch, g, c in sends if ch == chat], count, window)


def test_a_lone_request_is_never_held_back():
    limits = RateLimits()
    grants = run_virtual(_grant_all(RateLimiter(limits), [(0.0, 1), (5.0, 2), (7.5, -9)]))
    assert sorted(g for _, _, g in grants) == [0.0, 5.0, 7.5]


def test_waits_are_exact_not_polled():
    """One private chat, ten messages at once: one a second (+slack), to the instant."""
    limits = RateLimits(slack=0.05)
    grants = run_virtual(_grant_all(RateLimiter(limits), [(0.0, 42)] * 10))
    times = sorted(g for _, _, g in grants)
    assert times == [round(i * 1.05, 9) for i in range(10)] or all(
        abs(t - i * 1.05) < 1e-6 for i, t in enumerate(times)
    )


def test_a_group_gets_twenty_a_minute():
    limits = RateLimits(slack=0.0, pace=False)  # the windows alone (pacing: below)
    grants = run_virtual(_grant_all(RateLimiter(limits), [(0.0, -5)] * 45))
    times = sorted(g for _, _, g in grants)
    assert times[:20] == [0.0] * 20 and times[20:40] == [60.0] * 20 and times[40:] == [120.0] * 5


def test_five_hundred_private_chats_at_thirty_a_second():
    limits = RateLimits(slack=0.05, pace=False)  # the windows alone (pacing: below)
    grants = run_virtual(_grant_all(RateLimiter(limits), [(0.0, 1000 + i) for i in range(500)]))
    times = sorted(g for _, _, g in grants)
    check_all_limits(limits, grants)
    # 30 per 1.05 s: the 500th goes at 16 × 1.05 s, nobody waits longer
    assert abs(times[-1] - 16 * 1.05) < 1e-6
    assert times.count(0.0) == 30


def test_paced_the_thirty_a_second_are_spread_over_the_second():
    """Paced (the default), 500 sends to 500 chats go one each 1.05/30 s — never a burst of 30
    on the wire at once, which a crash could double — and keep every limit."""
    limits = RateLimits(slack=0.05)
    grants = run_virtual(_grant_all(RateLimiter(limits), [(0.0, 1000 + i) for i in range(500)]))
    times = sorted(g for _, _, g in grants)
    check_all_limits(limits, grants)
    gap = 1.05 / 30
    assert all(b - a >= gap - 1e-9 for a, b in zip(times, times[1:]))
    assert abs(times[-1] - 499 * gap) < 1e-6  # 30 a window in the long run (the last 0.7 s later than in bursts)


@virtual
async def test_pauses_hold_a_chat_or_everything():
    limiter = RateLimiter(RateLimits(slack=0.0))
    loop = asyncio.get_running_loop()
    start = loop.time()
    limiter.pause(7, 5, private=True)
    await limiter.acquire(8, private=True)  # another chat is not held
    assert loop.time() == start
    await limiter.acquire(7, private=True)
    assert loop.time() - start == 5
    limiter.pause_all(3)
    await limiter.acquire(9, private=True)
    assert loop.time() - start == 8


@virtual
async def test_a_pause_arriving_while_waiting_sends_the_waiter_back_in_line():
    limiter = RateLimiter(RateLimits(overall=((1, 1.0),), slack=0.0))
    loop = asyncio.get_running_loop()
    start = loop.time()
    await limiter.acquire(1, private=True)  # takes the slot at 0
    waiter = asyncio.create_task(limiter.acquire(2, private=True))  # reserved for 1.0
    await asyncio.sleep(0.5)
    limiter.pause_all(4)  # the platform says: nothing until 4.5
    await waiter
    assert loop.time() - start >= 4.5


@virtual
async def test_unlimited_never_waits_and_cancelling_a_waiter_is_safe():
    unlimited = RateLimiter.unlimited()
    loop = asyncio.get_running_loop()
    start = loop.time()
    for _ in range(1000):
        await unlimited.acquire(1, private=True)
    assert loop.time() == start
    limited = RateLimiter(RateLimits(slack=0.0))
    await limited.acquire(3, private=True)
    waiter = asyncio.create_task(limited.acquire(3, private=True))
    await asyncio.sleep(0.1)
    waiter.cancel()
    await asyncio.gather(waiter, return_exceptions=True)
    await limited.acquire(3, private=True)  # the lock was released; the cancelled waiter took nothing
    assert loop.time() - start == 1.0


def test_forgotten_chats_are_pruned():
    async def main():
        limiter = RateLimiter(RateLimits(overall=(), slack=0.0))
        for round in range(4):
            for i in range(5000):
                await limiter.acquire(round * 10_000 + i + 1, private=True)
            await asyncio.sleep(2)
        return len(limiter._chats)

    assert run_virtual(main()) < 10_000  # 20,000 chats seen


def test_a_slot_counts_from_when_the_send_completed():
    limits = RateLimits(slack=0.0)
    sends = run_virtual(_send_all(RateLimiter(limits), [(0.0, 7, 0.3)] * 3))
    assert sorted(round(g - 1000, 9) for _, g, _ in sends) == [0.0, 1.3, 2.6]
    two = RateLimits(overall=((2, 1.0),), slack=0.0, pace=False)  # the window alone
    sends = run_virtual(_send_all(RateLimiter(two), [(0.0, c, 0.0) for c in (1, 2, 3, 4, 5)]))
    assert sorted(g - 1000 for _, g, _ in sends) == [0.0, 0.0, 1.0, 1.0, 2.0]
