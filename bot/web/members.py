"""The office's hands on binding, on the dashboard and in the API: a one-time invitation for a
member (link and QR code), and unbinding a member's chat account (after a confirmation page).

Changes made with the login cookie carry the page's CSRF value; the API takes a Bearer token."""

from __future__ import annotations

import base64

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from bot.members import logins as access
from bot.infra.errors import DomainError
from bot.members import binding
from bot.members.service import find_by_number
from models import Member

from .deps import SessionDep, StaffDep, check_csrf, form_of, login_token, now
from .pages import render

router = APIRouter()
_NO_STORE = {"Cache-Control": "no-store"}  # an invitation is shown once and must not sit in a cache


def _member(session, viewer: Member, number: str) -> Member:
    try:
        member = find_by_number(session, number)
    except DomainError:
        member = None
    if member is None or member.community_id != viewer.community_id:
        raise HTTPException(404, "本社区没有这个会员编号")
    return member


def _bot_username(request: Request) -> str:
    name = request.app.state.bot_username or request.app.state.settings.bot_username or ""
    if not name:
        raise HTTPException(503, "还不知道机器人的用户名，无法生成邀请链接（设置 HGJ_BOT_USERNAME）")
    return name.lstrip("@")


def _invite(request: Request, session, viewer: Member, number: str) -> dict:
    member = _member(session, viewer, number)
    if not binding.may_invite(viewer, member):
        raise HTTPException(403, "只有本社区红管家工作室的管理员，或该成员所在网格的网格员，可以发邀请")
    username = _bot_username(request)
    try:
        issued = binding.create_invitation(session, member, by=viewer, now=now(request))
    except DomainError as err:
        raise HTTPException(409, str(err)) from None
    link = issued.link(username)
    png = binding.qr_png(link)
    session.commit()
    tz = request.app.state.settings.tz
    return {"number": member.number, "name": member.name, "link": link,
            "expires_at": issued.invitation.expires_at.astimezone(tz).isoformat(timespec="minutes"),
            "revoked": issued.revoked, "qr_png_base64": base64.b64encode(png).decode()}


def _unbind(request: Request, session, viewer: Member, number: str) -> dict:
    member = _member(session, viewer, number)
    if not binding.may_unbind(viewer, member):
        raise HTTPException(403, "只有本社区红管家工作室的管理员可以解绑")
    try:
        done = binding.unbind(session, member, by=viewer, how="office", now=now(request))
    except DomainError as err:
        raise HTTPException(409, str(err)) from None
    session.commit()
    return {"number": member.number, "name": member.name, "logins_revoked": done.logins_revoked}


# --- the dashboard ---------------------------------------------------------------------------------


@router.post("/dashboard/members/{number}/invite", response_class=HTMLResponse)
async def page_invite(number: str, request: Request, session: SessionDep, viewer: StaffDep):
    check_csrf(request, (await form_of(request)).get("csrf"))
    made = _invite(request, session, viewer, number)
    response = render("invitation.html", made=made)
    response.headers.update(_NO_STORE)
    return response


@router.get("/dashboard/members/{number}/unbind", response_class=HTMLResponse)
def page_unbind_confirm(number: str, request: Request, session: SessionDep, viewer: StaffDep):
    member = _member(session, viewer, number)
    if not binding.may_unbind(viewer, member):
        raise HTTPException(403, "只有本社区红管家工作室的管理员可以解绑")
    return render("unbind.html", member=member, csrf=access.csrf_token(login_token(request)))


@router.post("/dashboard/members/{number}/unbind", response_class=HTMLResponse)
async def page_unbind(number: str, request: Request, session: SessionDep, viewer: StaffDep):
    check_csrf(request, (await form_of(request)).get("csrf"))
    done = _unbind(request, session, viewer, number)
    return render("message.html", title="已解绑",
                  text=f"{done['name']}（{done['number']}）的聊天账号已解绑，看板登录 {done['logins_revoked']} 个已作废；"
                       "其所在网格的网格员和社区工作室已收到通知。")


# --- the API -------------------------------------------------------------------------------------


@router.post("/api/members/{number}/invite")
def api_invite(number: str, request: Request, session: SessionDep, viewer: StaffDep) -> dict:
    """A one-time invitation (link valid 7 days, its QR code as base64 PNG); the member's older
    unused invitations are void."""
    check_csrf(request, None)
    return _invite(request, session, viewer, number)


@router.post("/api/members/{number}/unbind")
def api_unbind(number: str, request: Request, session: SessionDep, viewer: StaffDep) -> dict:
    """Unbind the member's chat account (office admins); their web logins end at once."""
    check_csrf(request, None)
    return _unbind(request, session, viewer, number)
