"""Benchmark: group messages through the whole pipeline — the Telegram stand-in over HTTP, the
real aiogram bot (``hgj run`` in its own process), the conversation with the real parser, SQLite,
the outbox sender — beside an aiogram echo bot measured through the same stand-in in the same run.

    python bench/pipeline.py [--messages 3000] [--rate 100] [--seconds 10] [--groups 120]

Three phases, each against a fresh queue of messages written straight into the stand-in:
1. echo: the echo bot (``bot/standin/echo.py``, its own process) answers a backlog of N messages
   (twice: before and after phase 2; the mean is the baseline);
2. throughput: our bot handles a backlog of N messages (a realistic mix: mostly chatter, some
   issues, wishes and unsure ones, spread over many groups); "handled" = every update confirmed
   (our polling confirms a batch after its transactions) and every reply it caused sent;
3. latency: messages offered at ``--rate``/s; p50/p99 from the user's message to the bot's reply
   (the stand-in timestamps both).
The stand-in's sending limits are OFF in all phases (said in the output): Telegram's 30 messages/s
per bot would cap the replies of both bots, not the handling this measures.

The last line is one JSON object: msgs_per_s, p50_ms, p99_ms, echo_msgs_per_s, echo_ratio, …
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BOT_TOKEN = "7000000001:bench-bot-token"
ECHO_TOKEN = "7000000002:bench-echo-token"
TARGETS = {"msgs_per_s": 300, "p99_ms": 100, "echo_ratio": 0.40, "offered_per_s": 100}

CHATTER = [
    "大家早上好", "今天天气真不错", "收到，谢谢", "哈哈哈哈", "好的好的", "谁家的快递放错门口了？",
    "明天几点停水知道吗", "晚上一起去广场跳舞吧", "楼下新开的超市东西挺便宜", "孩子放学了没",
    "周末有人去钓鱼吗", "谢谢王姐帮我收快递", "这个月物业费交了吗", "中午吃啥好呢", "辛苦大家了",
    "刚看到通知了", "有没有人捡到一把钥匙", "明天降温记得加衣服", "今天的菜好贵", "大家注意防骗电话",
    "我家猫跑出去了有人看到吗", "早点休息", "恭喜恭喜", "群里好热闹", "下午有快递的记得去拿",
]
ISSUES = [
    "{b}栋楼道灯坏了好几天了，晚上黑漆漆的", "{b}栋门口垃圾堆了两天没人清", "{b}栋电梯又坏了，老人上下楼很不方便",
    "{b}栋单元门的门禁坏了，外人随便进", "{b}栋楼顶水箱漏水，顶楼墙面都湿了", "{b}栋楼下有人飞线充电，太危险了",
    "{b}栋门口的下水道堵了，污水漫出来了", "{b}栋楼上天天半夜拖椅子，吵得睡不着", "{b}栋楼下的路灯不亮",
    "{b}栋消防通道被车堵死了",
]
WISHES = [
    "家里老人腿脚不便，想请人每周帮忙买一次菜", "孩子三年级数学跟不上，希望有志愿者周末辅导一下",
    "想请人陪奶奶去医院复查", "想给独居的刘大爷装个扶手",
]
UNSURE = ["这个事情能不能有人管一管", "这个到底归谁管啊", "有没有人能处理一下"]


REAL_CHATTER = ROOT.parent / "shared" / "data" / "chatter" / "train.csv"


def chatter_lines(path: Path = REAL_CHATTER) -> list[str]:
    """Real group-chat lines when the shared chatter set is there (``../shared/data/chatter``, or
    ``--chatter``: a worktree elsewhere), else the short list above."""
    if path.exists():
        import csv

        with path.open(encoding="utf-8") as f:
            lines = [row["text"] for row in csv.DictReader(f) if row.get("text")]
        if lines:
            return lines
    return CHATTER


def message_mix(n: int, groups: list[int], users: list[int], rng: random.Random,
                chatter: list[str] | None = None) -> list[tuple[int, int, str]]:
    chatter = chatter or CHATTER
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.78:
            text = rng.choice(chatter)
        elif r < 0.92:
            text = rng.choice(ISSUES).format(b=rng.randint(1, 6))
        elif r < 0.96:
            text = rng.choice(WISHES)
        else:
            text = rng.choice(UNSURE)
        out.append((rng.choice(users), rng.choice(groups), text))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(p / 100 * (len(values) - 1)))))
    return values[k]


class Clocked:
    """Timestamps the stand-in's events as they happen (same process, monotonic clock)."""

    def __init__(self, world) -> None:
        self.world = world
        self.user_at: dict[tuple[int, int], float] = {}
        self.replies: list[tuple[float, int, int | None]] = []  # (time, chat, replied-to message id)
        self.sent = 0
        self.last_sent = 0.0
        original = world.emit

        def emit(type_, **fields):
            now = time.perf_counter()
            if type_ == "user_message":
                self.user_at[(fields["chat_id"], fields["message_id"])] = now
            elif type_ == "sent":
                self.sent += 1
                self.last_sent = now
                msg = fields.get("message") or {}
                replied = (msg.get("reply_to_message") or {}).get("message_id")
                self.replies.append((now, fields.get("chat_id"), replied))
            return original(type_, **fields)

        world.emit = emit

    def latencies_ms(self, since: float) -> list[float]:
        seen, out = set(), []
        for at, chat, replied in self.replies:
            key = (chat, replied)
            if replied is None or key in seen:
                continue
            start = self.user_at.get(key)
            if start is not None and start >= since:
                seen.add(key)
                out.append((at - start) * 1000)
        return out


