"""The sender: delivers outbox rows through a ``Transport``, within the platform's limits.

How a row travels
-----------------
1. **Claim.** In one short transaction the sender picks due rows (``status='pending'``,
   ``next_attempt_at <= now``) in id order and claims them: ``attempts + 1`` and
   ``next_attempt_at = now + lease``. A claimed row is not due for anyone else, so two senders
   (two processes) never both take it; the lease is renewed while the row is in flight, and if
   the owner dies the row becomes due again when the lease runs out. Claims are serialised
   (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: a transaction advisory lock).
2. **Priority, and order per chat.** Each row is in one of two lanes (``priority``): interactive —
   a reply to what someone just wrote or tapped, a login link, every edit — or bulk (alerts,
   reminders, digests, notices). Rows are claimed interactive first, then by id; a chat's claimed
   rows are sent interactive first; the overall rate limit serves interactive sends first. Within
   a lane a chat's rows go in id order, across senders and retries: a row is skipped while an
   earlier row of the same chat in its lane or a more urgent one is in flight or waiting for a
   retry (pending, ``attempts > 0``, ``next_attempt_at`` in the future). So a reply to someone
   never waits behind the 500 alerts queued for their chat, and a bulk row never overtakes an
   interactive one. Edits are all interactive: two edits of one message keep their order, and the
   message an edit changes was sent before (the edit names its id). A row held back on purpose
   (``not_before``, quiet hours; ``attempts = 0``) does not hold back later ones. A chat holds at
   most ``per_chat`` claimed rows of a lane at a time (it can send only one a second, or twenty a
   minute), so one busy chat does not take the claims of the others; and when ``max_in_flight``
   rows are claimed, interactive rows are still claimed.
3. **Send.** One task per chat sends that chat's rows one after another; different chats go
   concurrently. Each send holds a ``RateLimiter`` slot until the platform answered, so the
   limits hold on arrival whatever the latency. No transaction is open while a message is on
   the wire.
4. **Record.** Outcomes are written in batches, each guarded by ``status='pending'``:
   ``sent`` (``sent_at``, ``sent_message_id``) exactly once; ``RetryAfter`` → due again after
   ``retry_after`` (that chat, or everything, paused in the limiter); ``TemporaryError`` →
   exponential backoff with jitter; ``PermanentError`` → ``dead`` at once; ``Unreachable`` →
   ``failed``, the member's account of that private chat marked unreachable (private chats only) and ``on_unreachable`` may
   queue a replacement in the same transaction; ``ChatMigrated`` (a group became a supergroup)
   → ``groups.move_chat`` carries the group over and the row is due again at once, to the new
   chat (an edit of a message in the old chat cannot follow: it ends ``dead``). A row has at most ``max_attempts`` tries
   (``temporary_attempts`` for network trouble), then it is ``dead``; when a row must wait, the
   rows after it in its chat are given back and wait behind it.

   Each outcome is written as soon as it is known — a message's ``sent`` mark right after the
   platform's answer, not with a batch (outcomes that arrive while a write is under way go in
   the next write: at Telegram's 30/s that is one message per write).

One sender per bot: the runtime runs it only while it owns the ``sender`` role
(``bot.infra.ownership``), so any number of processes together stay inside the platform's limits (the
rate limiter lives in the process). A claim is *fenced*: the claiming transaction checks that
this process still holds the role's lock, and claims nothing otherwise (``fence``,
``on_fenced``). Each claimed row carries its owner's name (``leased_by``); a sender that takes
over reclaims at once the leases of other owners (``run(reclaim=True)``): the lock proves they
are dead, so their rows need not wait for the lease to run out.

Delivery is at-least-once across crashes: if the process dies after the platform accepted a
message and before its ``sent`` mark is written (the time of one small write), that row is
sent again by the next owner. Only a message in flight at the moment of a crash can go twice;
without a crash a row is never sent twice.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import os
import random
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, func, or_, select, text
from sqlmodel import Session

from bot import identities
from bot.infra import metrics
from bot.places import groups
from bot.infra.clock import Clock, SystemClock
from bot.infra.db import Database
from bot.messages import Button
from models import OutboxMessage, OutboxPriority, OutboxStatus, PlatformChat

from bot.rich.render import fit

from .ratelimit import RateLimiter
from .reroute import reroute_alert
from .store import buttons_from_json, request_from_json, rich_of, scrubbed
from .transport import (
    ChatMigrated,
    UNLIMITED,
    OutboundMessage,
    PermanentError,
    PlatformLimits,
    RetryAfter,
    TemporaryError,
    Transport,
    Unreachable,
)

log = logging.getLogger(__name__)

# Hook called when a recipient cannot be reached: in the transaction that marks the row
# failed (and the member's account unreachable). It may enqueue replacements; what it returns is counted.
OnUnreachable = Callable[[Session, OutboxMessage, datetime], Iterable[OutboxMessage] | None]

CLAIM_LOCK_KEY = 0x6867_6A6F  # PostgreSQL advisory lock serialising claims ("hgjo")
PENDING = OutboxStatus.pending
INTERACTIVE = OutboxPriority.interactive
_T = OutboxMessage.__table__
_C = PlatformChat.__table__
_ERROR_MAX = 500


def _claim_query(*, interactive_only: bool):
    """The due rows a claim may take (see the module's docstring, 2.), as of ``:b_now``."""
    t = _T
    now = bindparam("b_now")
    # Per chat, the first row still in flight or waiting for a retry, in the interactive lane and
    # in any lane: an interactive row waits only behind an earlier interactive one, a bulk row
    # behind any earlier row. Found through the (status, next_attempt_at) index among the rows
    # due later (claims, retries, quiet-hour holds), never through a chat's history.
    blockers = (
        select(
            t.c.chat_id,
            func.min(case((t.c.priority == INTERACTIVE, t.c.id))).label("first_interactive"),
            func.min(t.c.id).label("first_any"),
        )
        .where(t.c.status == PENDING, t.c.next_attempt_at > now, t.c.attempts > 0)
        .group_by(t.c.chat_id)
        .cte("blockers")
    )
    first = case((t.c.priority == INTERACTIVE, blockers.c.first_interactive), else_=blockers.c.first_any)
    query = (
        select(
            t.c.id, t.c.chat_id, t.c.text, t.c.buttons, t.c.reply_to_message_id, t.c.photo,
            t.c.edit_message_id, t.c.kind, t.c.member_id, t.c.ref, t.c.attempts, t.c.request,
            t.c.priority, _C.c.platform, _C.c.external_id, _C.c.kind.label("chat_kind"),
        )
        .select_from(t.join(_C, _C.c.id == t.c.chat_id).outerjoin(blockers, blockers.c.chat_id == t.c.chat_id))
        .where(t.c.status == PENDING, t.c.next_attempt_at <= now, or_(first.is_(None), t.c.id < first))
        .order_by(t.c.priority, t.c.id)
        .limit(bindparam("b_limit"))
    )
    if interactive_only:
        query = query.where(t.c.priority == INTERACTIVE)
    return query


# The sender's statements, built once: each call only binds values, so SQLAlchemy finds the
# compiled form in its cache instead of building (and keying) a new statement every claim and
# every write — a claim used to spend more time constructing its SQL than running it.
_ROW = bindparam("b_id")
_IDS = bindparam("b_ids", expanding=True)
_NOW = bindparam("b_now")
_OWNER = bindparam("b_owner")
_PENDING_ROW = (_T.c.id == _ROW, _T.c.status == PENDING)
_SQL_CLAIM_LOCK = text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=CLAIM_LOCK_KEY)
_SQL_RECLAIM = (
    _T.update()
    .where(_T.c.status == PENDING, _T.c.leased_by.is_not(None), _T.c.leased_by != _OWNER)
    .values(next_attempt_at=_NOW, leased_by=None)
)
# rows written without a due time are due now
_SQL_UNDATED = _T.update().where(_T.c.status == PENDING, _T.c.next_attempt_at.is_(None)).values(next_attempt_at=_NOW)
_SQL_DUE = _claim_query(interactive_only=False)
_SQL_DUE_INTERACTIVE = _claim_query(interactive_only=True)
_SQL_CLAIM = (
    _T.update().where(_T.c.id.in_(_IDS))
    .values(attempts=_T.c.attempts + 1, next_attempt_at=bindparam("b_until"), leased_by=_OWNER)
)
_SQL_NEXT_DUE = select(func.min(_T.c.next_attempt_at)).where(_T.c.status == PENDING, _T.c.next_attempt_at > _NOW)
_SQL_RENEW = (
    _T.update().where(_T.c.id.in_(_IDS), _T.c.status == PENDING, _T.c.leased_by == _OWNER)
    .values(next_attempt_at=bindparam("b_until"))
)
_SQL_SENT = _T.update().where(*_PENDING_ROW).values(
    status=OutboxStatus.sent, sent_at=_NOW, sent_message_id=bindparam("b_mid"), last_error="", leased_by=None,
)
_SQL_RETRY = _T.update().where(*_PENDING_ROW).values(
    next_attempt_at=bindparam("b_at"), last_error=bindparam("b_err"), leased_by=None
)
_SQL_DEAD = _T.update().where(*_PENDING_ROW).values(
    status=OutboxStatus.dead, last_error=bindparam("b_err"), leased_by=None
)
_SQL_RELEASE = _T.update().where(*_PENDING_ROW).values(
    attempts=case((_T.c.attempts > 0, _T.c.attempts - 1), else_=0), next_attempt_at=_NOW, leased_by=None,
)
_SQL_FAILED = _T.update().where(*_PENDING_ROW).values(
    status=OutboxStatus.failed, last_error=bindparam("b_err"), leased_by=None
)
_SQL_SCRUB = _T.update().where(_T.c.id == _ROW).values(text=bindparam("b_text"))
_SQL_MOVED = _T.update().where(*_PENDING_ROW).values(
    next_attempt_at=_NOW, last_error=bindparam("b_err"), leased_by=None
)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8  # tries per row, then dead (flood limits, unexpected errors)
    # network trouble lasts longer than a flood wait: 1+2+4+…+300+300 s ≈ 18 min of tries
    temporary_attempts: int = 12
    backoff_base: float = 1.0  # seconds after the first temporary error; doubles each time
    backoff_max: float = 300.0
    jitter: float = 0.2  # ± this fraction of the delay
    lease: float = 30.0  # how long a claim keeps a row from other senders (renewed while held)

    def backoff(self, attempts: int, rng: random.Random) -> float:
        delay = min(self.backoff_max, self.backoff_base * 2.0 ** max(0, attempts - 1))
        return min(self.backoff_max, delay * (1.0 + rng.uniform(-self.jitter, self.jitter)))


