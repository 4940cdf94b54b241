"""Alembic environment. The engine is handed in by ``bot.db.upgrade``; the CLI never needs an ini file."""

from __future__ import annotations

from alembic import context

import models
from bot.infra.config import get_settings
from bot.infra.db import make_engine

config = context.config
target_metadata = models.metadata


def _engine():
    engine = config.attributes.get("connection_engine")
    if engine is None:
        engine = make_engine(get_settings().database_url)
    return engine


def run_migrations_online() -> None:
    engine = _engine()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite alters a table by copying it, and dropping the old copy of a table that others
            # refer to fails while foreign keys are enforced; the pragma only changes outside a
            # transaction. Checked whole once the migrations are done (below), then enforced again.
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copying tables
            compare_type=True,
        )
        try:
            with context.begin_transaction():
                context.run_migrations()
            if sqlite:
                broken = connection.connection.dbapi_connection.execute("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migrations left rows that refer to nothing: {broken[:10]}")
        finally:
            if sqlite:
                connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")


run_migrations_online()
