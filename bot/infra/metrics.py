"""What this process counts, for Prometheus (``GET /metrics``, prometheus-client).

Each thing measured is one small function here, so the code where it happens says it in one
line (``metrics.sent("ok", kind)``) and nothing else knows prometheus-client. The metrics live in
a registry of their own (not the library's global one), one set per process — every process of a
scaled set-up is scraped on its own, and the counters start at 0 when it starts. They are made
on first use: importing prometheus-client costs a tenth of a second or more, which a command
such as ``hgj parse`` or a scheduler that must fire its first reminder at once need not pay.

Gauges that describe the database rather than this process (the outbox backlog) are filled in
by whoever serves ``/metrics`` just before it answers (``bot.health.refresh_metrics``).
"""

from __future__ import annotations

import threading
import time

# what escalates (bot.due's ``what`` of an occurrence), as against reminders and digests
ESCALATING = frozenset({"unaccepted", "urgent", "overdue", "miss"})
# a reminder fired this long after it fell due counts as late (the tick is 15 s by default)
LATE_AFTER_SECONDS = 60.0

_LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _Metrics:
    def __init__(self) -> None:
        # on first use, not at import: see the module's docstring
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        r = self.registry = CollectorRegistry(auto_describe=True)
        self.updates = Counter("hgj_updates", "Updates from the chat platform handled, by kind and result",
                               ["kind", "result"], registry=r)
        self.update_seconds = Histogram("hgj_update_handling_seconds", "Time to handle one update (its transaction)",
                                        ["kind"], buckets=_LATENCY, registry=r)
        self.parse_seconds = Histogram(
            "hgj_parse_seconds", "Time to understand one message (bot/nlu)",
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0), registry=r)
        self.last_update = Gauge(
            "hgj_last_update_timestamp_seconds",
            "When the last update arrived (polling: the last getUpdates answer; webhook: the last delivery)",
            registry=r)
        self.sends = Counter("hgj_sends", "Send attempts, by result (ok, 429, 403, other) and outbox kind",
                             ["result", "kind"], registry=r)
        self.outbox_backlog = Gauge("hgj_outbox_backlog", "Outbox rows pending and due now, by lane",
                                    ["lane"], registry=r)
        self.outbox_held = Gauge("hgj_outbox_held", "Outbox rows pending but not due yet (quiet hours, retries)",
                                 registry=r)
        self.outbox_oldest = Gauge("hgj_outbox_oldest_pending_seconds",
                                   "Age of the oldest outbox row due and not yet sent", registry=r)
        self.reminders_due = Counter("hgj_reminders_due",
                                     "Occurrences (reminders, escalations, digests) fired, by what", ["what"], registry=r)
        self.reminders_late = Counter(
            "hgj_reminders_late", f"Occurrences fired more than {LATE_AFTER_SECONDS:.0f} s after they fell due",
            ["what"], registry=r)
        self.reminder_delay = Histogram("hgj_reminder_delay_seconds", "From falling due to being queued",
                                        buckets=(1, 5, 15, 30, 60, 120, 300, 900, 3600), registry=r)
        self.escalations = Counter("hgj_escalations",
                                   "Escalation steps fired, by what (unaccepted, urgent, overdue, miss)",
                                   ["what"], registry=r)
        self.owner = Gauge("hgj_owner", "1 while this process owns the role (scheduler, sender)", ["role"],
                           registry=r)
        for role, owns in _owners.items():
            self.owner.labels(role).set(owns)


_made: _Metrics | None = None
_making = threading.Lock()
_owners: dict[str, int] = {}


def _m() -> _Metrics:
    global _made
    if _made is None:
        with _making:
            if _made is None:
                _made = _Metrics()
    return _made


def update(kind: str, result: str, seconds: float | None = None) -> None:
    """One update handled: ``kind`` message | command | press | migration; ``result`` ok | repeated | failed."""
    m = _m()
    m.updates.labels(kind, result).inc()
    if seconds is not None:
        m.update_seconds.labels(kind).observe(seconds)


def updates_arrived(at: float | None = None) -> None:
    _m().last_update.set(time.time() if at is None else at)


def parsed(seconds: float) -> None:
    _m().parse_seconds.observe(seconds)


def sent(result: str, kind: str) -> None:
    """A send attempt's outcome: ok, 429 (flood limit), 403 (blocked / not reachable), other."""
    _m().sends.labels(result, kind or "reply").inc()


def fired(what: str, delay_seconds: float) -> None:
    """An occurrence fired ``delay_seconds`` after it fell due."""
    m = _m()
    delay = max(0.0, delay_seconds)
    m.reminders_due.labels(what).inc()
    m.reminder_delay.observe(delay)
    if delay > LATE_AFTER_SECONDS:
        m.reminders_late.labels(what).inc()
    if what in ESCALATING:
        m.escalations.labels(what).inc()


def owner(role: str, owns: bool) -> None:
    # kept without prometheus-client until the metrics exist: taking the scheduler's lock must not
    # wait for that import (the first reminders are due the moment it is taken)
    _owners[role] = 1 if owns else 0
    if _made is not None:
        _made.owner.labels(role).set(_owners[role])


def outbox(due_by_lane: dict[str, int], held: int, oldest_seconds: float) -> None:
    m = _m()
    for lane in ("interactive", "bulk"):
        m.outbox_backlog.labels(lane).set(due_by_lane.get(lane, 0))
    m.outbox_held.set(held)
    m.outbox_oldest.set(oldest_seconds)


def exposition() -> tuple[bytes, str]:
    """The text Prometheus scrapes, and its content type."""
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest  # on first use, as above

    return generate_latest(_m().registry), CONTENT_TYPE_LATEST

