"""The office web site (wall, dashboard, JSON API, rotas and calendar feeds) as routers any
FastAPI app can include."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI


def install(app: FastAPI, *, db, settings, clock, secret_dir: Path | None = None) -> FastAPI:
    """Give ``app`` what the pages need (``app.state``) and include their routers. (``secret_dir``
    is accepted for older callers: logins are rows now, nothing is signed.)"""
    from . import api, members, pages, rotas

    app.state.db = db
    app.state.settings = settings
    app.state.clock = clock
    app.state.bot_username = getattr(app.state, "bot_username", "")
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(members.router)
    app.include_router(rotas.router)
    return app
