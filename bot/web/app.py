"""The FastAPI application of the running bot. ``create_app`` builds it (nothing at import time):
the office site (``bot.web.site``: wall, dashboard, API, rotas and calendar feeds), a health
check, and what the caller passes in ``routers`` (the Telegram webhook)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from fastapi import APIRouter, FastAPI

from bot.infra.clock import Clock, SystemClock
from bot.infra.config import Settings
from bot.infra.db import Database


def create_app(db: Database, settings: Settings, clock: Clock | None = None,
               routers: Iterable[APIRouter] = (), secret_dir: Path | None = None) -> FastAPI:
    from . import site

    app = FastAPI(title="红管家 Hongguanjia", docs_url=None, redoc_url=None)
    site.install(app, db=db, settings=settings, clock=clock or SystemClock(), secret_dir=secret_dir)

    @app.get("/health", include_in_schema=False)
    def health() -> dict:
        return {"ok": True}

    for router in routers:
        app.include_router(router)
    return app
