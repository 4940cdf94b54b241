"""Bringing a database to a usable state: schema migrations, then the default rule rows."""

from __future__ import annotations

from sqlmodel import Session

from bot.points import service as points
from bot.issues import routing
from bot.infra.db import Database, migration_lock, upgrade


def ensure_defaults(session: Session) -> None:
    points.ensure_default_rules(session)
    routing.ensure_default_rules(session)


def prepare(url: str) -> Database:
    db = Database(url)
    # the default rows too: two processes starting on a fresh database would both insert them
    with migration_lock(db.engine):
        upgrade(db.engine, lock=False)
        with db.transaction() as session:
            ensure_defaults(session)
    return db
