"""The HTTP server: Bot API routes, file downloads, webhook deliveries, control API, demo page."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from itertools import islice
from typing import Any

import aiohttp
from aiohttp import web

from bot.platforms.telegram.standin.api import BotApi, Described, FileUpload, Params
from bot.platforms.telegram.standin.control import add_control_routes
from bot.platforms.telegram.standin.limits import Limits
from bot.platforms.telegram.standin.state import ApiError, BotAccount, World, bad_request

__all__ = ["StandinServer", "StandinThread"]

log = logging.getLogger("hgj.standin")


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def json_response(obj: Any, status: int = 200) -> web.Response:
    return web.Response(text=_dumps(obj), status=status, content_type="application/json")


def _parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, FileUpload]]:
    msg = email.message_from_bytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body,
        policy=email.policy.HTTP,
    )
    values: dict[str, Any] = {}
    files: dict[str, FileUpload] = {}
    if not msg.is_multipart():
        return values, files
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            up = FileUpload(payload, filename, part.get_content_type())
            files[name] = values[name] = up
        else:
            values[name] = payload.decode(part.get_content_charset() or "utf-8", "replace")
    return values, files


class StandinServer:
    """A local Telegram Bot API server for tests, benchmarks and the demo.

    ``limits=None`` means Telegram's default limits; ``Limits.off()`` disables them.
    ``time_source`` is the monotonic clock of the rate limits (inject a
    :class:`~bot.standin.limits.ManualClock` to drive them without sleeping).
    ``tokens`` registers bots up front, so user messages sent before the bot first polls
    are queued for it (any well-formed token is also registered on its first request).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, limits: Limits | None = None,
                 time_source: Callable[[], float] = time.monotonic, *,
                 wall_clock: Callable[[], float] = time.time,
                 tokens: Iterable[str] = (), bot_username: str = "hgj_demo_bot",
                 bot_first_name: str = "红管家",
                 webhook_retry: tuple[float, float] = (0.1, 5.0),
                 webhook_timeout: float = 10.0) -> None:
        self.host = host
        self.port = port
        self.world = World(limits=limits, time_source=time_source, wall_clock=wall_clock,
                           bot_username=bot_username, bot_first_name=bot_first_name)
        self.api = BotApi(self.world, webhook_changed=self._webhook_changed)
        for token in tokens:
            self.world.add_bot(token)
        self.webhook_retry = webhook_retry
        self.webhook_timeout = webhook_timeout
        self.app = self._build_app()
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self._running = False

    # -- lifecycle ----------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        if not self._running:
            raise RuntimeError("the stand-in is not started")
        host = self.host if self.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    async def start(self) -> "StandinServer":
        if self._running:
            return self
        self.world.closing = False
        runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0,
                               handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, backlog=1024, reuse_address=True)
        await site.start()
        self._runner = runner
        if self.port == 0:
            self.port = runner.addresses[0][1]
        self._running = True
        for bot in self.world.bots.values():
            self._webhook_changed(bot)
        log.info("stand-in listening on %s", self.base_url)
        return self

    async def stop(self) -> None:
        if not self._running:
            return
        self.world.wake_all()
        for bot in self.world.bots.values():
            if bot.webhook_task is not None:
                bot.webhook_task.cancel()
                bot.webhook_task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._http is not None:
            await self._http.close()
            self._http = None
        self._running = False

    async def __aenter__(self) -> "StandinServer":
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def run_in_thread(self) -> "StandinThread":
        """Start in a background thread with its own event loop (for sync callers)."""
        handle = StandinThread(self)
        handle.start()
        return handle

    async def serve_forever(self) -> None:
        await self.start()
        try:
            await asyncio.Event().wait()
        finally:
            await self.stop()

    # -- app ----------------------------------------------------------------------------
    def _build_app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        add_control_routes(app, self)
        return app

    async def _params(self, request: web.Request) -> Params:
        values: dict[str, Any] = dict(request.query)
        files: dict[str, FileUpload] = {}
        if request.method == "POST" and request.body_exists:
            ctype = request.content_type
            if ctype == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise bad_request("can't parse request JSON object") from None
                if isinstance(body, dict):
                    values.update(body)
            elif ctype in ("multipart/form-data", "application/x-www-form-urlencoded"):
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        up = FileUpload(value.file.read(), value.filename, value.content_type)
                        files[key] = values[key] = up
                    else:
                        values[key] = value
        return Params(values, files)

    async def _handle_api(self, request: web.Request) -> web.Response:
        world = self.world
        token = request.match_info["token"]
        method = request.match_info["method"]
        bot = world.bot_for_token(token)
        if bot is None:
            known_format = token.split(":", 1)[0].isdigit() and ":" in token
            err = ApiError(401, "Unauthorized") if known_format else ApiError(404, "Not Found")
            world.errors[err.code] += 1
            return json_response(err.to_dict(), err.code)
        world.requests[method] += 1
        try:
            params = await self._params(request)
            result = await self.api.call(bot, method, params)
        except ApiError as err:
            world.errors[err.code] += 1
            return json_response(err.to_dict(), err.code)
        if isinstance(result, Described):
            return json_response({"ok": True, "result": result.result, "description": result.description})
        return json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.Response:
        bot = self.world.bot_for_token(request.match_info["token"])
        record = self.world.files_by_path.get(request.match_info["path"])
        if bot is None or record is None:
            return json_response({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        return web.Response(body=record.data, content_type=record.mime_type or "application/octet-stream")

    # -- webhooks -----------------------------------------------------------------------
    def _webhook_changed(self, bot: BotAccount) -> None:
        if bot.webhook_task is not None:
            bot.webhook_task.cancel()
            bot.webhook_task = None
        if bot.webhook is not None and self._running:
            bot.webhook_task = asyncio.get_running_loop().create_task(self._deliver(bot))

    async def _client(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=200),
                timeout=aiohttp.ClientTimeout(total=self.webhook_timeout),
            )
        return self._http

    async def _deliver(self, bot: BotAccount) -> None:
        world = self.world
        base_delay, max_delay = self.webhook_retry
        delay = base_delay
        while bot.webhook is not None and not world.closing:
            if not bot.updates:
                await bot.signal.wait()
                continue
            hook = bot.webhook
            batch = list(islice(bot.updates, hook["max_connections"]))
            results = await asyncio.gather(*(self._post(bot, hook, update) for _, update in batch))
            done = {uid for (uid, _), ok in zip(batch, results) if ok}
            if done:
                q = bot.updates
                if len(done) == len(batch):
                    while q and q[0][0] in done:
                        q.popleft()
                else:
                    bot.updates = deque(item for item in q if item[0] not in done)
                bot.confirmed += len(done)
            if len(done) < len(batch):
                await asyncio.sleep(delay)
                delay = min(delay * 2, max_delay)
            else:
                delay = base_delay

    async def _post(self, bot: BotAccount, hook: dict, update: dict) -> bool:
        world = self.world
        headers = {"Content-Type": "application/json"}
        if hook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
        try:
            session = await self._client()
            async with session.post(hook["url"], data=_dumps(update).encode(), headers=headers) as resp:
                body = await resp.read()
                if 200 <= resp.status < 300:
                    world.webhook_deliveries += 1
                    await self._webhook_reply(bot, resp.headers.get("Content-Type", ""), body)
                    return True
                error = f"Wrong response from the webhook: {resp.status} {resp.reason}"
        except asyncio.TimeoutError:
            error = "Read timeout expired"
        except aiohttp.ClientError as err:
            error = f"Connection failed: {type(err).__name__}"
        world.webhook_failures += 1
        bot.webhook_error = (world.now(), error)
        world.emit("webhook_failed", bot_id=bot.id, update_id=update["update_id"], error=error)
        return False

    async def _webhook_reply(self, bot: BotAccount, content_type: str, body: bytes) -> None:
        """Telegram executes a method returned in the webhook response; so do we."""
        if not body:
            return
        try:
            if content_type.startswith("multipart/form-data"):
                values, files = _parse_multipart(content_type, body)
            elif content_type.startswith("application/json"):
                values, files = json.loads(body), {}
            else:
                return
        except (ValueError, UnicodeDecodeError):
            return
        if not isinstance(values, dict) or not isinstance(values.get("method"), str):
            return
        method = values.pop("method")
        try:
            await self.api.call(bot, method, Params(values, files))
        except ApiError as err:
            log.info("webhook reply %s refused: %s", method, err.description)


class StandinThread:
    """A :class:`StandinServer` running on its own loop in a daemon thread."""

    def __init__(self, server: StandinServer) -> None:
        self.server = server
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="hgj-standin", daemon=True)
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def world(self) -> World:
        return self.server.world

    def start(self) -> None:
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self._stop = asyncio.Event()
            self.loop.run_until_complete(self.server.start())
        except BaseException as err:  # noqa: BLE001 - reported to the starting thread
            self._error = err
            self._ready.set()
            return
        self._ready.set()
        try:
            self.loop.run_until_complete(self._stop.wait())
            self.loop.run_until_complete(self.server.stop())
        finally:
            self.loop.close()

    def call(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn()`` (sync, or returning an awaitable) on the server's loop; its result."""

        async def runner() -> Any:
            result = fn()
            if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
                result = await result
            return result

        return asyncio.run_coroutine_threadsafe(runner(), self.loop).result()

    def stop(self) -> None:
        if self._thread.is_alive() and self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(timeout=10)

    def __enter__(self) -> "StandinThread":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
