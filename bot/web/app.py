"""The FastAPI application of the running bot. ``create_app`` builds it (nothing at import time):
the office site (``bot.web.site``: wall, dashboard, API, rotas and calendar feeds), the
operator's endpoints (``/healthz``, ``/readyz``, ``/metrics``: ``bot.health``, ``bot.infra.metrics``),
and what the caller passes in ``routers`` (the Telegram webhook)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse, Response

from bot import health
from bot.infra import metrics
from bot.infra.clock import Clock, SystemClock
from bot.infra.config import Settings
from bot.infra.db import Database
from handlers import notices

from . import site

# /readyz answers within this even when the database hangs (a proxy's health check times out too)
READY_TIMEOUT_SECONDS = 5.0


def create_app(db: Database, settings: Settings, clock: Clock | None = None,
               routers: Iterable[APIRouter] = (), secret_dir: Path | None = None, probe=None) -> FastAPI:
    """``probe`` (``bot.health.Probe``) is what the running process knows of itself; without one
    (the site alone) ``/readyz`` checks the database and the outbox only."""
    clock = clock or SystemClock()
    notices.install()  # the office's binds and unbinds queue the core's notices
    app = FastAPI(title="红管家 Hongguanjia", docs_url=None, redoc_url=None)
    site.install(app, db=db, settings=settings, clock=clock, secret_dir=secret_dir)
    app.state.probe = probe

    @app.get("/healthz", include_in_schema=False)
    @app.get("/health", include_in_schema=False)
    def healthz() -> dict:
        """Alive: the process answers HTTP. Nothing else is asked (a restart would not cure it)."""
        return {"ok": True}

    # Probes read the database on a thread of their own: while the database hangs, probes that
    # pile up wait for that one thread (and get 503 after the timeout) instead of taking the
    # event loop's default threads, which the sender needs the moment the database is back.
    probes = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hgj-probe")

    async def off_loop(fn, *args):
        asked = time.monotonic()

        def fresh():  # a probe that waited past its timeout in the queue is not worth running
            return fn(*args) if time.monotonic() - asked < READY_TIMEOUT_SECONDS else None

        result = await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(probes, fresh),
                                        READY_TIMEOUT_SECONDS)
        if result is None and fn is health.readiness:
            raise TimeoutError  # it waited its time out behind a hung probe
        return result

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        try:
            ready, body = await off_loop(health.readiness, db, settings, app.state.probe, clock.now())
        except TimeoutError:
            ready, body = False, {"ready": False, "database": {
                "ok": False, "error": f"no answer within {READY_TIMEOUT_SECONDS:.0f} s"}}
        return JSONResponse(body, status_code=200 if ready else 503, headers={"Cache-Control": "no-store"})

    @app.get("/metrics", include_in_schema=False)
    async def prometheus() -> Response:
        try:
            await off_loop(health.refresh_metrics, db, clock.now())
        except TimeoutError:
            pass  # the counters of this process are still worth scraping
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)

    for router in routers:
        app.include_router(router)
    return app
