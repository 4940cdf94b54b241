"""Helpers for the sender tests: rows in, rows out, and tests that run on virtual time."""

from __future__ import annotations

import functools
import inspect
import random
from dataclasses import replace

import pytest
from sqlmodel import select

from bot.infra.db import Database
from bot.outbox import RateLimiter, RateLimits, RetryPolicy, Sender, enqueue_all
from bot.outbox.testing import FakeTransport, run_virtual
from bot.messages import Outgoing
from models import OutboxMessage
from tests import ids as tg_ids


def virtual(test):
    """Run an ``async def`` test on a loop with virtual time (no wall-clock waiting)."""

    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        return run_virtual(test(*args, **kwargs))

    wrapper.__signature__ = inspect.signature(test)
    del wrapper.__wrapped__  # pytest-asyncio must see a plain function
    return wrapper


def add(db: Database, clock, *outs: Outgoing) -> list[int]:
    """Queue messages addressed by Telegram chat ids (a group's negative), as the tests name chats:
    the rows address the chats' keys, as the conversation's would."""
    with db.transaction() as session:
        outs = [replace(o, chat_id=tg_ids.chat(session, o.chat_id)) for o in outs]
        rows = enqueue_all(session, outs, now=clock.now())
        session.flush()
        return [r.id for r in rows]


def rows(db: Database) -> dict[int, OutboxMessage]:
    with db.session() as session:
        return {r.id: r for r in session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()}


def make_sender(db: Database, transport, clock, *, limits: RateLimits | None = None, **kw) -> Sender:
    kw.setdefault("offload_db", False)
    kw.setdefault("rng", random.Random(7))
    kw.setdefault("retry", RetryPolicy())
    return Sender(db, transport, clock=clock, limiter=RateLimiter(limits or RateLimits.off()), **kw)


@pytest.fixture
def transport() -> FakeTransport:
    return FakeTransport()
