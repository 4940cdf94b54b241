"""Absences (请假/外出): a member away is taken off their shifts for those days and the turns are repaired."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, select

from bot.infra.errors import InvalidInput
from bot.rotas.turns import ON, repair
from models import AwayPeriod, Member, Rota, RotaMember, Shift, ShiftAssignment


def member_rotas(session: Session, member: Member) -> list[Rota]:
    return list(
        session.exec(
            select(Rota)
            .join(RotaMember, RotaMember.rota_id == Rota.id)
            .where(RotaMember.member_id == member.id, RotaMember.active, Rota.active)
            .order_by(Rota.id)
        ).all()
    )


def add_away(
    session: Session, member: Member, first: date, last: date, *, now: datetime, note: str = ""
) -> tuple[AwayPeriod, int]:
    """Record an away period and hand the member's shifts in it to others. Returns the period
    and how many of the member's shifts were handed over."""
    if last < first:
        raise InvalidInput("结束日期早于开始日期")
    period = AwayPeriod(member_id=member.id, starts_on=first, ends_on=last, note=note[:256], created_at=now)
    session.add(period)
    session.flush()
    before = _count_future_on(session, member, now)
    for rota in member_rotas(session, member):
        repair(session, rota, now=now)
    return period, before - _count_future_on(session, member, now)


def _count_future_on(session: Session, member: Member, now: datetime) -> int:
    return session.exec(
        select(func.count())
        .select_from(ShiftAssignment)
        .join(Shift, Shift.id == ShiftAssignment.shift_id)
        .where(ShiftAssignment.member_id == member.id, ShiftAssignment.role == ON, Shift.starts_at > now)
    ).one()


def away_periods(session: Session, member: Member, *, today: date) -> list[AwayPeriod]:
    return list(
        session.exec(
            select(AwayPeriod)
            .where(AwayPeriod.member_id == member.id, AwayPeriod.cancelled.is_(False), AwayPeriod.ends_on >= today)
            .order_by(AwayPeriod.starts_on)
        ).all()
    )


def cancel_away(session: Session, member: Member, *, today: date, now: datetime) -> int:
    """Cancel the member's current and future away periods (their turns come back as shifts are
    materialised; shifts already handed to others stay with them)."""
    periods = away_periods(session, member, today=today)
    for p in periods:
        p.cancelled = True
        session.add(p)
    session.flush()
    return len(periods)