def prepare_database(path: Path | str, group_ids: list[int]) -> str:
    """The demo district and ``group_ids`` bound to 阳光花园, in a SQLite file (a path) or the
    database of a URL (``bench/scale.py``)."""
    from bot import identities
    from bot.demo import data as demo_data
    from bot.places import groups
    from bot.bootstrap import prepare

    url = path if isinstance(path, str) and "://" in path else f"sqlite:///{path}"
    db = prepare(url)
    now = datetime.now(timezone.utc)
    with db.transaction() as session:
        demo_data.load(session, now=now)
        for i, chat_id in enumerate(group_ids):
            title = f"阳光花园{i + 1}号楼群"
            key = identities.resolve_chat(session, "telegram", str(chat_id), kind="group", title=title, now=now).id
            groups.bind(session, key, community_name="白庙社区", compound_name="阳光花园",
                        title=f"阳光花园{i + 1}号楼群", now=now)
    db.dispose()
    return url


def start_process(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    """A child process; its output goes to ``log`` (a pipe nobody reads could block it)."""
    out = open(log, "w")
    proc = subprocess.Popen([sys.executable, *args], env={**os.environ, **env}, cwd=str(ROOT),
                            stdout=out, stderr=subprocess.STDOUT, text=True)
    proc.log = log  # type: ignore[attr-defined]
    return proc


def cpu_seconds(proc) -> float:
    """User + system CPU time the process has used so far (Linux ``/proc``; 0 elsewhere). On a
    loaded machine the wall clock says more about the neighbours than about the bot; the CPU it
    spends per message does not."""
    try:
        fields = Path(f"/proc/{proc.pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tail(proc) -> str:
    try:
        return Path(proc.log).read_text()[-3000:]
    except OSError:
        return ""


async def until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.005)


async def run(args) -> dict:
    from sqlmodel import select

    from bot.infra.db import Database
    from bot.platforms.telegram.standin import Limits, StandinServer
    from models import OutboxMessage

    rng = random.Random(args.seed)
    chatter = chatter_lines(args.chatter)
    tmp = Path(tempfile.mkdtemp(prefix="hgj-bench-"))
    bot_groups = [-1002000000000 - i for i in range(args.groups)]
    echo_groups = [-1003000000000 - i for i in range(args.groups)]
    url = prepare_database(tmp / "bench.db", bot_groups)
    db = Database(url)

    server = StandinServer(limits=Limits.off(), tokens=[BOT_TOKEN, ECHO_TOKEN])
    await server.start()
    world = server.world
    from bot.runtime import populate_standin

    populate_standin(world, db)  # the demo's members, their private chats open: alerts reach them
    clocked = Clocked(world)
    users = [world.add_user(f"居民{i}", user_id=9_000_000 + i).id for i in range(args.users)]
    for chat_id in bot_groups:  # made by populate_standin (they are bound): only our bot, these users
        chat = world.groups[chat_id]
        chat.members.update(users)
        chat.bot_ids = {world.find_bot(BOT_TOKEN).id}
    for chat_id in echo_groups:
        world.add_group(f"回声群{chat_id}", members=users, chat_id=chat_id, bots=[ECHO_TOKEN])
    bot_acc, echo_acc = world.find_bot(BOT_TOKEN), world.find_bot(ECHO_TOKEN)
    import gc

    gc.collect()
    gc.freeze()  # the stand-in's own pauses are not the bot's latency
    result: dict = {"limits": "off (the stand-in's and our sender's sending limits disabled in every phase)",
                    "database": "sqlite",
                    "messages": args.messages, "groups": args.groups, "users": args.users,
                    "chatter": "real (shared/data/chatter)" if chatter is not CHATTER else "built-in lines"}
    procs = []
    try:
        # --- 1. the echo bot (measured twice: before and after our bot's backlog) -------------------
        echo = start_process(["bench/pipeline.py", "--echo-bot", server.base_url, ECHO_TOKEN], {}, tmp / "echo.log")
        procs.append(echo)
        await until(lambda: _polls(echo_acc) or echo.poll() is not None, 120, "echo bot start")

        echo_cpu: list[float] = []

        async def echo_round() -> float:
            backlog = message_mix(args.messages, echo_groups, users, rng, chatter)
            sent_before = clocked.sent
            cpu0 = cpu_seconds(echo)
            t0 = time.perf_counter()
            for uid, chat, text in backlog:
                world.user_message(uid, chat, text=text)
            await until(lambda: clocked.sent - sent_before >= len(backlog), 300, "echo replies")
            echo_cpu.append((cpu_seconds(echo) - cpu0) * 1000 / len(backlog))
            return len(backlog) / (clocked.last_sent - t0)

        echo_rates = [await echo_round()]
        # the echo bot keeps polling its own groups (idle) while ours runs

        # --- 2. our bot: throughput on a backlog ---------------------------------------------------
        env = {"HGJ_DATABASE_URL": url, "HGJ_TELEGRAM_TOKEN": BOT_TOKEN, "HGJ_TELEGRAM_API_BASE": server.base_url,
               "HGJ_WEB_PORT": str(free_port()), "HGJ_WEB_SECRET": "bench", "HGJ_WEBHOOK_URL": "",
               # the stand-in has no limits here, so neither need our sender; no reminders meanwhile
               "HGJ_SEND_LIMITS": "false", "HGJ_SCHEDULER_ENABLED": "false",
               "HGJ_UPDATE_THREAD": "false" if args.inline_db else "true",
               "HGJ_QUIET_HOURS_START": "00:00", "HGJ_QUIET_HOURS_END": "00:00"}
        command = ["-m", "bot.cli", "run"]
        if args.profile:  # sample every thread of the bot (pip install py-spy)
            command = ["-c", "import os, sys; os.execvp('py-spy', ['py-spy', *sys.argv[1:]])", "record", "--format", "raw", "--rate", "250", "--threads", "-o", args.profile,
                       "--", sys.executable, *command]
        bot = start_process(command, env, tmp / "bot.log")
        procs.append(bot)
        await until(lambda: _polls(bot_acc) or bot.poll() is not None, 180, "bot start")
        if bot.poll() is not None:
            raise RuntimeError(tail(bot))

        def handled() -> int:
            # our polling confirms a batch only after every update in it was handled
            return bot_acc.confirmed

        def outbox_pending() -> int:
            with db.session() as s:
                return len(s.exec(select(OutboxMessage.id).where(OutboxMessage.status == "pending")).all())

        base_handled = handled()
        backlog = message_mix(args.messages, bot_groups, users, rng, chatter)
        cpu0 = cpu_seconds(bot)
        t0 = time.perf_counter()
        for uid, chat, text in backlog:
            world.user_message(uid, chat, text=text)
        await until_slow(lambda: handled() - base_handled >= len(backlog), 600, "bot handling")
        t_handled = time.perf_counter()
        await until_slow(lambda: outbox_pending() == 0, 120, "bot replies")
        end = max(t_handled, clocked.last_sent)
        took = end - t0
        result["cpu_ms_per_msg"] = round((cpu_seconds(bot) - cpu0) * 1000 / len(backlog), 3)
        result["backlog_handled_s"] = round(t_handled - t0, 2)
        result["backlog_sent_s"] = round(clocked.last_sent - t0, 2)
        result["msgs_per_s"] = round(len(backlog) / took, 1)
        replies = clocked.latencies_ms(t0)
        result["backlog_replies"] = len(replies)

        echo_rates.append(await echo_round())
        result["echo_msgs_per_s"] = round(statistics.mean(echo_rates), 1)
        result["echo_runs"] = [round(r, 1) for r in echo_rates]
        result["echo_cpu_ms_per_msg"] = round(statistics.mean(echo_cpu), 3)
        # the echo bot's CPU per message over ours: the echo share, without the neighbours' noise
        if result["cpu_ms_per_msg"]:
            result["echo_cpu_ratio"] = round(result["echo_cpu_ms_per_msg"] / result["cpu_ms_per_msg"], 3)
        echo.terminate()
        echo.wait(10)

        # --- 3. our bot: latency at an offered rate -----------------------------------------------
        offered = message_mix(int(args.rate * args.seconds), bot_groups, users, rng, chatter)
        interval = 1.0 / args.rate
        t_start = time.perf_counter()
        base_handled = handled()
        for i, (uid, chat, text) in enumerate(offered):
            due = t_start + i * interval
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            world.user_message(uid, chat, text=text)
        await until_slow(lambda: handled() - base_handled >= len(offered), 120, "offered handled")
        await until_slow(lambda: outbox_pending() == 0, 60, "offered replies")
        lat = clocked.latencies_ms(t_start)
        result.update(
            offered_per_s=args.rate, offered_seconds=args.seconds, replied=len(lat),
            p50_ms=round(percentile(lat, 50), 1), p90_ms=round(percentile(lat, 90), 1),
            p99_ms=round(percentile(lat, 99), 1), max_ms=round(max(lat), 1) if lat else None,
            reply_share=round(len(lat) / len(offered), 3),
        )
        result["echo_ratio"] = round(result["msgs_per_s"] / result["echo_msgs_per_s"], 3)
        if args.profile:
            import signal

            bot.send_signal(signal.SIGINT)  # py-spy writes its samples on Ctrl-C, not on SIGTERM
        else:
            bot.terminate()
        try:
            bot.wait(60 if args.profile else 20)
        except subprocess.TimeoutExpired:
            bot.kill()
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        await server.stop()
        db.dispose()
    result["update_thread"] = not args.inline_db
    result["targets"] = TARGETS
    result["met"] = {
        "msgs_per_s": result.get("msgs_per_s", 0) >= TARGETS["msgs_per_s"],
        "p99_ms": result.get("p99_ms", 1e9) <= TARGETS["p99_ms"],
        "echo_ratio": result.get("echo_ratio", 0) >= TARGETS["echo_ratio"],
    }
    return result


def _polls(bot) -> bool:
    return bot.poll_generation > 0


async def until_slow(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.02)


def echo_main(base_url: str, token: str) -> None:
    from bot.platforms.telegram.standin.echo import build_echo_dispatcher, echo_bot

    async def main() -> None:
        bot = echo_bot(base_url, token)
        await build_echo_dispatcher().start_polling(bot, handle_signals=True, polling_timeout=10)

    asyncio.run(main())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000, help="backlog size for the throughput phases")
    parser.add_argument("--rate", type=float, default=100.0, help="offered messages/s in the latency phase")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the latency phase")
    parser.add_argument("--groups", type=int, default=120)
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--chatter", type=Path, default=REAL_CHATTER, metavar="CSV",
                        help="the real chatter set (default: ../shared/data/chatter/train.csv)")
    parser.add_argument("--inline-db", action="store_true",
                        help="our bot handles updates on the event loop instead of its database thread")
    parser.add_argument("--profile", metavar="FILE", help="sample our bot with py-spy into FILE (raw)")
    parser.add_argument("--echo-bot", nargs=2, metavar=("BASE_URL", "TOKEN"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.echo_bot:
        echo_main(*args.echo_bot)
        return
    result = asyncio.run(run(args))
    print(f"stand-in limits: {result['limits']}; database: SQLite; {args.groups} groups, {args.users} users")
    print(f"echo bot:  {result['echo_msgs_per_s']} msgs/s on a backlog of {args.messages}")
    print(f"our bot:   {result['msgs_per_s']} msgs/s on a backlog of {args.messages} "
          f"(target ≥ {TARGETS['msgs_per_s']}) — {result['echo_ratio']:.0%} of the echo bot "
          f"(target ≥ {TARGETS['echo_ratio']:.0%})")
    print(f"latency at {args.rate:g} msgs/s offered for {args.seconds:g} s: p50 {result['p50_ms']} ms, "
          f"p99 {result['p99_ms']} ms over {result['replied']} replies (target p99 ≤ {TARGETS['p99_ms']} ms)")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
