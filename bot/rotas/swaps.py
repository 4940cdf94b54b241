"""Swapping a turn, and joining a shift that is short."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, select

from bot.infra.errors import InvalidInput, NotAllowed, NotFound
from bot.members.permissions import NOT_A_MEMBER
from bot.rotas.turns import (
    Availability,
    ON,
    assignments,
    checked_in,
    get_shift,
    local_day,
    repair,
    shift_code,
    team_ids,
    tz_of,
)
from models import (
    AssignmentSource,
    Member,
    Rota,
    Shift,
    ShiftAssignment,
    ShiftStatus,
    SwapRequest,
    SwapStatus,
)


def open_swap(session: Session, shift: Shift, member: Member) -> SwapRequest | None:
    """The member's swap request for that shift still waiting for a taker, if any."""
    return session.exec(
        select(SwapRequest).where(
            SwapRequest.shift_id == shift.id, SwapRequest.requester_id == member.id, SwapRequest.status == SwapStatus.open
        )
    ).first()


def request_swap(session: Session, shift: Shift, member: Member, *, now: datetime) -> SwapRequest:
    rows = {a.member_id: a for a in assignments(session, [shift.id]).get(shift.id, [])}
    if member.id not in rows or rows[member.id].role != ON:
        raise InvalidInput(f"你不在 {shift_code(shift)} 上，不能换班")
    if shift.starts_at <= now:
        raise InvalidInput(f"{shift_code(shift)} 已经开始，不能再换班")
    existing = open_swap(session, shift, member)
    if existing:
        return existing
    req = SwapRequest(shift_id=shift.id, requester_id=member.id, created_at=now)
    session.add(req)
    session.flush()
    return req


def accept_swap(session: Session, request_id: int, taker: Member | None, *, now: datetime) -> tuple[SwapRequest, Shift]:
    """Another team member takes the requester's place on the shift; the first to accept wins."""
    req = session.get(SwapRequest, request_id)
    if req is None:
        raise NotFound("没有找到这个换班请求")
    shift = get_shift(session, req.shift_id)
    if taker is None:
        raise NotAllowed(NOT_A_MEMBER)
    if req.status != SwapStatus.open:
        raise InvalidInput("这个换班请求已经有人接了" if req.status == SwapStatus.accepted else "这个换班请求已取消")
    if shift.starts_at <= now:
        raise InvalidInput(f"{shift_code(shift)} 已经开始，换班请求已失效")
    if taker.id == req.requester_id:
        raise InvalidInput("不能接自己的换班请求")
    if taker.id not in team_ids(session, shift.rota_id):
        raise NotAllowed("只有本排班的队员可以替班")
    rota = session.get(Rota, shift.rota_id)
    if not Availability(session, [taker.id], date.min, date.max).ok(taker.id, local_day(shift.starts_at, tz_of(rota))):
        raise InvalidInput("你那天请假了，不能替班")
    rows = {a.member_id: a for a in assignments(session, [shift.id]).get(shift.id, [])}
    if taker.id in rows and rows[taker.id].role == ON:
        raise InvalidInput(f"你已经在 {shift_code(shift)} 上了")
    mine = rows.get(req.requester_id)
    if mine is None or mine.role != ON:
        req.status = SwapStatus.cancelled
        session.add(req)
        raise InvalidInput("请求人已不在这个班次上，换班请求已失效")
    if taker.id in rows:  # the backup takes it: someone else becomes backup
        session.delete(rows[taker.id])
        session.flush()
    mine.member_id, mine.source, mine.at = taker.id, AssignmentSource.swap, now
    session.add(mine)
    req.status, req.taker_id, req.decided_at = SwapStatus.accepted, taker.id, now
    session.add(req)
    session.flush()
    repair(session, rota, now=now, only=shift.id)
    return req, shift


def cancel_swap(session: Session, request_id: int, member: Member, *, now: datetime) -> SwapRequest:
    req = session.get(SwapRequest, request_id)
    if req is None or req.requester_id != member.id:
        raise NotAllowed("只有发起人可以取消换班请求")
    if req.status == SwapStatus.open:
        req.status, req.decided_at = SwapStatus.cancelled, now
        session.add(req)
    return req


def join_shift(session: Session, shift: Shift, member: Member | None, *, now: datetime) -> Shift:
    """A team member volunteers for a shift short of people (or, once it started, short of
    check-ins: the backup coming to help)."""
    if member is None:
        raise NotAllowed(NOT_A_MEMBER)
    rota = session.get(Rota, shift.rota_id)
    if shift.ends_at <= now or shift.status != ShiftStatus.scheduled:
        raise InvalidInput(f"{shift_code(shift)} 已经结束")
    if member.id not in team_ids(session, rota.id):
        raise NotAllowed("只有本排班的队员可以报名")
    if not Availability(session, [member.id], date.min, date.max).ok(member.id, local_day(shift.starts_at, tz_of(rota))):
        raise InvalidInput("你那天请假了")
    rows = {a.member_id: a for a in assignments(session, [shift.id]).get(shift.id, [])}
    if member.id in rows and rows[member.id].role == ON:
        raise InvalidInput(f"你已经在 {shift_code(shift)} 上了")
    on_count = sum(1 for a in rows.values() if a.role == ON)
    present = len(checked_in(session, [shift.id]).get(shift.id, set()))
    short = on_count < max(rota.size, rota.quorum) or (shift.starts_at <= now and present < rota.quorum)
    if not short:
        raise InvalidInput(f"{shift_code(shift)} 人已够了，谢谢！")
    if member.id in rows:
        rows[member.id].role, rows[member.id].source, rows[member.id].at = ON, AssignmentSource.join, now
        session.add(rows[member.id])
    else:
        session.add(ShiftAssignment(shift_id=shift.id, member_id=member.id, role=ON, source=AssignmentSource.join, at=now))
    session.flush()
    return shift
