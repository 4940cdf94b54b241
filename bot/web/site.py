"""The office web site (wall, dashboard, JSON API, rotas and calendar feeds) as routers any
FastAPI app can include."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote_to_bytes

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from bot.infra.errors import DomainError, NotAllowed, NotFound

from . import api, desk, members, pages, rotas


def install(app: FastAPI, *, db, settings, clock, secret_dir: Path | None = None) -> FastAPI:
    """Give ``app`` what the pages need (``app.state``) and include their routers. (``secret_dir``
    is accepted for older callers: logins are rows now, nothing is signed.)"""
    app.state.db = db
    app.state.settings = settings
    app.state.clock = clock
    app.state.bot_username = getattr(app.state, "bot_username", "")
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(members.router)
    app.include_router(desk.router)
    app.include_router(rotas.router)
    app.add_exception_handler(DomainError, _refused)
    app.add_middleware(RefuseNul)
    app.add_middleware(NoFraming)
    return app


class NoFraming:
    """No page of ours is shown inside another site's frame: a page that framed the dashboard
    could make an office admin click 「发邀请」 or 解绑 unawares (clickjacking). And a response is
    what its type says it is."""

    HEADERS = [(b"x-frame-options", b"DENY"), (b"content-security-policy", b"frame-ancestors 'none'"),
               (b"x-content-type-options", b"nosniff")]

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *self.HEADERS]}
            await send(message)

        await self.app(scope, receive, with_headers)


class RefuseNul:
    """PostgreSQL cannot hold a NUL character in text: one in a URL (``/wall/%00``) would become a
    database error. Such a request is refused with a reason before any route sees it; JSON bodies
    are checked by their models (``deps.Text``)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and (
            "\x00" in scope.get("path", "") or b"\x00" in unquote_to_bytes(scope.get("query_string", b""))
        ):
            response = JSONResponse({"detail": "请求中含有不允许的字符（NUL）"}, status_code=400)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _refused(request: Request, err: DomainError) -> JSONResponse:
    """A refusal of the core (bad input, not found, not allowed) is the client's 4xx with the
    reason, never a server error, whichever route it came from."""
    status = 404 if isinstance(err, NotFound) else 403 if isinstance(err, NotAllowed) else 422
    return JSONResponse({"detail": str(err)}, status_code=status)
