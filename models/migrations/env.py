"""Alembic environment. The engine is handed in by ``bot.db.upgrade``; the CLI never needs an ini file."""

from __future__ import annotations

from alembic import context

import models

config = context.config
target_metadata = models.metadata


def _engine():
    engine = config.attributes.get("connection_engine")
    if engine is None:
        from bot.infra.config import get_settings
        from bot.infra.db import make_engine

        engine = make_engine(get_settings().database_url)
    return engine


def run_migrations_online() -> None:
    engine = _engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copying tables
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
