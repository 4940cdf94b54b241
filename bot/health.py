"""Is this process alive, and is it ready? What ``/healthz`` and ``/readyz`` answer.

Ready means: the database answers; updates are arriving (polling: a ``getUpdates`` answered
within ``HGJ_READY_UPDATE_AGE_SECONDS``; webhook: a delivery within
``HGJ_READY_WEBHOOK_AGE_SECONDS`` when that is set — a quiet night brings no deliveries, so it is
off by default); and, where this process runs the sender, no outbox row has waited to be sent
longer than ``HGJ_READY_REPLY_AGE_SECONDS`` (replies) or ``HGJ_READY_BULK_AGE_SECONDS``
(alerts, reminders). Who owns the scheduler and the sender is reported, not judged: a standby
is as ready to take webhooks as the owner. A limit of 0 switches that check off.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import case, func, select, text

from bot.infra import metrics
from bot.infra.clock import Clock
from bot.infra.config import Settings
from bot.infra.db import Database, one_line
from models import OutboxMessage, OutboxPriority, OutboxStatus

log = logging.getLogger(__name__)

THIS_PROCESS, ANOTHER_PROCESS, NOT_HERE = "this process", "another process", "not run here"


@dataclass
class Probe:
    """What the running process knows about itself, for ``/readyz``. The runtime fills it in as
    its parts start; the web app only reads it."""

    db: Database
    settings: Settings
    clock: Clock
    mode: str = "off"  # how updates arrive here: polling | webhook | off
    started_at: datetime | None = None
    last_update: datetime | None = None
    scheduler: Any = None  # bot.scheduler.SchedulerHandle, when the scheduler runs in this process
    sender: Any = None  # bot.outbox.Sender, when the sender runs in this process

    def __post_init__(self) -> None:
        if self.started_at is None:
            self.started_at = self.clock.now()

    def updates_arrived(self) -> None:
        """Polling got an answer from ``getUpdates`` (even an empty one), or a webhook delivery came."""
        self.last_update = self.clock.now()
        metrics.updates_arrived(self.last_update.timestamp())


def ownership(probe: Probe | None) -> dict[str, str]:
    """Who owns the scheduler and the sender, as this process knows it.

    The scheduler and the sender are each owned by one process (``bot.infra.ownership``): held
    here, or this process stands by because another holds the role's lock, or the role is not
    run here. ``bot.infra.ownership.owners(holders=True)`` also names the holder.
    """
    if probe is None:
        return {"scheduler": NOT_HERE, "sender": NOT_HERE}
    scheduler = probe.scheduler
    if scheduler is None:
        sched = NOT_HERE
    else:
        sched = THIS_PROCESS if scheduler.is_owner else ANOTHER_PROCESS
    sender = probe.sender
    if sender is None:
        send = NOT_HERE
    else:
        send = THIS_PROCESS if getattr(sender, "is_owner", True) else ANOTHER_PROCESS
    return {"scheduler": sched, "sender": send}


@dataclass(frozen=True)
class OutboxState:
    due: dict[str, int]  # lane → rows pending and due now (not claimed by a sender)
    held: int  # pending, due later: quiet hours, a retry's wait, or claimed and on their way
    oldest: dict[str, float]  # lane → seconds the oldest due row has waited

    @property
    def oldest_any(self) -> float:
        return max(self.oldest.values(), default=0.0)


def outbox_state(db: Database, now: datetime) -> OutboxState:
    """One query over the pending rows (the ``(status, next_attempt_at)`` index). A due row's
    ``next_attempt_at`` is when it became due (written, released by quiet hours, or given back)."""
    t = OutboxMessage.__table__
    due = t.c.next_attempt_at <= now
    interactive = t.c.priority == OutboxPriority.interactive
    query = select(
        func.count(case((due & interactive, 1))),
        func.count(case((due & ~interactive, 1))),
        func.count(case((~due, 1))),
        func.min(case((due & interactive, t.c.next_attempt_at))),
        func.min(case((due & ~interactive, t.c.next_attempt_at))),
    ).where(t.c.status == OutboxStatus.pending, t.c.next_attempt_at.is_not(None))
    with db.engine.connect() as conn:
        n_int, n_bulk, held, first_int, first_bulk = conn.execute(query).one()
    oldest = {}
    for lane, first in (("interactive", first_int), ("bulk", first_bulk)):
        if isinstance(first, str):  # SQLite through a CASE loses the column's type
            first = datetime.fromisoformat(first)
        if first is not None and first.tzinfo is None:
            first = first.replace(tzinfo=timezone.utc)
        oldest[lane] = max(0.0, (now - first).total_seconds()) if first is not None else 0.0
    return OutboxState(due={"interactive": n_int, "bulk": n_bulk}, held=held, oldest=oldest)


def database_ok(db: Database) -> str | None:
    """None when the database answers ``SELECT 1``; else why not, in one line."""
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1")).scalar()
    except Exception as err:  # noqa: BLE001 — any failure is "not ready", said in one line
        return one_line(err)
    return None


def readiness(db: Database, settings: Settings, probe: Probe | None, now: datetime) -> tuple[bool, dict]:
    """(ready, the JSON body of ``/readyz``). Blocking: call it off the event loop."""
    checks: dict[str, dict] = {}
    ready = True

    problem = database_ok(db)
    checks["database"] = {"ok": problem is None, **({"error": problem} if problem else {})}
    ready &= problem is None

    mode = probe.mode if probe is not None else "off"
    updates: dict[str, Any] = {"mode": mode}
    if mode in ("polling", "webhook") and probe is not None:
        since = probe.last_update or probe.started_at
        age = max(0.0, (now - since).total_seconds())
        limit = settings.ready_update_age_seconds if mode == "polling" else settings.ready_webhook_age_seconds
        updates["last_update_age_seconds"] = round(age, 1)
        updates["none_yet"] = probe.last_update is None
        updates["limit_seconds"] = limit
        updates["ok"] = not limit or age <= limit
        ready &= updates["ok"]
    else:
        updates["ok"] = True
    checks["updates"] = updates

    owners = ownership(probe)
    if problem is None:
        try:
            state = outbox_state(db, now)
        except Exception as err:  # noqa: BLE001
            checks["outbox"] = {"ok": False, "error": one_line(err)}
            ready = False
        else:
            metrics.outbox(state.due, state.held, state.oldest_any)
            box: dict[str, Any] = {
                "due": state.due, "held": state.held,
                "oldest_due_seconds": {k: round(v, 1) for k, v in state.oldest.items()},
                "limits_seconds": {"interactive": settings.ready_reply_age_seconds,
                                   "bulk": settings.ready_bulk_age_seconds},
            }
            # judged only where the sender runs: a stalled sender is this process's to fix
            judged = owners["sender"] == THIS_PROCESS
            late = [lane for lane, limit in (("interactive", settings.ready_reply_age_seconds),
                                             ("bulk", settings.ready_bulk_age_seconds))
                    if limit and state.oldest[lane] > limit]
            box["ok"] = not (judged and late)
            if late:
                box["late"] = late
            checks["outbox"] = box
            ready &= box["ok"]

    checks["owners"] = owners
    return ready, {"ready": ready, **checks}


def refresh_metrics(db: Database, now: datetime) -> None:
    """The gauges that describe the database, read just before ``/metrics`` answers."""
    try:
        state = outbox_state(db, now)
    except Exception as err:  # noqa: BLE001 — the scrape still gets this process's counters
        log.debug("outbox gauges not refreshed: %s", one_line(err))
        return
    metrics.outbox(state.due, state.held, state.oldest_any)
