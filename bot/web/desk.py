"""The office's hands on issues, on the dashboard and in the API: accept (受理), claim (领办),
resolve with a note (已解决), reject with a reason (驳回). They go through the same core flows as
the chat's buttons (``bot.issues.flows``) and the same words (``handlers.handling.deliver``), so
the reporter, everyone who joined and every card of the issue in the chats hear of it exactly as
if it had been done in the chat. The member's rights are checked by the core, as in the chat.

Changes made with the login cookie carry the page's CSRF value; the API takes a Bearer token."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlmodel import Session

from bot.infra.errors import DomainError, InvalidInput, NotAllowed, NotFound
from bot.issues import flows
from bot.issues import service as issues
from bot.outbox import enqueue_all
from handlers import handling
from handlers.context import Context
from models import ISSUE_STATUS_ZH, Issue, Member

from .deps import SessionDep, StaffDep, Text, check_csrf, form_of, now
from .pages import render

router = APIRouter()

Verb = Literal["accept", "claim", "resolve", "reject"]
DONE_ZH = {"accept": "已受理", "claim": "已领办", "resolve": "已标记解决", "reject": "已驳回"}
NOTE_LIMIT = 1000


class IssueAction(BaseModel):
    note: Text = Field("", max_length=NOTE_LIMIT, description="处理说明（已解决）或驳回理由（驳回，必填）")


def _issue(session: Session, viewer: Member, ref: str) -> Issue:
    issue_id = issues.parse_code(ref)
    issue = session.get(Issue, issue_id) if issue_id is not None else None
    if issue is None or issue.community_id != viewer.community_id:
        raise HTTPException(404, "本社区没有这个问题编号")
    return issue


def act(request: Request, session: Session, viewer: Member, ref: str, verb: str, note: str = "") -> dict:
    """Do ``verb`` to the issue as ``viewer`` and queue what the chats are told, in one transaction."""
    issue = _issue(session, viewer, ref)
    note = note.strip()
    when = now(request)
    if verb == "accept":
        changed = flows.accept(session, issue, viewer, now=when)
    elif verb == "claim":
        changed = flows.claim(session, issue, viewer, now=when)
    elif verb == "resolve":
        changed = flows.resolve(session, issue, viewer, now=when, note=note)
    elif verb == "reject":
        if not note:
            raise InvalidInput("驳回需要写明理由")
        changed = flows.reject(session, issue, viewer, reason=note, now=when)
    else:
        raise HTTPException(404, "没有这个操作")
    ctx = Context(session=session, now=when, settings=request.app.state.settings)
    handling.deliver(ctx, changed)
    enqueue_all(session, ctx.sent, now=when)
    session.commit()
    return {"code": issues.code(issue), "status": issue.status, "status_name": ISSUE_STATUS_ZH.get(issue.status, issue.status),
            "notified": len(ctx.sent)}


@router.post("/api/issues/{ref}/{verb}")
def api_act(ref: str, verb: Verb, request: Request, session: SessionDep, viewer: StaffDep,
            body: IssueAction | None = None) -> dict:
    """受理 / 领办 / 已解决 / 驳回 an issue of the viewer's community (``ref``: 「Q12」 or 12); the
    reporter and followers are told in the chats. A refusal says why (403 no right, 422 not now)."""
    check_csrf(request, None)
    return act(request, session, viewer, ref, verb, body.note if body else "")


@router.post("/dashboard/issues/{ref}/{verb}", response_class=HTMLResponse)
async def page_act(ref: str, verb: Verb, request: Request, session: SessionDep, viewer: StaffDep):
    form = await form_of(request)
    check_csrf(request, form.get("csrf"))
    note = form.get("note", "")
    if "\x00" in note or len(note) > NOTE_LIMIT:
        return render("message.html", 422, title="没有完成", text=f"说明不能超过 {NOTE_LIMIT} 字，也不能含有 NUL 字符。")
    try:
        done = act(request, session, viewer, ref, verb, note)
    except DomainError as err:
        session.rollback()
        status = 404 if isinstance(err, NotFound) else 403 if isinstance(err, NotAllowed) else 422
        return render("message.html", status, title="没有完成", text=str(err))
    return render("message.html", title=f"{done['code']} {DONE_ZH[verb]}",
                  text=f"{done['code']} 现在「{done['status_name']}」，反映人和关注的居民会在群里和私聊收到通知。")
