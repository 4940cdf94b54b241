"""Long-lived database connections of their own, outside the pool: a role's lock
(``ownership``) and the LISTEN for binding changes (``changes``)."""

from __future__ import annotations

from sqlalchemy import create_engine
from sqlalchemy.engine import URL, Engine
from sqlalchemy.pool import NullPool


def side_engine(url: URL, application_name: str) -> Engine:
    """An engine for one long-lived connection of its own, outside the pool (a role's lock, the
    LISTEN for binding changes): named in ``pg_stat_activity``, and on PostgreSQL with TCP
    keepalives, so a server that vanished without closing the socket is noticed within seconds,
    not after the kernel's two hours — until then a lock would look held and a LISTEN alive."""
    args: dict = {}
    if url.get_driver_name() in ("psycopg2", "psycopg"):
        args.update(application_name=application_name, keepalives=1, keepalives_idle=5, keepalives_interval=2,
                    keepalives_count=2, connect_timeout=5)
    return create_engine(url, poolclass=NullPool, connect_args=args)
