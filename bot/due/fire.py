"""Sending what is due: ask every collector, keep what was not fired yet, record and queue it.

``fire`` records each occurrence's key (``Occurrence``) and queues its messages (outbox
``dedupe_key``) in one transaction; ``due`` and ``next_due_at`` answer the same question without
sending (``hgj due --at``, the scheduler's wake-up).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from bot.due.plan import Candidate, Due, Plan, expand, fired
from bot.infra import metrics
from bot.infra.config import Settings, get_settings
from bot.issues import scheduled as escalation_due
from bot.office import digests
from bot.outbox.store import enqueue_many
from bot.rotas import scheduled as reminders
from models import Occurrence


def collect(plan: Plan, until: datetime) -> list[Candidate]:
    """Every occurrence falling due up to ``until`` that is still useful at ``plan.now``."""
    found: list[Candidate] = []
    for collector in (reminders.candidates, escalation_due.candidates, digests.candidates):
        found.extend(c for c in collector(plan, until) if c.at <= until and c.useful(plan.now))
    return found


def compute(
    session: Session, now: datetime, *, settings: Settings | None = None, include_fired: bool = False
) -> list[tuple[Candidate, list[Due]]]:
    """Each occurrence due at ``now`` (not yet fired, unless ``include_fired``) with its messages
    (possibly none: nobody left to tell, or the condition went away)."""
    plan = Plan(session, now, settings or get_settings(), include_fired=include_fired)
    found = collect(plan, plan.now)
    if not include_fired:
        done = fired(session, (c.key for c in found if not c.checked))
        found = [c for c in found if c.key not in done]
    found.sort(key=lambda c: (c.at, c.key))
    out, told = [], set()
    for c in found:
        dues = expand(plan, c)
        if c.kind == "alert":  # a late tick firing several steps at once tells each person once
            dues = [d for d in dues if (c.ref, d.out.chat_id) not in told]
            told.update((c.ref, d.out.chat_id) for d in dues)
        out.append((c, dues))
    return out


def due(
    session: Session, now: datetime, *, settings: Settings | None = None, include_fired: bool = False
) -> list[Due]:
    """What should be queued at ``now`` (and was not yet, unless ``include_fired``)."""
    return [d for _c, dues in compute(session, now, settings=settings, include_fired=include_fired) for d in dues]


def next_due_at(
    session: Session, now: datetime, *, settings: Settings | None = None, within: timedelta = timedelta(minutes=5)
) -> datetime | None:
    """The earliest instant in (now, now + within] at which something falls due (so a scheduler
    can wake exactly then instead of waiting for its next tick)."""
    plan = Plan(session, now, settings or get_settings())
    times = [c.at for c in collect(plan, plan.now + within) if c.at > plan.now]
    return min(times) if times else None


@dataclass
class FireReport:
    occurrences: int = 0
    queued: int = 0
    keys: list[str] = field(default_factory=list)


def fire(session: Session, now: datetime, *, settings: Settings | None = None) -> FireReport:
    """Record and queue everything due, in the caller's transaction. An occurrence already
    recorded (by another tick or process) is skipped as a whole; each message is also unique
    in the outbox by its key."""
    report = FireReport()
    computed = compute(session, now, settings=settings)
    if not computed:
        return report
    recorded = _record(session, [(c, len(dues)) for c, dues in computed], now)
    outs = [d.out for c, dues in computed if c.key in recorded for d in dues]
    report.occurrences = len(recorded)
    for c, _dues in computed:
        if c.key in recorded:
            metrics.fired(c.what, (now - c.at).total_seconds())
    queued = enqueue_many(session, outs, now=now) if outs else set()
    report.keys = [o.dedupe_key for o in outs if o.dedupe_key in queued]
    report.queued = len(report.keys)
    return report


def _record(session: Session, items: list[tuple[Candidate, int]], now: datetime) -> set[str]:
    """Record the occurrences; returns the keys recorded now (not by another tick meanwhile)."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    rows = [dict(key=c.key, due_at=c.at, fired_at=now, messages=n) for c, n in items]
    done: set[str] = set()
    for start in range(0, len(rows), 500):
        stmt = (
            insert(Occurrence)
            .values(rows[start : start + 500])
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(Occurrence.key)
        )
        done.update(session.execute(stmt).scalars().all())
    return done


def prune(session: Session, now: datetime, *, days: int = 90) -> int:
    """Forget occurrences fired long ago (every key is only ever due within days of its time)."""
    result = session.exec(delete(Occurrence).where(Occurrence.fired_at < now - timedelta(days=days)))
    return result.rowcount or 0
