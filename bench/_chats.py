"""Chat rows for benchmarks that fill the outbox directly: Telegram chat ids → chat keys."""

from __future__ import annotations

from sqlalchemy import insert, select

from models import PlatformChat

T = PlatformChat.__table__


def telegram_chats(session, telegram_ids) -> dict[int, int]:
    """Make (in bulk) the ``chat`` rows of these Telegram chats; returns Telegram id → chat key."""
    wanted = sorted(set(telegram_ids))
    conn = session.connection()
    have = {int(e): k for e, k in conn.execute(select(T.c.external_id, T.c.id).where(T.c.platform == "telegram"))}
    new = [dict(platform="telegram", external_id=str(c), kind="private" if c > 0 else "group", title="")
           for c in wanted if c not in have]
    for k in range(0, len(new), 5000):
        conn.execute(insert(T), new[k:k + 5000])
    return {int(e): k for e, k in conn.execute(select(T.c.external_id, T.c.id).where(T.c.platform == "telegram"))
            if int(e) in set(wanted)}
