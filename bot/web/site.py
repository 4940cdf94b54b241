"""The office web site (wall, dashboard, JSON API, rotas and calendar feeds) as routers any
FastAPI app can include."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from bot import access


def install(app: FastAPI, *, db, settings, clock, secret_dir: Path | None = None) -> FastAPI:
    """Give ``app`` what the pages need (``app.state``) and include their routers."""
    from . import api, pages, rotas

    app.state.db = db
    app.state.settings = settings
    app.state.clock = clock
    app.state.secret = access.load_secret(settings.web_secret, secret_dir)
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(rotas.router)
    return app
