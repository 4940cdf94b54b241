"""Everything the bot runs, in one asyncio loop: the database, the message parser, the
conversation, the Telegram bot (polling, or the webhook), the outbox sender, the scheduler,
the expiry of unanswered questions, and the web app. Started and stopped cleanly together.

``Runtime(settings, db).run()`` is ``hgj run``; ``hgj demo`` and the tests start one against
the Telegram stand-in.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass
from typing import Any

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db import Database

log = logging.getLogger(__name__)


@dataclass
class Features:
    polling: bool = True  # False: webhook when settings.webhook_url is set, else nothing fetches updates
    sender: bool = True
    scheduler: bool = True
    web: bool = True
    sweep_every: float = 60.0  # seconds between expiries of unanswered questions
    offload_db: bool = True  # run each update's transaction on a worker thread


def make_sender(db: Database, bot, clock: Clock):
    """The outbox sender (``bot.outbox.sender`` with the Telegram transport), or the interim
    one until those are there."""
    try:
        from bot.outbox.sender import Sender
        from bot.telegram.transport import TelegramTransport
    except ImportError:
        from bot.telegram.interim_sender import InterimSender

        return InterimSender(db, bot, clock=clock)
    return Sender(db, TelegramTransport(bot), clock=clock)


def start_scheduler(db: Database, settings: Settings, clock: Clock, notify) -> Any:
    """The rota scheduler (issue 5), when it is there; None otherwise."""
    try:
        from bot.scheduler import start_scheduler as start
    except ImportError:
        return None
    return start(db=db, settings=settings, clock=clock, notify=notify)


class _Server:
    """uvicorn in our loop, without taking over Ctrl+C (the runtime handles signals)."""

    def __init__(self, app, host: str, port: int) -> None:
        import uvicorn

        class Quiet(uvicorn.Server):
            def capture_signals(self):
                return contextlib.nullcontext()

        self.server = Quiet(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on",
                                           access_log=False))
        self.host, self.port = host, port

    async def serve(self) -> None:
        await self.server.serve()

    @property
    def started(self) -> bool:
        return self.server.started

    @property
    def bound_port(self) -> int:
        for server in getattr(self.server, "servers", []) or []:
            for sock in server.sockets:
                return sock.getsockname()[1]
        return self.port

    def stop(self) -> None:
        self.server.should_exit = True


class Runtime:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        *,
        clock: Clock | None = None,
        parser: Any = None,
        token: str | None = None,
        api_base: str | None = None,
        features: Features | None = None,
        web_port: int | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock or SystemClock()
        self.parser = parser
        self.token = token or settings.telegram_token
        self.api_base = api_base or settings.telegram_api_base
        self.features = features or Features()
        self.web_port = settings.web_port if web_port is None else web_port
        self.bot = None
        self.dp = None
        self.bridge = None
        self.sender = None
        self.scheduler = None
        self.web: _Server | None = None
        self.app = None
        self.mode = "off"
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    # --- life ------------------------------------------------------------------------------

    async def start(self) -> None:
        from handlers import build_conversation
        from handlers.understanding import get_parser

        from .telegram.app import build_bot, build_dispatcher
        from .telegram.bridge import UpdateBridge

        if self.parser is None:
            self.parser = await asyncio.to_thread(get_parser)
        conversation = build_conversation()
        self.bot = build_bot(self.settings, token=self.token, api_base=self.api_base)
        me = await self.bot.me()
        self.sender = make_sender(self.db, self.bot, self.clock) if self.features.sender else None
        notify = self.sender.notify if self.sender is not None else (lambda: None)
        self.bridge = UpdateBridge(self.db, conversation, self.settings, parser=self.parser, clock=self.clock,
                                   notify=notify, bot_username=me.username or "", offload=self.features.offload_db)
        self.dp = build_dispatcher(self.bridge)
        routers = []
        if self.features.polling:
            self.mode = "polling"
        elif self.settings.webhook_url:
            from .telegram.webhook import webhook_path, webhook_router, webhook_secret

            self.mode = "webhook"
            secret = webhook_secret(self.settings, self.token)
            routers.append(webhook_router(self.dp, self.bot, secret, webhook_path(self.settings)))
        if self.features.web or self.mode == "webhook":
            from .web.app import create_app

            self.app = create_app(self.db, self.settings, self.clock, routers=routers)
            self.web = _Server(self.app, self.settings.web_host, self.web_port)
            self._spawn(self.web.serve(), "web")
            while not self.web.started:
                await asyncio.sleep(0.02)
        if self.sender is not None:
            self._spawn(self.sender.run(), "sender")
        if self.mode == "polling":
            from .telegram.polling import poll

            self._spawn(poll(self.bot, self.dp, self._stop), "polling")
        elif self.mode == "webhook":
            from .telegram.webhook import set_webhook, webhook_secret

            await set_webhook(self.bot, self.dp, self.settings, webhook_secret(self.settings, self.token))
        if self.features.sweep_every:
            self._spawn(self._sweeper(), "sweep")
        if self.features.scheduler:
            self.scheduler = start_scheduler(self.db, self.settings, self.clock, notify)
        log.info("bot @%s running (%s)", me.username, self.mode)

    def _spawn(self, coro, name: str) -> None:
        task = asyncio.create_task(coro, name=f"hgj-{name}")
        task.add_done_callback(self._task_done)
        self._tasks.append(task)

    def _task_done(self, task: asyncio.Task) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("%s stopped: %r", task.get_name(), task.exception())

    async def _sweeper(self) -> None:
        while not self._stop.is_set():
            try:
                await asyncio.wait_for(self._stop.wait(), self.features.sweep_every)
                break
            except asyncio.TimeoutError:
                pass
            try:
                if await self.bridge._db(self.bridge.sweep):
                    self.bridge.notify()
            except Exception:  # noqa: BLE001
                log.exception("expiring questions failed")

    async def stop(self) -> None:
        """Stop fetching, finish the batch in hand, stop the sender (sends under way complete),
        the scheduler and the web server; close the bot's session."""
        self._stop.set()
        polling = [t for t in self._tasks if t.get_name() == "hgj-polling"]
        if polling:
            await asyncio.wait(polling, timeout=15)
        if self.scheduler is not None:
            with contextlib.suppress(Exception):
                shutdown = getattr(self.scheduler, "shutdown", None) or getattr(self.scheduler, "stop", None)
                result = shutdown() if shutdown else None
                if asyncio.iscoroutine(result):
                    await result
        if self.sender is not None:
            self.sender.stop()
        if self.web is not None:
            self.web.stop()
        pending = [t for t in self._tasks if not t.done()]
        if pending:
            done, still = await asyncio.wait(pending, timeout=15)
            for task in still:
                task.cancel()
            await asyncio.gather(*still, return_exceptions=True)
        if self.bridge is not None:
            await asyncio.to_thread(self.bridge.close)
        if self.bot is not None:
            await self.bot.session.close()

    def request_stop(self) -> None:
        self._stop.set()

    async def wait(self) -> None:
        await self._stop.wait()

    async def run_until_stopped(self) -> None:
        """Wait for Ctrl+C / SIGTERM (or ``request_stop``)."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.request_stop)
        try:
            await self.wait()
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.remove_signal_handler(sig)

    async def run(self) -> None:
        """Start, run until Ctrl+C / SIGTERM, stop cleanly."""
        await self.start()
        try:
            await self.run_until_stopped()
        finally:
            await self.stop()

    @property
    def web_url(self) -> str | None:
        if self.web is None:
            return None
        return f"http://{self.settings.web_host}:{self.web.bound_port}"


# --- the demo: the stand-in's world made of the demo district ---------------------------------


def populate_standin(world, db: Database) -> dict:
    """Every member and resident with a chat account becomes a stand-in user (same id), every
    bound group a group of the people of its community; members' private chats are opened.
    Returns ``{"users": n, "groups": {chat_id: title}}``."""
    from sqlmodel import select

    from handlers.texts import role_label
    from models import ChatGroup, Community, Member, Resident

    with db.session() as session:
        members = session.exec(select(Member).where(Member.chat_user_id.is_not(None)).order_by(Member.id)).all()
        residents = session.exec(select(Resident).where(Resident.chat_user_id.is_not(None))
                                 .order_by(Resident.id)).all()
        bound = session.exec(select(ChatGroup)).all()
        names = {c.id: c.name for c in session.exec(select(Community)).all()}
        people: dict[int, tuple[str, str, int | None]] = {}
        for m in members:
            people[m.chat_user_id] = (m.name, f"· {role_label(m)}", m.community_id)
        for r in residents:
            if r.chat_user_id not in people:
                people[r.chat_user_id] = (r.display_name or "居民", "", r.community_id)
    for user_id, (name, label, _c) in people.items():
        if user_id not in world.users:
            world.add_user(name, user_id=user_id, last_name=label or None)
    for m in members:
        world.start(m.chat_user_id, send=False)
    made = {}
    for group in bound:
        if group.chat_id in world.groups:
            continue
        inside = [uid for uid, (_n, _l, community) in people.items() if community == group.community_id]
        title = group.title or f"{names.get(group.community_id, '')}居民群"
        world.add_group(title, members=inside, chat_id=group.chat_id)
        made[group.chat_id] = title
    return {"users": len(people), "groups": made}
