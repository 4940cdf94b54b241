"""HTML pages: the public wish wall, and the community dashboard for its staff."""

from __future__ import annotations

from functools import lru_cache

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlmodel import select

from bot.infra.masking import clean
from bot.members import logins as access
from bot.members import permissions
from bot.office import stats
from bot.office.stats import funnel
from bot.places import service as places
from bot.points import service as points
from models import Community, Grid

from .api import CommunityRef
from .deps import COOKIE, MemberDep, SessionDep, check_csrf, check_same_site, form_of, login_token, now
from .views import member_rows, open_issue_rows, wish_rows

router = APIRouter()


@lru_cache
def _env():

    # autoescape: every resident's text on these pages is shown as text, never as markup; and
    # no invisible or direction character of a stored name or text reaches the page
    return Environment(loader=PackageLoader("bot.web", "templates"), autoescape=select_autoescape(default=True),
                       finalize=lambda value: clean(value) if isinstance(value, str) else value)


def render(name: str, status_code: int = 200, **context) -> HTMLResponse:
    return HTMLResponse(_env().get_template(name).render(**context), status_code=status_code)


@router.get("/wall", response_class=HTMLResponse)
def walls(session: SessionDep):
    communities = [
        {"code": c.code, "name": c.name, "open": funnel(session, community_id=c.id).wishes_open}
        for c in session.exec(select(Community).order_by(Community.code))
    ]
    return render("walls.html", communities=communities)


@router.get("/wall/{ref}", response_class=HTMLResponse)
def wall(ref: CommunityRef, request: Request, session: SessionDep):
    community = places.find_community(session, ref)
    if community is None:
        raise HTTPException(404, "没有这个社区")
    return render("wall.html", community=community,
                  wishes=wish_rows(session, community.id, request.app.state.settings.tz))


_PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}  # the page's URL holds the token


@router.get("/login", response_class=HTMLResponse)
def login(token: str, request: Request, session: SessionDep):
    """The link the bot sends with /web. Opening it only asks: a link preview, or another site
    making a browser open it, logs nobody in; the button posts the token back."""
    member = access.member_for_token(session, token, now=now(request))
    if member is None:
        return _expired_link()
    response = render("login.html", member=member, token=token)
    response.headers.update(_PRIVATE)
    return response


@router.post("/login")
async def login_confirmed(request: Request, session: SessionDep):
    """Logs this browser in with a new token of its own (the link's ends: a copy of the link, in a
    forwarded chat or a history, logs nobody else in), and only from our own page."""
    check_same_site(request)
    fresh = access.exchange(session, (await form_of(request)).get("token"), now=now(request))
    if fresh is None:
        return _expired_link()
    session.commit()
    response = RedirectResponse("/dashboard", status_code=303)
    # Secure when the site is served over https: the login must never travel in clear text
    secure = request.app.state.settings.web_url.startswith("https://")
    response.set_cookie(COOKIE, fresh, httponly=True, samesite="lax", secure=secure, max_age=7 * 24 * 3600)
    return response


def _expired_link() -> HTMLResponse:
    return render("message.html", 401, title="链接无效或已过期",
                  text="登录链接只能用一次。请在机器人私聊里重新发送 /web 获取新的登录链接。")


@router.get("/logout", response_class=HTMLResponse)
def logout_confirm(request: Request, viewer: MemberDep):
    """Asks first: a link or an image on another site must not log anyone out."""
    if viewer is None:
        return RedirectResponse("/wall", status_code=303)
    return render("logout.html", viewer=viewer, csrf=access.csrf_token(login_token(request)))


@router.post("/logout")
async def logout(request: Request, session: SessionDep):
    check_csrf(request, (await form_of(request)).get("csrf"))
    access.revoke_token(session, login_token(request), now=now(request))
    session.commit()
    response = RedirectResponse("/wall", status_code=303)
    response.delete_cookie(COOKIE, httponly=True, samesite="lax",
                           secure=request.app.state.settings.web_url.startswith("https://"))
    return response


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, session: SessionDep, viewer: MemberDep):
    if viewer is None:
        return render("message.html", 401, title="请先登录", text="在机器人私聊里发送 /web，点开收到的链接即可查看社区看板。")
    if not permissions.may_see_dashboard(viewer):
        return render("message.html", 403, title="没有权限", text="社区看板供社区工作人员、包联干部和区领导使用。")
    tz = request.app.state.settings.tz
    today = now(request).astimezone(tz).date()
    community = session.get(Community, viewer.community_id)
    grid_names = {g.id: g.name for g in session.exec(select(Grid).where(Grid.community_id == community.id))}
    grids = [
        {"grid": name, **stats.funnel(session, community_id=community.id, grid_id=gid).to_dict()}
        for gid, name in sorted(grid_names.items())
    ]
    month, quarter = points.period_of("month", today, tz), points.period_of("quarter", today, tz)
    return render(
        "dashboard.html",
        community=community,
        viewer=viewer,
        funnel=stats.funnel(session, community_id=community.id),
        grids=grids,
        open_issues=open_issue_rows(session, community.id, now(request), viewer=viewer),
        month=month,
        quarter=quarter,
        stars=points.leaderboard(session, month, community_id=community.id),
        units=points.unit_leaderboard(session, quarter, community_id=community.id),
        members=member_rows(session, viewer),
        csrf=access.csrf_token(login_token(request)),
    )
