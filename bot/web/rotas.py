"""HTTP for rotas: iCalendar feeds and a small JSON API. Self-contained; a web app either does

    from bot.web.rotas import build_router
    app.include_router(build_router(db, settings, clock))

or includes the module-level ``router``, which finds the database, settings and clock on
``app.state.db`` / ``app.state.settings`` / ``app.state.clock``.

Routes:

- ``GET /ical/member/{token}.ics`` — a member's shifts (token from ``/myshifts`` or
  ``bot.rotas.ical.member_token``); ``GET /ical/rota/{token}.ics`` — a rota's shifts.
  The secret token in the URL is the credential (calendar apps cannot send headers).
- ``GET /api/rotas[?community=NAME]``, ``GET /api/rotas/{id}``, ``POST /api/rotas`` — need
  ``Authorization: Bearer $HGJ_API_TOKEN``; without ``HGJ_API_TOKEN`` set the API answers 503.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db import Database


@dataclass
class RotaWeb:
    db: Database
    settings: Settings
    clock: Clock


class RotaIn(BaseModel):
    """A rota in the words people write (the same parser as ``/newrota`` and ``hgj import-rota``)."""

    community: str = Field(description="社区名称或代码")
    name: str
    kind: str = Field(description="巡逻/值班/卡口值守/物资配送/秩序维护 or patrol/duty/checkpoint/delivery/order")
    rhythm: str | None = Field(default=None, description="每天/工作日/周末/每周一三五 (or give weekdays)")
    weekdays: list[int] | None = Field(default=None, description="ISO weekdays, 1 = Monday")
    time: str = Field(description="20:00 or 20:00-22:00")
    duration_minutes: int | None = None
    size: int = Field(default=1, ge=1, le=20)
    quorum: int | None = Field(default=None, ge=1, le=20)
    grid: str | None = None
    building: str | None = None
    timezone: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    team: list[str] = Field(description="member numbers or names, in turn order")


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


def build_router(db: Database, settings: Settings, clock: Clock) -> APIRouter:
    web = RotaWeb(db, settings, clock)
    return _make(lambda: web)


def _from_app(request: Request) -> RotaWeb:
    state = request.app.state
    return RotaWeb(state.db, state.settings, getattr(state, "clock", None) or SystemClock())


def _make(get: Callable[..., RotaWeb]) -> APIRouter:
    router = APIRouter()
    def require_token(authorization: Annotated[str | None, Header()] = None, web: RotaWeb = Depends(get)) -> None:
        """``Authorization: Bearer <HGJ_API_TOKEN>``."""
        settings = web.settings
        if not settings.api_token:
            raise HTTPException(503, "HGJ_API_TOKEN 未设置，API 已关闭")
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(given.strip(), settings.api_token):
            raise HTTPException(401, "需要 Authorization: Bearer <HGJ_API_TOKEN>", headers={"WWW-Authenticate": "Bearer"})

    guarded = [Depends(require_token)]

    @router.get("/ical/member/{token}.ics", tags=["rotas"])
    def member_feed(token: str, web: RotaWeb = Depends(get)) -> Response:
        from bot.rotas import ical
        from models import Member

        with web.db.transaction() as session:
            feed = ical.by_token(session, token)
            member = session.get(Member, feed.member_id) if feed and feed.member_id else None
            if member is None:
                raise HTTPException(404, "没有这个日历")
            body = ical.member_calendar(session, member, now=web.clock.now(), tz_name=web.settings.timezone)
        return Response(body, media_type="text/calendar; charset=utf-8")

    @router.get("/ical/rota/{token}.ics", tags=["rotas"])
    def rota_feed(token: str, web: RotaWeb = Depends(get)) -> Response:
        from bot.rotas import ical
        from models import Rota

        with web.db.transaction() as session:
            feed = ical.by_token(session, token)
            rota = session.get(Rota, feed.rota_id) if feed and feed.rota_id else None
            if rota is None:
                raise HTTPException(404, "没有这个日历")
            body = ical.rota_calendar(session, rota, now=web.clock.now())
        return Response(body, media_type="text/calendar; charset=utf-8")

    def _out(session, rota, now: datetime) -> RotaOut:
        from bot.rotas import ical, service, texts
        from models import Community

        shifts = []
        for s in service.shifts_of_rota(session, rota, since=now, until=now + timedelta(days=7)):
            backup = service.backup_of(session, s)
            shifts.append(ShiftOut(
                code=service.shift_code(s), starts_at=s.starts_at, ends_at=s.ends_at,
                people=[m.name for m in service.on_duty(session, s)], backup=backup.name if backup else None,
            ))
        return RotaOut(
            id=rota.id, code=service.rota_code(rota), community=session.get(Community, rota.community_id).name,
            name=rota.name, kind=texts.kind_zh(rota), rhythm=service.describe(rota), size=rota.size,
            quorum=rota.quorum, active=rota.active, team=[m.name for m in service.team(session, rota)],
            shifts=shifts, ical=f"/ical/rota/{ical.rota_token(session, rota, now=now)}.ics",
        )

    @router.get("/api/rotas", dependencies=guarded, tags=["rotas"])
    def list_rotas(community: Annotated[str | None, Query()] = None, web: RotaWeb = Depends(get)) -> list[RotaOut]:
        from sqlmodel import select

        from bot import places
        from bot.errors import DomainError
        from models import Rota

        with web.db.transaction() as session:
            query = select(Rota).order_by(Rota.id)
            if community:
                try:
                    query = query.where(Rota.community_id == places.get_community(session, community).id)
                except DomainError as err:
                    raise HTTPException(404, str(err)) from err
            return [_out(session, r, web.clock.now()) for r in session.exec(query).all()]

    @router.get("/api/rotas/{rota_id}", dependencies=guarded, tags=["rotas"])
    def get_rota(rota_id: int, web: RotaWeb = Depends(get)) -> RotaOut:
        from models import Rota

        with web.db.transaction() as session:
            rota = session.get(Rota, rota_id)
            if rota is None:
                raise HTTPException(404, f"没有排班 R{rota_id}")
            return _out(session, rota, web.clock.now())

    @router.post("/api/rotas", dependencies=guarded, status_code=201, tags=["rotas"])
    def create(body: RotaIn, web: RotaWeb = Depends(get)) -> RotaOut:
        from bot.errors import DomainError
        from bot.rotas import service

        try:
            with web.db.transaction() as session:
                spec = _spec(session, body, web.settings)
                rota = service.create_rota(session, spec, by=None, now=web.clock.now(), settings=web.settings)
                return _out(session, rota, web.clock.now())
        except DomainError as err:
            raise HTTPException(422, str(err)) from err

    return router


def _spec(session, body: RotaIn, settings: Settings):
    from bot import places
    from bot.errors import InvalidInput
    from bot.rotas.spec import RotaSpec, find_members, parse_kind, parse_times, parse_weekdays

    community = places.get_community(session, body.community)
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


# For apps that keep ``db`` / ``settings`` / ``clock`` on ``app.state`` (an APIRouter holds no state).
router = _make(_from_app)