@dataclass
class SenderStats:
    claimed: int = 0
    sent: int = 0
    retried: int = 0  # RetryAfter and temporary errors rescheduled
    rate_limited: int = 0  # RetryAfter received (429s)
    dead: int = 0
    failed: int = 0  # unreachable recipients
    rerouted: int = 0  # replacement rows queued by on_unreachable
    released: int = 0  # claims given back unsent (stop, or an earlier row of the chat retries)
    moved: int = 0  # rows whose group became a supergroup: sent again to the new chat id
    reclaimed: int = 0  # rows leased by a dead owner, made due again when this sender took over
    fenced: int = 0  # claims refused because this process no longer owned the sender role


@dataclass(slots=True)
class _Claim:
    message: OutboundMessage
    attempts: int  # including this claim
    priority: int = OutboxPriority.bulk

    @property
    def key(self) -> tuple[int, int]:
        return (self.priority, self.message.id)


class _ChatQueue:
    """One chat's claimed rows, sent most urgent lane first and in id order within a lane."""

    __slots__ = ("_heap", "waiting", "sooner")

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, _Claim]] = []
        self.waiting: int | None = None  # the priority the chat's worker is waiting for a slot with
        self.sooner = asyncio.Event()  # set when a more urgent claim arrives meanwhile

    def __len__(self) -> int:
        return len(self._heap)

    def push(self, claim: _Claim) -> None:
        heapq.heappush(self._heap, (*claim.key, claim))
        if self.waiting is not None and claim.priority < self.waiting:
            self.sooner.set()

    def peek(self) -> _Claim:
        return self._heap[0][2]

    def pop(self) -> _Claim:
        return heapq.heappop(self._heap)[2]

    def behind(self, claim: _Claim) -> list[_Claim]:
        """Take out the claims that must wait while ``claim`` waits: later ones of its lane and of
        less urgent lanes (an earlier bulk row may still go before a retried reply)."""
        priority, row_id = claim.key
        keep = [e for e in self._heap if e[0] < priority or e[1] < row_id]
        taken = [e[2] for e in self._heap if not (e[0] < priority or e[1] < row_id)]
        heapq.heapify(keep)
        self._heap = keep
        return taken

    def drain(self) -> list[_Claim]:
        taken = [e[2] for e in self._heap]
        self._heap = []
        return taken


