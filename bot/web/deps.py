"""FastAPI dependencies: the database session, the clock, and the member behind a request."""

from __future__ import annotations

import hmac
from urllib.parse import parse_qs, urlsplit
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from pydantic import AfterValidator
from sqlmodel import Session

from bot.members import logins as access

from bot.members import permissions
from models import Member

COOKIE = "hgj_token"


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("不能含有 NUL 字符")  # PostgreSQL text cannot hold it
    return value


Text = Annotated[str, AfterValidator(_no_nul)]  # a string of a JSON body that may reach the database


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.db.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def now(request: Request):
    return request.app.state.clock.now()


def bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


def login_token(request: Request) -> str:
    """The token of this request: the ``Authorization: Bearer`` header, else the login cookie."""
    return bearer(request) or request.cookies.get(COOKIE, "")


def current_member(request: Request, session: SessionDep) -> Member | None:
    """The member of a live login row (not expired, not revoked, not left); None otherwise."""
    return access.member_for_token(session, login_token(request), now=now(request))


MemberDep = Annotated[Member | None, Depends(current_member)]


def staff(member: MemberDep) -> Member:
    if member is None:
        raise HTTPException(401, "请先通过机器人的 /web 命令获取登录链接")
    if not permissions.may_see_dashboard(member):
        raise HTTPException(403, "只有社区工作人员、包联干部和区领导可以查看")
    return member


StaffDep = Annotated[Member, Depends(staff)]


def office(member: MemberDep) -> Member:
    if member is None:
        raise HTTPException(401, "请先登录")
    if not permissions.may_change_settings(member):
        raise HTTPException(403, "只有社区红管家工作室的管理员可以修改设置")
    return member


OfficeDep = Annotated[Member, Depends(office)]


def check_csrf(request: Request, sent: str | None) -> None:
    """A change asked with the login cookie must carry the page's CSRF value (form field or
    ``X-CSRF-Token``); a Bearer header is not sent by browsers on their own, so it needs none."""
    if bearer(request):
        return
    token = request.cookies.get(COOKIE, "")
    given = sent or request.headers.get("x-csrf-token", "")
    if not token or not given or not hmac.compare_digest(given, access.csrf_token(token)):
        raise HTTPException(403, "页面已过期，请刷新社区看板后再试")


async def form_of(request: Request) -> dict[str, str]:
    """A posted form's fields (the first of each name); an undecodable byte becomes U+FFFD."""
    body = (await request.body()).decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(body).items()}


def check_same_site(request: Request) -> None:
    """A form posted from another site's page is refused where no CSRF value can be asked for
    (logging in): browsers name the page's site in ``Sec-Fetch-Site`` and ``Origin``. A request
    without either (curl, an old browser) was not made by another site's page."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        raise HTTPException(403, "请直接点开机器人发来的登录链接")
    origin = request.headers.get("origin")
    if origin is None:
        return
    ours = {request.headers.get("host", "")}
    web_url = request.app.state.settings.web_url
    if web_url:
        ours.add(urlsplit(web_url).netloc)
    if urlsplit(origin).netloc not in ours:
        raise HTTPException(403, "请直接点开机器人发来的登录链接")
