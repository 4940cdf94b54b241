"""The one scheduler process: ``start_scheduler(db, settings, clock, notify=…) -> handle`` and
``handle.stop()``. See ``bot.scheduler.runner`` for the jobs and ``bot.scheduler.lock`` for how
exactly one process owns it."""

from .runner import SchedulerHandle, start_scheduler, stop_scheduler

__all__ = ["SchedulerHandle", "start_scheduler", "stop_scheduler"]
