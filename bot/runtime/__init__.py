"""Everything the bot runs, in one asyncio loop: the database, the message parser, the
conversation, the Telegram bot (polling, or the webhook), the outbox sender, the scheduler,
the expiry of unanswered questions, and the web app. Started and stopped cleanly together.

Polling, the sender and the scheduler each have one owner among all the processes on the
database (``bot.infra.ownership``): a process that does not own one stands by and takes over within
``HGJ_LOCK_RETRY_SECONDS`` of the owner's death. Webhook mode needs no owner for the updates:
every instance behind the load balancer handles what it is given.

``Runtime(settings, db).run()`` is ``hgj run``; ``hgj demo`` and the tests start one against
the Telegram stand-in.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from dataclasses import dataclass
from typing import Any

import uvicorn

from bot.health import Probe
from bot.infra import metrics
from bot.infra.changes import GroupWatch
from bot.infra.clock import Clock, SystemClock
from bot.infra.config import Settings
from bot.infra.db import Database
from bot.infra.ownership import Elected, lock_for, process_name
from bot.outbox import RateLimiter, RateLimits, Sender
from bot.platforms.telegram.app import build_bot, build_dispatcher
from bot.platforms.telegram.bridge import UpdateBridge
from bot.platforms.telegram.polling import WebhookActive, check_webhook, poll
from bot.platforms.telegram.transport import TelegramTransport
from bot.platforms.telegram.webhook import set_webhook, webhook_path, webhook_router, webhook_secret
from bot.scheduler import start_scheduler as _start_scheduler
from bot.web.app import create_app
from handlers import build_conversation, notices
from handlers.understanding import get_parser

__all__ = ["Features", "Runtime", "WebhookActive", "check_webhook", "make_sender", "populate_standin"]

log = logging.getLogger(__name__)


@dataclass
class Features:
    polling: bool = True  # False: webhook when settings.webhook_url is set, else nothing fetches updates
    sender: bool = True
    scheduler: bool = True
    web: bool = True
    sweep_every: float = 60.0  # seconds between expiries of unanswered questions
    offload_db: bool = True  # run each update's transaction on a worker thread
    replace_webhook: bool = False  # polling: delete a webhook found set (else refuse to start)


def make_sender(db: Database, bot, clock: Clock, settings: Settings, **kwargs):
    """The outbox sender with the Telegram transport, within Telegram's limits (unless
    ``HGJ_SEND_LIMITS=false``, for a local stand-in without limits)."""
    limiter = RateLimiter() if settings.send_limits else RateLimiter(RateLimits.off())
    return Sender(db, TelegramTransport(bot), clock=clock, limiter=limiter, **kwargs)


def start_scheduler(db: Database, settings: Settings, clock: Clock, notify) -> Any:
    """The scheduler (reminders, escalation, digests); None when switched off."""
    if not settings.scheduler_enabled:
        return None

    return _start_scheduler(db, settings, clock, notify)


class _Server:
    """uvicorn in our loop, without taking over Ctrl+C (the runtime handles signals)."""

    def __init__(self, app, host: str, port: int) -> None:
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
        notices.install()  # the words of the scheduler's and the core's messages
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
        self.probe = None  # bot.health.Probe: what /readyz reads
        self.mode = "off"
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self.elected: dict[str, Any] = {}  # role → bot.infra.ownership.Elected (poller, sender)
        self._role_stops: dict[str, asyncio.Event] = {}
        self._sender_task: asyncio.Task | None = None
        self._poll_task: asyncio.Task | None = None
        self._poll_stop: asyncio.Event | None = None
        self._group_watch = None

    # --- life ------------------------------------------------------------------------------

    async def start(self) -> None:
        self.probe = Probe(self.db, self.settings, self.clock)
        self.bot = build_bot(self.settings, token=self.token, api_base=self.api_base)
        me = await self.bot.me()
        if self.features.polling:  # before anything else: refusing must leave nothing started
            await check_webhook(self.bot, replace=self.features.replace_webhook)
        if self.db.engine.dialect.name == "postgresql":
            # a /bind on another instance reaches this one's binding cache at once
            self._group_watch = GroupWatch(self.db.engine).start()
        if self.parser is None:
            self.parser = await asyncio.to_thread(get_parser)
        conversation = build_conversation()
        # the parser's dictionaries and the imported modules live as long as the process: keep
        # them out of the garbage collector's full passes (no pauses of a tenth of a second)
        gc.collect()
        gc.freeze()
        if self.features.sender:
            sender_lock = lock_for(self.db.engine, "sender")
            self.sender = make_sender(self.db, self.bot, self.clock, self.settings, owner=process_name("sender"),
                                      fence=sender_lock.fence, on_fenced=lambda: self._resign("sender"))
            self.sender.is_owner = False  # until this process takes the role (/readyz reads it)
        self.probe.sender = self.sender
        notify = self.sender.notify if self.sender is not None else (lambda: None)
        self.bridge = UpdateBridge(self.db, conversation, self.settings, parser=self.parser, clock=self.clock,
                                   notify=notify, bot_username=me.username or "",
                                   offload=self.features.offload_db and self.settings.update_thread)
        self.dp = build_dispatcher(self.bridge)
        routers = []
        if self.features.polling:
            self.mode = "polling"
        elif self.settings.webhook_url:
            self.mode = "webhook"
            secret = webhook_secret(self.settings, self.token)
            routers.append(webhook_router(self.dp, self.bot, secret, webhook_path(self.settings),
                                          on_delivery=self.probe.updates_arrived))
        self.probe.mode = self.mode
        if self.features.web or self.mode == "webhook":
            self.app = create_app(self.db, self.settings, self.clock, routers=routers, probe=self.probe)
            self.app.state.bot_username = me.username or ""  # invitation links name the bot
            self.web = _Server(self.app, self.settings.web_host, self.web_port)
            self._spawn(self.web.serve(), "web")
            while not self.web.started:
                await asyncio.sleep(0.02)
        if self.sender is not None:
            self._elect(sender_lock, self._sender_on, self._sender_off, "sender")
        if self.mode == "polling":
            self.bridge.batched = True
            self._elect(lock_for(self.db.engine, "poller"), self._poll_on, self._poll_off, "polling")
        elif self.mode == "webhook":
            await set_webhook(self.bot, self.dp, self.settings, webhook_secret(self.settings, self.token))
        if self.features.sweep_every:
            self._spawn(self._sweeper(), "sweep")
        if self.features.scheduler:
            self.scheduler = start_scheduler(self.db, self.settings, self.clock, notify)
            self.probe.scheduler = self.scheduler
        log.info("bot @%s running (%s)", me.username, self.mode)

    # --- the roles with one owner among the processes: stand by, take over, step down ----------

    def _elect(self, lock, on_gain, on_loss, name: str) -> None:
        stop = self._role_stops[lock.role] = asyncio.Event()
        elected = self.elected[lock.role] = Elected(lock, retry=self.settings.lock_retry_seconds,
                                                    on_gain=on_gain, on_loss=on_loss)
        self._spawn(elected.run(stop), name)

    def _resign(self, role: str) -> None:
        elected = self.elected.get(role)
        if elected is not None:
            elected.check_now()

    async def _sender_on(self) -> None:
        self.sender.is_owner = True
        metrics.owner("sender", True)
        # taking over: the lock proves any other sender is dead, so its leases go back at once
        self._sender_task = asyncio.create_task(self.sender.run(reclaim=True), name="hgj-sender-run")
        self._sender_task.add_done_callback(self._task_done)

    async def _sender_off(self) -> None:
        self.sender.is_owner = False
        metrics.owner("sender", False)
        self.sender.stop()
        if self._sender_task is not None:
            await asyncio.gather(self._sender_task, return_exceptions=True)
            self._sender_task = None

    async def _poll_on(self) -> None:
        try:  # a standby taking over checks again: a webhook may have been set meanwhile
            await check_webhook(self.bot, replace=self.features.replace_webhook)
        except WebhookActive as err:
            log.error("%s", err)
            self._role_stops["poller"].set()  # this process stops trying to poll
            return
        self._poll_stop = asyncio.Event()
        self._poll_task = asyncio.create_task(
            poll(self.bot, self.dp, self._poll_stop, after_batch=self.bridge.flush,
                 on_fetch=self.probe.updates_arrived), name="hgj-poll")
        self._poll_task.add_done_callback(self._poll_ended)

    def _poll_ended(self, task: asyncio.Task) -> None:
        self._task_done(task)
        if not task.cancelled() and isinstance(task.exception(), WebhookActive):
            log.error("%s", task.exception())
            stop = self._role_stops.get("poller")
            if stop is not None:
                stop.set()

    async def _poll_off(self) -> None:
        if self._poll_stop is not None:
            self._poll_stop.set()
        if self._poll_task is not None:
            await asyncio.gather(self._poll_task, return_exceptions=True)
            self._poll_task = None

    def owns(self, role: str) -> bool:
        """Does this process own ``role`` (``sender``, ``poller``; the scheduler: ``scheduler.is_owner``)?"""
        if role == "scheduler":
            return self.scheduler is not None and self.scheduler.is_owner
        elected = self.elected.get(role)
        return elected is not None and elected.owner

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
        if "poller" in self._role_stops:
            self._role_stops["poller"].set()
        polling = [t for t in self._tasks if t.get_name() == "hgj-polling"]
        if polling:
            await asyncio.wait(polling, timeout=15)
        if self.scheduler is not None:
            try:
                self.scheduler.stop()
            except Exception:  # noqa: BLE001 — stopping goes on
                log.exception("stopping the scheduler failed")
        for stop in self._role_stops.values():  # the sender steps down: sends under way complete
            stop.set()
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
        if self._group_watch is not None:
            await asyncio.to_thread(self._group_watch.stop)
            self._group_watch = None
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


from .demo import populate_standin  # noqa: E402,F401  (hgj demo, tests)
