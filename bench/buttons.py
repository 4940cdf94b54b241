"""Benchmark: what the button check costs a press (``bot.outbox.carried``) on SQLite.

Every press first asks the outbox whether the pressed message carried the pressed button (as
sent, or in an edit). The outbox grows with every message the bot ever sent: ``--rows`` sent rows
with buttons over ``--chats`` chats, then ``--presses`` lookups of random (chat, message, data),
half of them forged (data the message never carried). Prints one JSON line:
{"rows", "presses", "ms_per_press", "p99_ms", ...}.

    python bench/buttons.py [--rows 200000] [--chats 20] [--presses 5000]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.infra.db import Database, make_engine, upgrade  # noqa: E402
from bot.outbox import carried  # noqa: E402
from models import OutboxMessage  # noqa: E402
from _chats import telegram_chats  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--chats", type=int, default=20)
    ap.add_argument("--presses", type=int, default=5_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/buttons.db"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        db = Database(url)
        now = datetime.now(timezone.utc)
        started = time.perf_counter()
        with db.transaction() as s:
            keys = telegram_chats(s, [-1000 - c for c in range(args.chats)])
            for start in range(0, args.rows, 10_000):
                s.execute(OutboxMessage.__table__.insert(), [
                    dict(chat_id=keys[-1000 - i % args.chats], text="已记录", kind="reply", status="sent",
                         sent_message_id=str(i), created_at=now, attempts=1,
                         buttons=json.dumps([[{"text": "附议 +1", "data": f"q:support:{i}:"},
                                              {"text": "进度", "data": f"q:progress:{i}:"}]]))
                    for i in range(start, min(start + 10_000, args.rows))])
        print(f"{args.rows} outbox rows in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        rng = random.Random(9)
        times, refused = [], 0
        with db.session() as s:
            for n in range(args.presses):
                i = rng.randrange(args.rows)
                data = f"q:support:{i}:" if n % 2 == 0 else f"q:fixed:{rng.randrange(args.rows)}:"
                t = time.perf_counter()
                ok = carried(s, keys[-1000 - i % args.chats], str(i), data)
                times.append((time.perf_counter() - t) * 1000)
                refused += not ok
        db.dispose()
    times.sort()
    print(json.dumps({
        "rows": args.rows, "chats": args.chats, "presses": args.presses, "refused": refused,
        "ms_per_press": round(sum(times) / len(times), 3), "p50_ms": round(times[len(times) // 2], 3),
        "p99_ms": round(times[int(len(times) * 0.99)], 3), "database": "sqlite",
    }))


if __name__ == "__main__":
    main()
