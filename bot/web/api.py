"""JSON API for the office: statistics, wishes, issues, members, leaderboards, routing rules."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request
from pydantic import BaseModel, Field
from sqlmodel import select

from bot import identities

from bot.members import permissions
from bot.places import service as places
from bot.points import service as points
from bot.office import stats
from bot.infra.ids import INT64_MAX
from bot.members.service import mask_phone
from models import ROLE_NAMES_ZH, Member, PointsRule, Role, RouteTarget, RoutingRule

from .deps import OfficeDep, SessionDep, StaffDep, Text, now
from .views import open_issue_rows, wish_rows

router = APIRouter(prefix="/api")

CommunityRef = Annotated[str, Path(description="社区名称或三位代码", examples=["1", "白庙社区"])]


@router.get("/stats")
def api_stats(session: SessionDep) -> dict:
    """The funnel (collected → accepted → solved) for the district, each community and grid."""
    return stats.breakdown(session)


@router.get("/communities/{ref}/wishes")
def api_wishes(ref: CommunityRef, request: Request, session: SessionDep) -> list[dict]:
    community = places.find_community(session, ref)
    if community is None:
        raise HTTPException(404, "没有这个社区")
    return wish_rows(session, community.id, request.app.state.settings.tz)


@router.get("/issues")
def api_issues(request: Request, session: SessionDep, viewer: StaffDep) -> list[dict]:
    """Open issues of the viewer's community, urgent first, then oldest."""
    return open_issue_rows(session, viewer.community_id, now(request), limit=500)


@router.get("/members")
def api_members(session: SessionDep, viewer: StaffDep) -> list[dict]:
    """Members of the viewer's community; phone numbers only for the community office."""
    show_phones = permissions.may_see_phones(viewer)
    rows = []
    bound = identities.bound_member_ids(session)
    for m in session.exec(select(Member).where(Member.community_id == viewer.community_id).order_by(Member.seq)):
        rows.append({
            "number": m.number, "name": m.name, "role": m.role, "role_name": ROLE_NAMES_ZH[Role(m.role)],
            "unit": m.work_unit_name, "position": m.position,
            "grid_id": m.grid_id, "building_id": m.building_id, "status": m.status,
            "phone": m.phone if show_phones else mask_phone(m.phone),
            "grid_manager": m.is_grid_manager, "mediator": m.is_mediator, "office_admin": m.is_office_admin,
            "bound": m.id in bound,
        })
    return rows


@router.get("/leaderboard")
def api_leaderboard(
    request: Request,
    session: SessionDep,
    viewer: StaffDep,
    scope: Literal["community", "grid", "unit"] = "community",
    period: Literal["month", "quarter"] = "month",
    day: Annotated[date | None, Query(ge=points.EARLIEST_DAY, le=points.LATEST_DAY, examples=["2026-11-28"])] = None,
    grid_id: Annotated[int | None, Query(ge=1, le=INT64_MAX, examples=[1])] = None,
) -> dict:
    tz = request.app.state.settings.tz
    p = points.period_of(period, day or now(request).astimezone(tz).date(), tz)
    if scope == "unit":
        board = points.unit_leaderboard(session, p, community_id=viewer.community_id)
    elif scope == "grid":
        board = points.leaderboard(session, p, grid_id=grid_id or viewer.grid_id, community_id=viewer.community_id)
    else:
        board = points.leaderboard(session, p, community_id=viewer.community_id)
    return {"period": p.label, "scope": scope, "rows": [s.__dict__ for s in board]}


@router.get("/rules/points")
def api_points_rules(session: SessionDep, viewer: StaffDep) -> list[dict]:
    return [r.model_dump() for r in session.exec(select(PointsRule).order_by(PointsRule.code))]


class RoutingRuleIn(BaseModel):
    category: Text = Field("*", max_length=16)
    urgent_only: bool = False
    target: Text
    priority: int = Field(100, ge=-1_000_000, le=1_000_000, description="lower is told first")


@router.get("/rules/routing")
def api_routing_rules(session: SessionDep, viewer: StaffDep) -> dict:
    own = session.exec(select(RoutingRule).where(RoutingRule.community_id == viewer.community_id)).all()
    rules = own or session.exec(select(RoutingRule).where(RoutingRule.community_id.is_(None))).all()
    return {
        "own": bool(own),
        "rules": [
            {k: getattr(r, k) for k in ("category", "urgent_only", "target", "priority", "active")}
            for r in sorted(rules, key=lambda r: (r.priority, r.id))
        ],
    }


@router.put("/rules/routing")
def api_set_routing_rules(rules: list[RoutingRuleIn], session: SessionDep, viewer: OfficeDep) -> dict:
    """Replace the community's own routing rules (an empty list returns it to the defaults)."""
    for rule in rules:
        if rule.target not in RouteTarget.ALL:
            raise HTTPException(422, f"未知的派单对象 {rule.target}，可选：{', '.join(RouteTarget.ALL)}")
    for old in session.exec(select(RoutingRule).where(RoutingRule.community_id == viewer.community_id)):
        session.delete(old)
    for rule in rules:
        session.add(RoutingRule(community_id=viewer.community_id, **rule.model_dump()))
    session.commit()
    return {"own": bool(rules), "count": len(rules)}
