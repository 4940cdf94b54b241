"""Benchmark: the rich-text form on the way out — what each outbox row costs the sender.

For a typical card (bold code, place, hostile resident text, a mention, a link) and for a text
far over Telegram's limit: building it, storing it (JSON) and reading it back, cutting it to the
platform's length and rendering Telegram HTML and markdown; and reading the HTML the bot wrote
before 0011 into the form (the migration's step per row).

Prints one JSON object on its last line: microseconds per operation.

    python bench/rich.py [--n 20000]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.rich import BR, Rich, bold, link, mention, rich  # noqa: E402
from bot.platforms.telegram.render import from_html  # noqa: E402
from bot.rich.render import fit, to_markdown  # noqa: E402
from bot.platforms.telegram.render import LIMITS, html  # noqa: E402


def card(i: int) -> Rich:
    return rich("🚨 紧急！已记录 ", bold(f"Q{i}"), "：阳光花园3栋2单元 · 公共设施维修 · 楼栋长 朱红梅、网格员 赵磊 跟进", BR,
                "「<b>电梯</b>坏了 & 一直响警报 139****5678」", BR, "请 ", mention("李先生", account=i + 1),
                " 确认 · ", link("看板", f"https://hgj.example/issue/{i}"))


def telegram_id(m) -> str:
    """What the sender looked up for the mention (its Telegram account)."""
    return str(7100000 + m.account)


def per_op(fn, n: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        fn(i)
    return (time.perf_counter() - start) / n * 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20000)
    n = ap.parse_args().n
    cards = [card(i) for i in range(100)]
    stored = [json.dumps(c.to_json(), ensure_ascii=False) for c in cards]
    htmls = [html(c, telegram_id) for c in cards]
    long = rich(bold("来自 "), "&<" * 3000, mention("张三", account=1), "啊" * 5000)
    out = {
        "n": n,
        "build_us": round(per_op(card, n), 2),
        "store_and_read_us": round(per_op(lambda i: Rich.from_json(json.loads(stored[i % 100])), n), 2),
        "fit_within_limit_us": round(per_op(lambda i: fit(cards[i % 100], LIMITS.text_length, LIMITS.size), n), 2),
        "telegram_html_us": round(per_op(lambda i: html(cards[i % 100], telegram_id), n), 2),
        "markdown_us": round(per_op(lambda i: to_markdown(cards[i % 100]), n), 2),
        "html_to_form_us": round(per_op(lambda i: from_html(htmls[i % 100]), n), 2),
        "cut_11000_chars_to_4096_us": round(per_op(lambda i: fit(long, LIMITS.text_length, LIMITS.size), max(1, n // 100)), 1),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
