"""Check-ins on a shift (打卡), with location, photo and note, and the handoff to the next shift."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from bot.infra.config import Settings
from bot.infra.errors import InvalidInput, NotAllowed
from bot.members.permissions import NOT_A_MEMBER
from bot.points import service as points
from bot.rotas.swaps import join_shift
from bot.rotas.turns import BACKUP, ON, assignments, get_shift, local_day, next_shift, shift_code
from models import (
    CheckIn,
    CheckInKind,
    Member,
    MemberStatus,
    PointsEntry,
    Role,
    Shift,
    ShiftAssignment,
    ShiftStatus,
)


@dataclass
class CheckInResult:
    shift: Shift | None
    checkin: CheckIn | None  # the shift check-in (None for a dual check-in alone)
    dual: CheckIn | None  # the dual check-in (双报到) of a unit cadre, once a day
    points: int  # booked now
    already: bool  # this shift was checked in before (location/photo were added)


def live_shift_of(session: Session, member: Member, *, now: datetime, early_minutes: int) -> Shift | None:
    """The member's shift open for check-in now (starts within ``early_minutes``, not ended)."""
    return session.exec(
        select(Shift)
        .join(ShiftAssignment, ShiftAssignment.shift_id == Shift.id)
        .where(
            ShiftAssignment.member_id == member.id,
            ShiftAssignment.role == ON,
            Shift.status == ShiftStatus.scheduled,
            Shift.starts_at <= now + timedelta(minutes=early_minutes),
            Shift.ends_at > now,
        )
        .order_by(Shift.starts_at)
    ).first()


def _short_live_shift_for_backup(session: Session, member: Member, now: datetime) -> Shift | None:
    return session.exec(
        select(Shift)
        .join(ShiftAssignment, ShiftAssignment.shift_id == Shift.id)
        .where(
            ShiftAssignment.member_id == member.id, ShiftAssignment.role == BACKUP,
            Shift.starts_at <= now, Shift.ends_at > now,
        )
        .order_by(Shift.starts_at)
    ).first()


def check_in(
    session: Session,
    member: Member | None,
    *,
    now: datetime,
    settings: Settings,
    shift_id: int | None = None,
    location: tuple[float, float] | None = None,
    photo: str | None = None,
    note: str = "",
) -> CheckInResult:
    """签到. On a shift: recorded once, points booked once (a second check-in only adds the
    location or photo). A unit cadre's check-in also counts as their dual check-in (双报到) of the
    day; a unit cadre with no shift checks in for the dual check-in alone."""
    if member is None:
        raise NotAllowed(NOT_A_MEMBER)
    if member.status == MemberStatus.left:
        raise NotAllowed("你已退出红管家")
    early = settings.rota_checkin_early_minutes
    shift: Shift | None = None
    if shift_id is not None:
        shift = get_shift(session, shift_id)
        rows = {a.member_id: a for a in assignments(session, [shift.id]).get(shift.id, [])}
        if not (shift.starts_at - timedelta(minutes=early) <= now < shift.ends_at):
            if shift.ends_at <= now:
                raise InvalidInput(f"{shift_code(shift)} 已经结束，不能再签到")
            raise InvalidInput(f"{shift_code(shift)} 还没到签到时间（开始前 {early} 分钟起可签到）")
        if member.id not in rows or rows[member.id].role != ON:
            join_shift(session, shift, member, now=now)  # the backup or a volunteer coming to help
    else:
        shift = live_shift_of(session, member, now=now, early_minutes=early)
        if shift is None:
            backup_shift = _short_live_shift_for_backup(session, member, now)
            if backup_shift is not None:
                join_shift(session, backup_shift, member, now=now)
                shift = backup_shift
    result = CheckInResult(shift, None, None, 0, False)
    if shift is not None:
        key = f"shift:{shift.id}:m:{member.id}"
        existing = session.exec(select(CheckIn).where(CheckIn.key == key)).first()
        if existing is not None:
            _attach(existing, location, photo, note)
            session.add(existing)
            result.checkin, result.already = existing, True
        else:
            result.checkin = _new_checkin(session, key, CheckInKind.shift, member, now, shift.id, location, photo, note)
            entry = points.award(session, "patrol_checkin", member, f"checkin:{shift.id}:{member.id}", now=now)
            result.points += entry.delta if entry else 0
    if member.role == Role.unit_cadre:
        day = local_day(now, settings.tz)
        key = f"dual:{member.id}:{day:%Y%m%d}"
        existing = session.exec(select(CheckIn).where(CheckIn.key == key)).first()
        if existing is None:
            result.dual = _new_checkin(session, key, CheckInKind.dual, member, now, None, location, photo, note)
            entry = points.award(session, "dual_checkin", member, key, now=now)
            result.points += entry.delta if entry else 0
        elif shift is None:
            _attach(existing, location, photo, note)
            session.add(existing)
            result.dual, result.already = existing, True
    if shift is None and result.dual is None:
        raise InvalidInput("你现在没有需要签到的班次。发送 /myshifts 查看你的班次")
    session.flush()
    return result


