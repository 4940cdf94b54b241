"""The FastAPI application. ``create_app`` builds it (nothing at import time).

The chat part adds only what it needs: a health check and, in webhook mode, the Telegram
webhook router passed in ``routers``. Feature routers that exist are included here
(``bot.web.rotas``); dashboards are built on this app.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter, FastAPI

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db import Database


def feature_routers() -> list[APIRouter]:
    found = []
    try:
        from . import rotas  # issue 5: rota pages and the calendar feed
    except ImportError:
        rotas = None
    if rotas is not None and hasattr(rotas, "router"):
        found.append(rotas.router)
    return found


def create_app(db: Database, settings: Settings, clock: Clock | None = None,
               routers: Iterable[APIRouter] = ()) -> FastAPI:
    app = FastAPI(title="红管家 Hongguanjia", docs_url=None, redoc_url=None)
    app.state.db = db
    app.state.settings = settings
    app.state.clock = clock or SystemClock()

    @app.get("/health")
    def health() -> dict:
        return {"ok": True}

    for router in [*routers, *feature_routers()]:
        app.include_router(router)
    return app
