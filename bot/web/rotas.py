"""Rotas on the web: iCalendar feeds and the rota JSON API.

- ``GET /ical/member/{token}.ics`` — a member's shifts (link from ``/myshifts`` in a private
  chat); ``GET /ical/rota/{token}.ics`` — a rota's shifts. The secret token in the URL is the
  credential, because calendar apps cannot send headers.
- ``GET /api/rotas``, ``GET /api/rotas/{id}`` — the rotas of the viewer's community (staff);
  ``POST /api/rotas`` — create one: grid managers and community workers of that grid, office
  admins (the same rule as ``/newrota`` in the chat). The login is the one of the office site
  (``bot.web.deps``): ``Authorization: Bearer <token from /web or hgj web-login>``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, Response
from pydantic import BaseModel, Field
from sqlmodel import Session, select

from bot.infra.config import Settings
from bot.infra.errors import DomainError, InvalidInput, NotAllowed
from bot.infra.ids import INT64_MAX
from bot.members.permissions import in_community
from bot.places import service as places
from bot.rotas import admin, ical, turns
from bot.rotas.spec import RotaSpec, find_members, parse_kind, parse_times, parse_weekdays
from handlers.texts import rotas as texts
from models import Community, Member, MemberStatus, Rota

from .deps import MemberDep, SessionDep, StaffDep, Text, now

router = APIRouter(tags=["rotas"])


class RotaIn(BaseModel):
    """A rota in the words people write (the same parser as ``/newrota`` and ``hgj import-rota``)."""

    community: Text | None = Field(default=None, description="社区名称或代码（默认：登录者的社区）")
    name: Text
    kind: Text = Field(description="巡逻/值班/卡口值守/物资配送/秩序维护 or patrol/duty/checkpoint/delivery/order")
    rhythm: Text | None = Field(default=None, description="每天/工作日/周末/每周一三五 (or give weekdays)")
    weekdays: list[int] | None = Field(default=None, description="ISO weekdays, 1 = Monday")
    time: Text = Field(description="20:00 or 20:00-22:00")
    duration_minutes: int | None = None
    size: int = Field(default=1, ge=1, le=20)
    quorum: int | None = Field(default=None, ge=1, le=20)
    grid: Text | None = None
    building: Text | None = None
    timezone: Text | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    team: list[Text] = Field(description="member numbers or names, in turn order")

    model_config = {"json_schema_extra": {"examples": [{
        "name": "阳光花园夜巡", "kind": "巡逻", "rhythm": "每天", "time": "20:00-22:00", "size": 1,
        "team": ["陈静", "赵磊"],
    }]}}


class ShiftOut(BaseModel):
    code: str
    starts_at: datetime
    ends_at: datetime
    people: list[str]
    backup: str | None = None


class RotaOut(BaseModel):
    id: int
    code: str
    community: str
    name: str
    kind: str
    rhythm: str
    size: int
    quorum: int
    active: bool
    team: list[str]
    shifts: list[ShiftOut]
    ical: str


def _calendar(body: bytes) -> Response:
    return Response(body, media_type="text/calendar; charset=utf-8")


@router.get("/ical/member/{token}.ics")
def member_feed(token: str, request: Request, session: SessionDep) -> Response:
    feed = ical.by_token(session, token)
    member = session.get(Member, feed.member_id) if feed and feed.member_id else None
    if member is None or member.status == MemberStatus.left:
        raise HTTPException(404, "没有这个日历")
    settings = request.app.state.settings
    return _calendar(ical.member_calendar(session, member, now=now(request), tz_name=settings.timezone))


@router.get("/ical/rota/{token}.ics")
def rota_feed(token: str, request: Request, session: SessionDep) -> Response:
    feed = ical.by_token(session, token)
    rota = session.get(Rota, feed.rota_id) if feed and feed.rota_id else None
    if rota is None:
        raise HTTPException(404, "没有这个日历")
    return _calendar(ical.rota_calendar(session, rota, now=now(request)))


def _out(session: Session, rota, at: datetime) -> RotaOut:
    shifts = []
    for s in turns.shifts_of_rota(session, rota, since=at, until=at + timedelta(days=7)):
        backup = turns.backup_of(session, s)
        shifts.append(ShiftOut(
            code=turns.shift_code(s), starts_at=s.starts_at, ends_at=s.ends_at,
            people=[m.name for m in turns.on_duty(session, s)], backup=backup.name if backup else None,
        ))
    token = ical.rota_token(session, rota, now=at)
    return RotaOut(
        id=rota.id, code=turns.rota_code(rota), community=session.get(Community, rota.community_id).name,
        name=rota.name, kind=texts.kind_zh(rota), rhythm=turns.describe(rota), size=rota.size,
        quorum=rota.quorum, active=rota.active, team=[m.name for m in turns.team(session, rota)],
        shifts=shifts, ical=f"/ical/rota/{token}.ics",
    )


@router.get("/api/rotas")
def list_rotas(request: Request, session: SessionDep, viewer: StaffDep) -> list[RotaOut]:
    rotas = session.exec(select(Rota).where(Rota.community_id == viewer.community_id).order_by(Rota.id)).all()
    out = [_out(session, r, now(request)) for r in rotas]
    session.commit()  # feed tokens made on first view are kept
    return out


@router.get("/api/rotas/{rota_id}")
def get_rota(rota_id: Annotated[int, Path(ge=1, le=INT64_MAX, examples=[1])], request: Request, session: SessionDep,
             viewer: StaffDep) -> RotaOut:
    rota = session.get(Rota, rota_id)
    if rota is None or rota.community_id != viewer.community_id:
        raise HTTPException(404, f"没有排班 R{rota_id}")
    out = _out(session, rota, now(request))
    session.commit()
    return out


@router.post("/api/rotas", status_code=201)
def create(body: RotaIn, request: Request, session: SessionDep, viewer: MemberDep) -> RotaOut:

    if viewer is None:
        raise HTTPException(401, "请先通过机器人的 /web 命令获取登录链接")
    settings = request.app.state.settings
    try:
        spec = _spec(session, body, settings, viewer)
        rota = admin.create_rota(session, spec, by=viewer, now=now(request), settings=settings)
        out = _out(session, rota, now(request))
        session.commit()
        return out
    except NotAllowed as err:  # the same rule as /newrota in the chat
        session.rollback()
        raise HTTPException(403, str(err)) from err
    except DomainError as err:
        session.rollback()
        raise HTTPException(422, str(err)) from err


def _spec(session: Session, body: RotaIn, settings: Settings, viewer):
    community = places.get_community(session, body.community) if body.community else session.get(
        Community, viewer.community_id
    )
    # another community's rota is refused before its names are looked up: the problems listed
    # below would tell an outsider which of its people exist
    problem = in_community(viewer, community.id)
    if problem:
        raise NotAllowed(problem)
    problems = []
    kind = parse_kind(body.kind)
    if kind is None:
        problems.append(f"类型「{body.kind}」无法识别")
    if body.weekdays:
        weekdays = "".join(str(d) for d in sorted(set(body.weekdays)) if 1 <= d <= 7) or None
    else:
        weekdays = parse_weekdays(body.rhythm or "")
    if weekdays is None:
        problems.append("节奏无法识别（rhythm 如 每天/工作日/每周一三五，或 weekdays [1,3,5]）")
    times = parse_times(body.time)
    if times is None:
        problems.append(f"时间「{body.time}」无法识别")
    minutes = body.duration_minutes or (times[1] if times else None)
    if times is not None and not minutes:
        problems.append("缺少时长：duration_minutes，或把时间写成 20:00-22:00")
    grid_id = building_id = None
    if body.grid:
        grid = places.find_grid(session, community.id, body.grid)
        if grid is None:
            problems.append(f"没有网格「{body.grid}」")
        grid_id = grid.id if grid else None
    if body.building:
        found = places.find_buildings(session, community.id, body.building)
        if len(found) != 1:
            problems.append(f"楼栋「{body.building}」" + ("没有找到" if not found else "有多处"))
        else:
            building_id, grid_id = found[0].id, grid_id or found[0].grid_id
    members, errors = find_members(session, community.id, body.team)
    problems.extend(errors)
    if problems:
        raise InvalidInput("；".join(problems))
    return RotaSpec(
        community_id=community.id, name=body.name.strip(), kind=kind, weekdays=weekdays, start_time=times[0],
        duration_minutes=minutes, size=body.size, quorum=body.quorum, grid_id=grid_id, building_id=building_id,
        timezone=body.timezone or settings.timezone, starts_on=body.starts_on, ends_on=body.ends_on,
        team=[m.id for m in members],
    )
