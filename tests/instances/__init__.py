"""Tests of several processes on one database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from bot.infra.changes import GroupWatch
from bot.infra.db import Database


@asynccontextmanager
async def another_instance(db: Database, *, listening: bool, forget: Callable[[], None]) -> AsyncIterator[Database]:
    """Another process's ``Database`` on ``db``'s database — what it writes, this process's caches
    must notice. ``listening``: this process LISTENs for changes (PostgreSQL), connected before
    the test goes on. Afterwards this process's caches are emptied with ``forget``."""
    watch = GroupWatch(db.engine).start() if listening else None
    other = Database(db.url)
    try:
        if watch is not None:
            assert await asyncio.to_thread(watch.wait_connected)
        yield other
    finally:
        other.dispose()
        if watch is not None:
            await asyncio.to_thread(watch.stop)
        forget()
