"""``hgj scheduler`` / ``python -m bot.cli.scheduler [--database-url URL]``: run the scheduler
alone, until SIGTERM/SIGINT.

The bot's ``hgj run`` starts the same scheduler in its own process; this entry point is for
running it apart (and for the crash test). Prints one line when it has started:
``scheduler started owner=True|False``. A process's entry point, so with the command line rather
than in ``bot.scheduler``: it installs the words of the reminders and digests it fires
(``handlers.notices``), which the core may not import. Not under ``bot.runtime``: that package
brings the web app, Telegram and the parser, seconds of start-up a scheduler does not need.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

from bot.bootstrap import prepare
from bot.infra import logs
from bot.infra.clock import SystemClock
from bot.infra.config import Settings
from bot.infra.startup import guarded
from bot.scheduler import start_scheduler
from handlers import notices


async def _main(settings: Settings) -> None:
    db = prepare(settings.database_url)
    notices.install()
    handle = start_scheduler(db, settings, SystemClock())
    print(f"scheduler started owner={handle.is_owner}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    handle.stop()
    db.dispose()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bot.cli.scheduler")
    ap.add_argument("--database-url")
    args = ap.parse_args(argv)

    def start() -> None:
        settings = Settings(database_url=args.database_url) if args.database_url else Settings()
        logs.from_settings(settings)
        asyncio.run(_main(settings))

    guarded(start)


if __name__ == "__main__":
    main()