@dataclass(slots=True)
class _Outcome:
    kind: str  # sent | retry | dead | failed | release | moved
    claim: _Claim
    message_id: str | None = None  # the platform's, as text
    new_chat_id: str | None = None  # moved: the platform's id of the chat's new self
    retry_at: datetime | None = None
    error: str = ""


class Sender:
    """``await sender.run()`` until ``sender.stop()``; ``notify()`` after committing rows."""

    def __init__(
        self,
        db: Database,
        transport: Transport,
        *,
        clock: Clock | None = None,
        limiter: RateLimiter | None = None,
        on_unreachable: OnUnreachable | None = reroute_alert,
        batch: int = 100,
        poll_interval: float = 1.0,
        max_in_flight: int | None = None,
        per_chat: int | None = None,
        retry: RetryPolicy | None = None,
        rng: random.Random | None = None,
        offload_db: bool = True,
        flush_interval: float = 0.0,
        owner: str | None = None,
        fence=None,
        on_fenced: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.transport = transport
        # what the platform takes; a transport that declares nothing is taken to take anything
        self.limits: PlatformLimits = getattr(transport, "limits", None) or UNLIMITED
        self.clock = clock or SystemClock()
        self.limiter = limiter if limiter is not None else RateLimiter()
        self.on_unreachable = on_unreachable
        self.batch = batch
        self.poll_interval = poll_interval
        self.max_in_flight = max_in_flight or 4 * batch
        # a chat's claims per lane: with limits a chat sends at most one a second (twenty a minute
        # to a group), so a longer queue only keeps rows from others; without limits, any number
        self.per_chat = per_chat or (20 if self.limiter.limits.enabled else batch)
        self.retry = retry or RetryPolicy()
        self.rng = rng or random.Random()
        self.offload_db = offload_db  # run DB calls in a thread so a busy database never blocks the loop
        self.flush_interval = flush_interval  # > 0: wait that long for outcomes to gather (a wider crash window)
        # the name written on this sender's leases; ``fence(conn) -> bool`` inside the claiming
        # transaction says whether this process still owns the role; ``on_fenced()`` runs when not
        self.owner = owner or f"sender pid={os.getpid()} {uuid.uuid4().hex[:8]}"
        self.fence = fence
        self.on_fenced = on_fenced
        self.is_owner = True  # the runtime runs it only while it owns the role, and says so here
        self.stats = SenderStats()

        self._queues: dict[int, _ChatQueue] = {}
        self._workers: dict[int, asyncio.Task] = {}
        self._inflight: dict[int, _Claim] = {}
        self._outcomes: list[_Outcome] = []
        self._wake = asyncio.Event()
        self._flush_needed = asyncio.Event()
        self._db_lock = asyncio.Lock()
        self._stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._heartbeat: asyncio.Task | None = None
        self._running = False
        self._recent_429: deque[tuple[float, int]] = deque()

    # --- public API ------------------------------------------------------------------------

    def notify(self) -> None:
        """New rows were committed: look now rather than at the next poll. Thread-safe."""
        loop = self._loop
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if loop is not None and running is not loop and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake.set)
        else:
            self._wake.set()

    def stop(self) -> None:
        """Ask ``run()`` to finish: nothing new is claimed, sends under way complete and are
        recorded, claimed rows not yet sent are given back."""
        self._stopping = True
        self._wake.set()

    async def run(self, *, reclaim: bool = False) -> None:
        """Send until ``stop()``. ``reclaim``: this sender just became the only one (it took the
        role's lock), so rows leased by any other sender belong to a dead owner: due at once."""
        self._loop = asyncio.get_running_loop()
        self._stopping = False
        self._running = True
        metrics.owner("sender", True)  # every running sender sends today; an elected one says so when elected
        flusher = asyncio.create_task(self._flusher(), name="outbox-flusher")
        try:
            if reclaim:
                # what a dead owner sent in its last second still counts in the platform's
                # windows, and nobody can say how much it was: one whole window passes first
                self.limiter.pause_all(self.limiter.limits.takeover_pause)
                try:
                    taken = await self._db_call(self._reclaim, self.clock.now())
                except Exception:
                    log.exception("outbox: reclaiming the leases of an earlier sender failed")
                else:
                    self.stats.reclaimed += taken
                    if taken:
                        log.info("outbox: %d rows leased by an earlier sender are due again", taken)
            while not self._stopping:
                self._wake.clear()
                try:
                    _claimed, next_due, more = await self._claim_and_dispatch()
                except Exception:
                    log.exception("outbox: claiming rows failed; trying again in %ss", self.poll_interval)
                    next_due, more = None, False
                if self._stopping:
                    break
                if more:
                    await asyncio.sleep(0)  # more are probably due: claim again at once
                    continue
                timeout = self.poll_interval
                if next_due is not None:
                    until_due = (next_due - self.clock.now()).total_seconds()
                    timeout = min(timeout, max(until_due, 0.001))
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout)
                except asyncio.TimeoutError:
                    pass
        finally:
            await self._shutdown(flusher)
            self._running = False
            metrics.owner("sender", False)

    async def drain(self, timeout: float | None = None) -> int:
        """Send everything due now (and what becomes due while doing so, e.g. rows queued by
        ``on_unreachable``); returns how many were sent. For tests and shutdown."""
        self._loop = asyncio.get_running_loop()
        alone = not self._running
        if alone:
            self._stopping = False  # draining after stop(): deliver what is due, then return
            flusher = asyncio.create_task(self._flusher(), name="outbox-flusher")
        before = self.stats.sent
        try:
            async with asyncio.timeout(timeout):
                while True:
                    claimed, _, _ = await self._claim_and_dispatch()
                    await self._settle()
                    if claimed == 0 and not self._inflight:
                        break
        finally:
            if alone:  # on a timeout too: what was claimed and not sent goes back
                await self._shutdown(flusher)
        return self.stats.sent - before

    async def send_due_once(self) -> int:
        """Claim one batch of due rows, send them and record the outcomes; returns the number
        of rows claimed."""
        self._loop = asyncio.get_running_loop()
        if not self._running:
            self._stopping = False
        claimed, _, _ = await self._claim_and_dispatch()
        await self._settle()
        return claimed

    # --- claiming ----------------------------------------------------------------------------

    async def _db_call(self, fn, *args):
        """This sender's database work, one call at a time (so a lease renewal never lands
        between an outcome being written and its row leaving ``_inflight``)."""
        async with self._db_lock:
            return await self._run_db(fn, *args)

    async def _run_db(self, fn, *args):
        if self.offload_db:
            return await asyncio.to_thread(fn, *args)
        return fn(*args)

    async def _claim_and_dispatch(self) -> tuple[int, datetime | None, bool]:
        """Claim what is due and hand it to the chats' workers: (rows claimed, when the next row
        falls due, whether more may be due now). With ``max_in_flight`` rows out, only
        interactive rows are claimed: a reply never waits for room behind bulk."""
        if self._stopping:
            return 0, None, False
        room = self.max_in_flight - len(self._inflight)
        interactive_only = room <= 0
        claims, next_due, more = await self._db_call(
            self._claim_rows, self.clock.now(), self.batch if interactive_only else min(self.batch, room),
            interactive_only,
        )
        if claims is None:  # the role is not ours any more: act no further
            self.stats.fenced += 1
            log.warning("outbox: this process no longer owns the sender role; sending stops")
            self.stop()
            if self.on_fenced is not None:
                self.on_fenced()
            return 0, None, False
        for claim in claims:
            msg = claim.message
            if msg.id in self._inflight:  # ours already (its lease ran out while the DB was away)
                continue
            self._inflight[msg.id] = claim
            queue = self._queues.get(msg.chat_id)
            if queue is None:
                queue = self._queues[msg.chat_id] = _ChatQueue()
            queue.push(claim)
            if msg.chat_id not in self._workers:
                self._workers[msg.chat_id] = asyncio.create_task(
                    self._work(msg.chat_id, queue), name=f"outbox-chat-{msg.chat_id}"
                )
        self.stats.claimed += len(claims)
        if claims and (self._heartbeat is None or self._heartbeat.done()):
            self._heartbeat = asyncio.create_task(self._renew_leases(), name="outbox-leases")
        return len(claims), next_due, more and not interactive_only

    def _reclaim(self, now: datetime) -> int:
        with self.db.transaction() as session:
            conn = session.connection()
            if self.fence is not None and not self.fence(conn):
                return 0
            return conn.execute(_SQL_RECLAIM, {"b_owner": self.owner, "b_now": now}).rowcount

    def _claim_rows(
        self, now: datetime, limit: int, interactive_only: bool = False
    ) -> tuple[list[_Claim] | None, datetime | None, bool]:
        with self.db.transaction() as session:
            conn = session.connection()
            if conn.dialect.name == "postgresql":
                conn.execute(_SQL_CLAIM_LOCK)
            if self.fence is not None and not self.fence(conn):
                return None, None, False
            conn.execute(_SQL_UNDATED, {"b_now": now})
            page = conn.execute(_SQL_DUE_INTERACTIVE if interactive_only else _SQL_DUE,
                                {"b_now": now, "b_limit": limit}).all()
            taken: dict[tuple[int, int], int] = {}
            rows = []
            for r in page:  # in (priority, id) order: what a chat gets is the head of each lane
                lane = (r.chat_id, r.priority)
                if taken.get(lane, 0) < self.per_chat:
                    taken[lane] = taken.get(lane, 0) + 1
                    rows.append(r)
            if rows:
                conn.execute(_SQL_CLAIM, {"b_ids": [r.id for r in rows], "b_until": now + self._lease,
                                          "b_owner": self.owner})
            next_due = conn.execute(_SQL_NEXT_DUE, {"b_now": now}).scalar()
            texts = [rich_of(r.text) for r in rows]
            mentions = _mention_ids(session, rows, texts)
        claims = [
            _Claim(
                OutboundMessage(
                    id=r.id, chat_id=r.chat_id, text=text_, buttons=_buttons(r.buttons),
                    reply_to_message_id=r.reply_to_message_id, photo=r.photo,
                    edit_message_id=r.edit_message_id, kind=r.kind, member_id=r.member_id, ref=r.ref,
                    platform=r.platform, external_chat_id=r.external_id, chat_kind=r.chat_kind,
                    mentions=mentions.get(r.platform, _NO_MENTIONS) if text_.mentions else _NO_MENTIONS,
                    **_request(r.request),
                ),
                attempts=r.attempts + 1,
                priority=r.priority,
            )
            for r, text_ in zip(rows, texts)
        ]
        return claims, next_due, len(page) >= limit

    @property
    def _lease(self) -> timedelta:
        return timedelta(seconds=self.retry.lease)

    async def _renew_leases(self) -> None:
        """Keep claims from running out while rows wait for the limiter or a slow send."""
        interval = self.retry.lease / 3
        while self._inflight:
            await asyncio.sleep(interval)
            try:
                async with self._db_lock:
                    # every claim not yet written back, sent or not: nobody else may take it
                    ids = list(self._inflight)
                    if ids:
                        await self._run_db(self._renew_rows, ids, self.clock.now() + self._lease)
            except Exception:
                log.exception("outbox: renewing leases failed")

    def _renew_rows(self, ids: list[int], until: datetime) -> None:
        with self.db.transaction() as session:
            session.connection().execute(_SQL_RENEW, {"b_ids": ids, "b_until": until, "b_owner": self.owner})

    # --- sending -----------------------------------------------------------------------------

    async def _work(self, chat_id: int, queue: _ChatQueue) -> None:
        """Send one chat's claimed rows: the most urgent lane first, each lane in id order. The
        row is picked when the limiter grants the slot, so a reply claimed meanwhile goes next."""
        try:
            while queue and not self._stopping:
                permit = await self._slot(chat_id, queue)
                try:  # the slot is held until the platform answered
                    if self._stopping:
                        break
                    claim = queue.pop()
                    outcome = await self._attempt_to_the_end(claim)
                finally:
                    self.limiter.release(permit)
                if outcome.kind == "moved":  # the rest of the chat follows it to the new id
                    for later in queue.drain():
                        self._record(_Outcome("release", later))
                elif outcome.kind == "retry":  # what may not overtake it waits behind it
                    for later in queue.behind(claim):
                        self._record(_Outcome("release", later))
        finally:
            for later in queue.drain():  # stopped or cancelled: what was not sent goes back
                self._record(_Outcome("release", later))
            if self._queues.get(chat_id) is queue:
                del self._queues[chat_id]
            if self._workers.get(chat_id) is asyncio.current_task():
                del self._workers[chat_id]

    async def _slot(self, chat_id: int, queue: _ChatQueue):
        """A limiter slot for the chat's most urgent claim. A bulk row may be waiting for a full
        window (a group's minute); when a reply is claimed meanwhile, the wait starts again with
        its priority, so it takes the slots kept for it instead of waiting with the bulk."""
        if not self.limiter.limits.enabled:  # no windows to wait for (only a 429's pause): no race
            head = queue.peek()
            return await self.limiter.acquire_permit(chat_id, private=head.message.is_private, priority=head.priority)
        while True:
            head = queue.peek()
            priority = head.priority
            queue.waiting = priority
            queue.sooner.clear()
            acquire = asyncio.ensure_future(self.limiter.acquire_permit(chat_id, private=head.message.is_private,
                                                                        priority=priority))
            sooner = asyncio.ensure_future(queue.sooner.wait())
            try:
                await asyncio.wait((acquire, sooner), return_when=asyncio.FIRST_COMPLETED)
            except asyncio.CancelledError:
                sooner.cancel()
                acquire.cancel()
                await asyncio.wait((acquire,))
                if not acquire.cancelled() and acquire.exception() is None:
                    self.limiter.release(acquire.result())
                raise
            finally:
                queue.waiting = None
            sooner.cancel()
            if not acquire.done():
                acquire.cancel()  # waiting takes nothing from the limiter
                await asyncio.wait((acquire,))
                if acquire.cancelled():
                    continue
            return acquire.result()  # granted (perhaps just as a reply came: it goes next anyway)

    async def _attempt_to_the_end(self, claim: _Claim) -> _Outcome:
        """A send under way is not abandoned half-way: cancelling waits for its outcome."""
        task = asyncio.ensure_future(self._attempt(claim))
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            await asyncio.wait([task])
            raise

    def _for_platform(self, msg: OutboundMessage) -> OutboundMessage:
        """The row as the platform takes it (its adapter declares how: ``transport.limits``): the
        text cut to its length, measured its way, ended with 「…」 — a message refused as too long
        would never arrive; an edit of a message sent before as a new message where the platform
        cannot edit (the card's new state still reaches the person, under the old one)."""
        limits = self.limits
        for row in msg.buttons:
            for b in row:
                if b.action is not None and len(b.action.pack().encode()) > limits.button_data_bytes:
                    raise PermanentError(f"button data over {limits.button_data_bytes} bytes on "
                                         f"{limits.platform}: {b.action.pack()!r}")
        text = fit(msg.text, limits.length_for(msg), limits.size)
        if msg.edit_message_id is not None and not limits.can_edit:
            return replace(msg, text=text, edit_message_id=None, reply_to_message_id=None)
        return replace(msg, text=text) if text is not msg.text else msg

    async def _attempt(self, claim: _Claim) -> _Outcome:
        msg = claim.message
        try:
            out = self._for_platform(msg)
            if out.edit_message_id is not None:
                message_id = await self.transport.edit(out)
            else:
                message_id = await self.transport.send(out)
        except RetryAfter as err:
            metrics.sent("429", msg.kind)
            self.stats.rate_limited += 1
            self._flood(msg.chat_id, err, private=msg.is_private)
            outcome = self._retry_or_dead(claim, err.seconds, f"RetryAfter: {err}")
        except Unreachable as err:
            metrics.sent("403", msg.kind)
            outcome = _Outcome("failed", claim, error=f"Unreachable: {err}")
        except ChatMigrated as err:
            metrics.sent("other", msg.kind)
            if err.new_chat_id and err.new_chat_id != msg.external_chat_id:
                outcome = _Outcome("moved", claim, new_chat_id=err.new_chat_id, error=f"ChatMigrated: {err}")
            else:
                outcome = _Outcome("dead", claim, error=f"ChatMigrated: {err}")
        except PermanentError as err:
            metrics.sent("other", msg.kind)
            outcome = _Outcome("dead", claim, error=f"{type(err).__name__}: {err}")
        except TemporaryError as err:
            metrics.sent("other", msg.kind)
            outcome = self._retry_or_dead(
                claim, self.retry.backoff(claim.attempts, self.rng), f"TemporaryError: {err}",
                cap=self.retry.temporary_attempts,
            )
        except Exception as err:  # a bug in a transport: retried like a temporary error, capped
            metrics.sent("other", msg.kind)
            log.exception("outbox: unexpected error sending row %s", msg.id)
            outcome = self._retry_or_dead(
                claim, self.retry.backoff(claim.attempts, self.rng), f"{type(err).__name__}: {err}"
            )
        else:
            metrics.sent("ok", msg.kind)
            outcome = _Outcome("sent", claim, message_id=None if message_id is None else str(message_id))
        self._record(outcome)
        return outcome

    def _retry_or_dead(self, claim: _Claim, delay: float, error: str, *, cap: int | None = None) -> _Outcome:
        if claim.attempts >= (cap or self.retry.max_attempts):
            return _Outcome("dead", claim, error=f"gave up after {claim.attempts} attempts; {error}")
        return _Outcome("retry", claim, retry_at=self.clock.now() + timedelta(seconds=delay), error=error)

    def _flood(self, chat_id: int, err: RetryAfter, *, private: bool) -> None:
        """Pause the chat; pause everything when the limit is the overall one (the transport
        says so, or two chats were refused within a second: our per-chat limits held, so it
        was not theirs)."""
        self.limiter.pause(chat_id, err.seconds, private=private)
        now = self.limiter.now()
        recent = self._recent_429
        recent.append((now, chat_id))
        while recent and recent[0][0] < now - 1.0:
            recent.popleft()
        if err.everywhere or len({c for _, c in recent}) >= 2:
            self.limiter.pause_all(err.seconds)

    # --- recording outcomes ------------------------------------------------------------------

    def _record(self, outcome: _Outcome) -> None:
        self._outcomes.append(outcome)
        stats = self.stats
        if outcome.kind == "sent":
            stats.sent += 1
        elif outcome.kind == "retry":
            stats.retried += 1
        elif outcome.kind == "dead":
            stats.dead += 1
            log.warning("outbox: row %s is dead: %s", outcome.claim.message.id, outcome.error)
        elif outcome.kind == "failed":
            stats.failed += 1
        elif outcome.kind == "moved":
            stats.moved += 1
            log.info("outbox: chat %s became %s; row %s follows it", outcome.claim.message.chat_id,
                     outcome.new_chat_id, outcome.claim.message.id)
        else:
            stats.released += 1
        self._flush_needed.set()

    async def _flusher(self) -> None:
        while True:
            await self._flush_needed.wait()
            self._flush_needed.clear()
            if self.flush_interval and len(self._outcomes) < self.batch:
                await asyncio.sleep(self.flush_interval)  # let a few outcomes gather
            if not await self._flush():
                await asyncio.sleep(self.poll_interval)
                self._flush_needed.set()

    async def _flush(self) -> bool:
        if not self._outcomes:
            return True
        outcomes, self._outcomes = self._outcomes, []
        try:
            async with self._db_lock:
                rerouted = await self._run_db(self._write, outcomes, self.clock.now())
                for outcome in outcomes:
                    self._inflight.pop(outcome.claim.message.id, None)
        except Exception:
            log.exception("outbox: recording %d outcomes failed; will retry", len(outcomes))
            self._outcomes[:0] = outcomes
            return False
        if not self._inflight and self._heartbeat is not None:
            self._heartbeat.cancel()
            self._heartbeat = None
        self.stats.rerouted += rerouted
        self._wake.set()  # rows held back behind these may be due now
        return True

    def _write(self, outcomes: list[_Outcome], now: datetime) -> int:
        by_kind: dict[str, list[_Outcome]] = {}
        for outcome in outcomes:
            by_kind.setdefault(outcome.kind, []).append(outcome)
        rerouted = 0
        with self.db.transaction() as session:
            conn = session.connection()
            if sent := by_kind.get("sent"):
                conn.execute(_SQL_SENT, [{"b_id": o.claim.message.id, "b_mid": o.message_id, "b_now": now}
                                         for o in sent])
            if retry := by_kind.get("retry"):
                conn.execute(_SQL_RETRY, [{"b_id": o.claim.message.id, "b_at": o.retry_at,
                                           "b_err": o.error[:_ERROR_MAX]} for o in retry])
            if dead := by_kind.get("dead"):
                conn.execute(_SQL_DEAD, [{"b_id": o.claim.message.id, "b_err": o.error[:_ERROR_MAX]} for o in dead])
            if release := by_kind.get("release"):
                conn.execute(_SQL_RELEASE, [{"b_id": o.claim.message.id, "b_now": now} for o in release])
            for outcome in by_kind.get("failed", ()):
                rerouted += self._write_unreachable(session, outcome, now)
            # done with (sent, given up, unreachable and re-routed): a login or invitation link
            # in it has done its work and is not kept
            secrets = [{"b_id": o.claim.message.id, "b_text": text.to_json()} for o in outcomes
                       if o.kind in ("sent", "dead", "failed") and (text := scrubbed(o.claim.message.text))]
            if secrets:
                conn.execute(_SQL_SCRUB, secrets)
            if moved := by_kind.get("moved"):
                # the group and its pending rows (these among them) move to the new id; the rows
                # are due again at once — an edit of an old message is left dead by move_chat
                for old, platform, new in dict.fromkeys(
                        (o.claim.message.chat_id, o.claim.message.platform, o.new_chat_id) for o in moved):
                    new_chat = identities.resolve_chat(session, platform, new, kind="group", now=now)
                    groups.move_chat(session, old, new_chat.id, now=now)
                conn.execute(_SQL_MOVED, [{"b_id": o.claim.message.id, "b_now": now, "b_err": o.error[:_ERROR_MAX]}
                                          for o in moved])
        return rerouted

    def _write_unreachable(self, session: Session, outcome: _Outcome, now: datetime) -> int:
        msg = outcome.claim.message
        done = session.connection().execute(_SQL_FAILED, {"b_id": msg.id, "b_err": outcome.error[:_ERROR_MAX]})
        if done.rowcount == 0:
            return 0
        if msg.member_id is not None and msg.is_private:
            # a private chat that refuses us is that account's (the member may have others, on
            # other platforms, that still take messages); a group that does is not
            identities.blocked(session, msg.chat_id)
        if self.on_unreachable is None:
            return 0
        row = session.get(OutboxMessage, msg.id)
        try:
            with session.begin_nested():
                added = list(self.on_unreachable(session, row, now) or ())
                session.flush()
        except Exception:
            log.exception("outbox: on_unreachable failed for row %s", msg.id)
            return 0
        return len(added)

    # --- waiting and stopping ----------------------------------------------------------------

    async def _settle(self) -> None:
        """Wait until every claimed row has an outcome, then write them."""
        while self._workers:
            await asyncio.gather(*list(self._workers.values()), return_exceptions=True)
        if not await self._flush():
            await asyncio.sleep(self.poll_interval)

    async def _shutdown(self, flusher: asyncio.Task) -> None:
        workers = list(self._workers.values())
        for task in workers:
            task.cancel()
        if workers:
            await asyncio.gather(*workers, return_exceptions=True)
        flusher.cancel()
        await asyncio.gather(flusher, return_exceptions=True)
        await self._flush()
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            await asyncio.gather(self._heartbeat, return_exceptions=True)
            self._heartbeat = None


_NO_MENTIONS: dict = {}


def _mention_ids(session: Session, rows, texts) -> dict[str, dict]:
    """Per platform, the account id there of everyone the claimed texts mention (a mention names
    an account key or a member; the platform's renderer needs its own id): looked up here, with
    the database, so no renderer ever touches it. Nothing at all for texts without mentions."""
    wanted: dict[str, set] = {}
    for r, text_ in zip(rows, texts):
        if text_.mentions:
            wanted.setdefault(r.platform, set()).update(m.who for m in text_.mentions)
    return {platform: identities.mention_ids(session, platform, whos) for platform, whos in wanted.items()}


def _request(raw: str) -> dict:
    ask_contact, clear = request_from_json(raw)
    return {"ask_contact": ask_contact, "clear_request": clear}


def _buttons(raw: str) -> list[list[Button]]:
    try:
        return buttons_from_json(raw)
    except (ValueError, KeyError, TypeError):
        log.warning("outbox: unreadable buttons %r dropped", raw[:100])
        return []
