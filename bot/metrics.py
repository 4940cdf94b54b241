"""What this process counts, for Prometheus (``GET /metrics``, prometheus-client).

Each thing measured is one small function here, so the code where it happens says it in one
line (``metrics.sent("ok", kind)``) and nothing else knows prometheus-client. The metric objects
live in this module's own registry (not the library's global one), one set per process — every
process of a scaled set-up is scraped on its own, and the counters start at 0 when it starts.

Gauges that describe the database rather than this process (the outbox backlog) are filled in
by whoever serves ``/metrics`` just before it answers (``bot.health.refresh_metrics``).
"""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

REGISTRY = CollectorRegistry(auto_describe=True)
CONTENT_TYPE = CONTENT_TYPE_LATEST

# what escalates (bot.due's ``what`` of an occurrence), as against reminders and digests
ESCALATING = frozenset({"unaccepted", "urgent", "overdue", "miss"})
# a reminder fired this long after it fell due counts as late (the tick is 15 s by default)
LATE_AFTER_SECONDS = 60.0

_LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

UPDATES = Counter("hgj_updates", "Updates from the chat platform handled, by kind and result",
                  ["kind", "result"], registry=REGISTRY)
UPDATE_SECONDS = Histogram("hgj_update_handling_seconds", "Time to handle one update (its transaction)",
                           ["kind"], buckets=_LATENCY, registry=REGISTRY)
PARSE_SECONDS = Histogram("hgj_parse_seconds", "Time to understand one message (bot/nlu)",
                          buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
                          registry=REGISTRY)
LAST_UPDATE = Gauge("hgj_last_update_timestamp_seconds",
                    "When the last update arrived (polling: the last getUpdates answer; webhook: the last delivery)",
                    registry=REGISTRY)
SENDS = Counter("hgj_sends", "Messages the sender tried to deliver, by result (ok, 429, 403, other) and outbox kind",
                ["result", "kind"], registry=REGISTRY)
OUTBOX_BACKLOG = Gauge("hgj_outbox_backlog", "Outbox rows pending and due now, by lane",
                       ["lane"], registry=REGISTRY)
OUTBOX_HELD = Gauge("hgj_outbox_held", "Outbox rows pending but held until later (quiet hours, retries)",
                    registry=REGISTRY)
OUTBOX_OLDEST = Gauge("hgj_outbox_oldest_pending_seconds", "Age of the oldest outbox row due and not yet sent",
                      registry=REGISTRY)
REMINDERS_DUE = Counter("hgj_reminders_due", "Occurrences (reminders, escalations, digests) fired, by what",
                        ["what"], registry=REGISTRY)
REMINDERS_LATE = Counter("hgj_reminders_late",
                         f"Occurrences fired more than {LATE_AFTER_SECONDS:.0f} s after they fell due, by what",
                         ["what"], registry=REGISTRY)
REMINDER_DELAY = Histogram("hgj_reminder_delay_seconds", "From falling due to being queued",
                           buckets=(1, 5, 15, 30, 60, 120, 300, 900, 3600), registry=REGISTRY)
ESCALATIONS = Counter("hgj_escalations", "Escalation steps fired, by what (unaccepted, urgent, overdue, miss)",
                      ["what"], registry=REGISTRY)
OWNER = Gauge("hgj_owner", "1 while this process owns the role (scheduler, sender)", ["role"], registry=REGISTRY)


def update(kind: str, result: str, seconds: float | None = None) -> None:
    """One update handled: ``kind`` message | command | press | migration; ``result`` ok | repeated | failed."""
    UPDATES.labels(kind, result).inc()
    if seconds is not None:
        UPDATE_SECONDS.labels(kind).observe(seconds)


def updates_arrived(at: float | None = None) -> None:
    LAST_UPDATE.set(time.time() if at is None else at)


def parsed(seconds: float) -> None:
    PARSE_SECONDS.observe(seconds)


def sent(result: str, kind: str) -> None:
    """A send attempt's outcome: ok, 429 (flood limit), 403 (blocked / not reachable), other."""
    SENDS.labels(result, kind or "reply").inc()


def fired(what: str, delay_seconds: float) -> None:
    """An occurrence fired ``delay_seconds`` after it fell due."""
    delay = max(0.0, delay_seconds)
    REMINDERS_DUE.labels(what).inc()
    REMINDER_DELAY.observe(delay)
    if delay > LATE_AFTER_SECONDS:
        REMINDERS_LATE.labels(what).inc()
    if what in ESCALATING:
        ESCALATIONS.labels(what).inc()


def owner(role: str, owns: bool) -> None:
    OWNER.labels(role).set(1 if owns else 0)


def outbox(due_by_lane: dict[str, int], held: int, oldest_seconds: float) -> None:
    for lane in ("interactive", "bulk"):
        OUTBOX_BACKLOG.labels(lane).set(due_by_lane.get(lane, 0))
    OUTBOX_HELD.set(held)
    OUTBOX_OLDEST.set(oldest_seconds)


def exposition() -> bytes:
    return generate_latest(REGISTRY)


def value(name: str, labels: dict[str, str] | None = None) -> float:
    """A sample's current value (0 when never set): for ``hgj`` commands and tests."""
    return REGISTRY.get_sample_value(name, labels or {}) or 0.0
