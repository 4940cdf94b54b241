"""The scheduler's lock: the ``scheduler`` role of ``bot.infra.ownership`` (file lock beside a SQLite
file, advisory lock on PostgreSQL). Kept under this name for the scheduler's callers."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from bot.infra.ownership import KEYS, NoLock, owners  # noqa: F401  (owners: who runs what, for /readyz)
from bot.infra.ownership import AdvisoryRoleLock as AdvisorySchedulerLock  # noqa: F401
from bot.infra.ownership import FileRoleLock as FileSchedulerLock  # noqa: F401
from bot.infra.ownership import RoleLock as SchedulerLock
from bot.infra.ownership import lock_for as _lock_for

ADVISORY_KEY = KEYS["scheduler"]


def lock_for(engine: Engine) -> SchedulerLock:
    return _lock_for(engine, "scheduler")