def _attach(row: CheckIn, location, photo, note) -> None:
    if location is not None:
        row.latitude, row.longitude = location
    if photo:
        row.photo = photo
    if note:
        row.note = note[:256]


def _new_checkin(session, key, kind, member, now, shift_id, location, photo, note) -> CheckIn:
    row = CheckIn(
        key=key, kind=kind, shift_id=shift_id, member_id=member.id, community_id=member.community_id,
        work_unit_id=member.work_unit_id, at=now,
        latitude=location[0] if location else None, longitude=location[1] if location else None,
        photo=photo, note=(note or "")[:256],
    )
    session.add(row)
    session.flush()
    return row


def attach_to_last_checkin(
    session: Session, member: Member, *, now: datetime, location=None, photo: str | None = None
) -> CheckIn | None:
    """A location or photo sent right after checking in completes that check-in."""
    row = session.exec(
        select(CheckIn)
        .where(CheckIn.member_id == member.id, CheckIn.at >= now - timedelta(hours=2))
        .order_by(CheckIn.at.desc(), CheckIn.id.desc())
    ).first()
    if row is not None:
        _attach(row, location, photo, "")
        session.add(row)
    return row


def write_handoff(
    session: Session, member: Member | None, text: str, *, now: datetime, shift_id: int | None = None
) -> tuple[Shift, Shift | None]:
    """交接: the note of the member's current (or just ended, within 12 hours) shift, shown to
    the next shift of the rota. Returns (this shift, the next one)."""
    if member is None:
        raise NotAllowed(NOT_A_MEMBER)
    text = text.strip()
    if not text:
        raise InvalidInput("交接内容不能为空，例如：/handoff 3栋东侧路灯不亮，已报修")
    q = (
        select(Shift)
        .join(ShiftAssignment, ShiftAssignment.shift_id == Shift.id)
        .where(ShiftAssignment.member_id == member.id, ShiftAssignment.role == ON)
    )
    if shift_id is not None:
        shift = session.exec(q.where(Shift.id == shift_id)).first()
    else:
        shift = session.exec(
            q.where(Shift.starts_at <= now + timedelta(minutes=60), Shift.ends_at > now - timedelta(hours=12))
            .order_by(Shift.starts_at.desc())
        ).first()
    if shift is None:
        raise InvalidInput("你最近没有班次，无法写交接")
    shift.handoff_note = text[:2000]
    shift.handoff_by_id = member.id
    shift.handoff_at = now
    session.add(shift)
    session.flush()
    return shift, next_shift(session, shift)


def checkin_points(session: Session, member: Member) -> int:
    return session.exec(
        select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(
            PointsEntry.member_id == member.id, PointsEntry.rule_code.in_(("patrol_checkin", "dual_checkin"))
        )
    ).one()
