"""The scheduler: APScheduler 3 ``AsyncIOScheduler`` in an explicit time zone, owned by one process.

Jobs (stable ids, ``replace_existing=True``, ``coalesce=True``, ``max_instances=1``; each names a
module-level function by reference and gets the runtime's id, never a live object):

=====================  ==============================================  =========================
``hgj.due.tick``       every ``HGJ_SCHEDULER_TICK_SECONDS``: fire what  misfire grace = one tick
                       is due (``bot.due.fire``), then plan a wake-up   (the next tick comes)
``hgj.due.wake``       one-off, at the next instant something falls    grace 60 s
                       due within two ticks: reminders fire on time
``hgj.rotas.horizon``  at start and daily 03:10: materialise shifts    grace 1 h
                       ahead, repair future ones, prune old keys
``hgj.points.settle``  every ``HGJ_POINTS_SETTLE_SECONDS``: book the   grace = its interval
                       points of resolutions left ``HGJ_POINTS_CONFIRM_
                       DAYS`` without 仍未修复 (``bot.issue_points``)
``hgj.scheduler.lock`` every ``HGJ_LOCK_RETRY_SECONDS`` (1 s): a        —
                       process without the lock tries to take over;
                       the owner checks it still holds it
=====================  ==============================================  =========================

The tick runs in a worker thread (the database calls are blocking), so the bot's event loop is
never held up; ``notify`` (wake the outbox sender) is called back on the event loop.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.due.fire import fire, next_due_at, prune
from bot.infra import metrics, ownership
from bot.infra.clock import Clock
from bot.infra.config import Settings
from bot.infra.db import Database
from bot.issues.points import settle_due
from bot.rotas.turns import materialise_all
from bot.wishes import service as wishes

from .lock import SchedulerLock, lock_for

log = logging.getLogger(__name__)

TICK, WAKE, HORIZON, LOCK = "hgj.due.tick", "hgj.due.wake", "hgj.rotas.horizon", "hgj.scheduler.lock"
SETTLE = "hgj.points.settle"
_RUNTIMES: dict[str, Runtime] = {}  # jobs carry the id; the live objects stay here


@dataclass
class Runtime:
    id: str
    db: Database
    settings: Settings
    clock: Clock
    lock: SchedulerLock
    notify: Callable[[], object] | None = None
    loop: asyncio.AbstractEventLoop | None = None
    scheduler: object = None
    owner: bool = False
    ticks: int = 0
    queued: int = 0
    last_error: str = ""
    settled: int = 0  # resolutions whose points were booked after the confirmation window
    fire_lock: threading.Lock = field(default_factory=threading.Lock)
    on_fire: Callable[[list[str], datetime], None] | None = None  # tests and the benchmark


class SchedulerHandle:
    """What ``start_scheduler`` returns: whether this process owns the scheduler, and ``stop``."""

    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime

    @property
    def id(self) -> str:
        return self._rt.id

    @property
    def is_owner(self) -> bool:
        return self._rt.owner

    @property
    def scheduler(self):
        return self._rt.scheduler

    @property
    def runtime(self) -> Runtime:
        return self._rt

    def stop(self) -> None:
        stop_scheduler(self)


def start_scheduler(
    db: Database,
    settings: Settings,
    clock: Clock,
    notify: Callable[[], object] | None = None,
    *,
    on_fire: Callable[[list[str], datetime], None] | None = None,
) -> SchedulerHandle:
    """Start the scheduler on the running event loop. If another process holds the scheduler
    lock, this one runs without it and retries every ``HGJ_LOCK_RETRY_SECONDS``.
    ``notify()`` is called (on the loop; a coroutine function is scheduled) after messages
    were queued."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    # APScheduler logs every run of every job at INFO: the lock check each second would bury
    # the lines that matter (ownership changes, ticks that failed)
    for name in ("apscheduler.executors.default", "apscheduler.scheduler"):
        if logging.getLogger(name).level == logging.NOTSET:
            logging.getLogger(name).setLevel(logging.WARNING)
    rt = Runtime(
        id=uuid.uuid4().hex[:12], db=db, settings=settings, clock=clock, lock=lock_for(db.engine),
        notify=notify, loop=loop, on_fire=on_fire,
    )
    kwargs = {"event_loop": loop} if loop is not None else {}
    rt.scheduler = AsyncIOScheduler(
        timezone=settings.tz,
        executors={"default": ThreadPoolExecutor(max_workers=2)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
        **kwargs,
    )
    _RUNTIMES[rt.id] = rt
    ownership._register(rt.lock)
    if settings.scheduler_enabled and rt.lock.acquire():
        _install(rt)
    else:
        log.info("scheduler lock held elsewhere (%s): running without the scheduler", rt.lock.describe())
    if settings.scheduler_enabled:
        rt.scheduler.add_job(
            "bot.scheduler.runner:lock_job", "interval", seconds=settings.lock_retry_seconds,
            args=[rt.id], id=LOCK, replace_existing=True, misfire_grace_time=None,
        )
    rt.scheduler.start()
    return SchedulerHandle(rt)


def stop_scheduler(handle: SchedulerHandle) -> None:
    rt = _RUNTIMES.pop(handle.id, None)
    if rt is None:
        return
    try:
        rt.scheduler.shutdown(wait=False)
    finally:
        with rt.fire_lock:  # let a tick in flight finish before the lock goes
            if rt.owner:
                log.info("scheduler stopped: lock released (%s)", rt.lock.describe())
            _set_owner(rt, False)
            rt.lock.release()
            ownership._unregister(rt.lock)


def _set_owner(rt: Runtime, owner: bool) -> None:
    rt.owner = owner
    ownership._set_owner(rt.lock, owner)
    metrics.owner("scheduler", owner)


def _fenced(rt: Runtime, session) -> bool:
    """Inside the transaction about to act: is the lock still ours? If not, step down now."""
    if rt.lock.fence(session.connection()):
        return True
    log.warning("scheduler lock no longer held (%s): stepping down", rt.lock.describe())
    _uninstall(rt)
    return False


def _install(rt: Runtime) -> None:
    _set_owner(rt, True)
    now = datetime.now(timezone.utc)
    s = rt.settings
    rt.scheduler.add_job(
        "bot.scheduler.runner:horizon_job", "cron", hour=3, minute=10, args=[rt.id], id=HORIZON,
        replace_existing=True, misfire_grace_time=3600, next_run_time=now,
    )
    rt.scheduler.add_job(
        "bot.scheduler.runner:tick_job", "interval", seconds=s.scheduler_tick_seconds, args=[rt.id], id=TICK,
        replace_existing=True, misfire_grace_time=max(1, int(s.scheduler_tick_seconds)), next_run_time=now,
    )
    rt.scheduler.add_job(
        "bot.scheduler.runner:settle_job", "interval", seconds=s.points_settle_seconds, args=[rt.id], id=SETTLE,
        replace_existing=True, misfire_grace_time=max(1, int(s.points_settle_seconds)), next_run_time=now,
    )
    log.info("scheduler running (%s), tick every %ss", rt.lock.describe(), s.scheduler_tick_seconds)


def _uninstall(rt: Runtime) -> None:
    _set_owner(rt, False)
    for job_id in (TICK, WAKE, HORIZON, SETTLE):
        try:
            rt.scheduler.remove_job(job_id)
        except Exception:  # JobLookupError: not scheduled
            pass


# --- the jobs (module-level functions, referenced by name) ---------------------------------


def tick_job(runtime_id: str) -> None:
    rt = _RUNTIMES.get(runtime_id)
    if rt is None or not rt.owner:
        return
    run_once(rt)
    _plan_wake(rt)


def wake_job(runtime_id: str) -> None:
    tick_job(runtime_id)


def horizon_job(runtime_id: str) -> None:
    rt = _RUNTIMES.get(runtime_id)
    if rt is None or not rt.owner:
        return

    try:
        with rt.db.transaction() as session:
            if not _fenced(rt, session):
                return
            created, repaired = materialise_all(session, now=rt.clock.now(), settings=rt.settings)
            prune(session, rt.clock.now())
        log.info("rotas: %d shifts materialised, %d assignments repaired", created, repaired)
    except Exception as err:  # logged; the next run tries again
        rt.last_error = repr(err)
        log.exception("materialising shifts failed")


def settle_job(runtime_id: str) -> None:
    """Book the points of resolutions nobody objected to in time (idempotent: each is recorded),
    and of fulfilled wishes their posters let stand."""
    rt = _RUNTIMES.get(runtime_id)
    if rt is None or not rt.owner:
        return

    with rt.fire_lock:
        if not rt.owner:
            return
        try:
            with rt.db.transaction() as session:
                if not _fenced(rt, session):
                    return
                rt.settled += settle_due(session, rt.clock.now(), days=rt.settings.points_confirm_days)
                rt.settled += wishes.settle_due(session, rt.clock.now(), days=rt.settings.points_confirm_days)
        except Exception as err:  # logged; the next run tries again, nothing was booked
            rt.last_error = repr(err)
            log.exception("settling resolved issues' points failed")


def lock_job(runtime_id: str) -> None:
    rt = _RUNTIMES.get(runtime_id)
    if rt is None:
        return
    if rt.owner:
        if not rt.lock.alive():
            log.warning("scheduler lock lost: stepping down")
            _uninstall(rt)
    elif rt.lock.acquire():
        log.info("scheduler lock taken over")
        _install(rt)


def run_once(rt: Runtime) -> int:
    """Fire what is due now; returns the messages queued."""
    with rt.fire_lock:
        if not rt.owner:
            return 0
        try:
            now = rt.clock.now()
            with rt.db.transaction() as session:
                if not _fenced(rt, session):
                    return 0
                report = fire(session, now, settings=rt.settings)
        except Exception as err:  # logged; the next tick tries again, nothing was recorded
            rt.last_error = repr(err)
            log.exception("scheduler tick failed")
            return 0
        rt.ticks += 1
        rt.queued += report.queued
    if report.queued:
        if rt.on_fire is not None:
            rt.on_fire(report.keys, now)
        _notify(rt)
    return report.queued


def _notify(rt: Runtime) -> None:
    if rt.notify is None:
        return
    try:
        if rt.loop is not None and rt.loop.is_running():
            if inspect.iscoroutinefunction(rt.notify):
                asyncio.run_coroutine_threadsafe(rt.notify(), rt.loop)
            else:
                rt.loop.call_soon_threadsafe(rt.notify)
        else:
            result = rt.notify()
            if inspect.iscoroutine(result):
                result.close()
    except Exception:  # a broken callback must not stop the scheduler
        log.exception("notify callback failed")


def _plan_wake(rt: Runtime) -> None:
    """Wake exactly when the next thing falls due, if that is before the next tick."""
    window = timedelta(seconds=rt.settings.scheduler_tick_seconds * 2)
    try:
        with rt.db.session() as session:
            now = rt.clock.now()
            nxt = next_due_at(session, now, settings=rt.settings, within=window)
    except Exception:
        log.exception("planning the next wake-up failed")
        return
    if nxt is None or not rt.owner:
        return
    run_at = datetime.now(timezone.utc) + max(nxt - now, timedelta(0))  # the clock may be a test clock
    try:
        rt.scheduler.add_job(  # a wake-up may come due while the previous one is finishing: allow it
            "bot.scheduler.runner:wake_job", "date", run_date=run_at, args=[rt.id], id=WAKE,
            replace_existing=True, misfire_grace_time=60, max_instances=3,
        )
    except Exception:  # the scheduler is shutting down
        pass
