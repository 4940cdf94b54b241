"""Managing rotas: create and change them, their team, size and quorum, extra shifts and overrides (who may: ``bot.members.permissions.may_manage_rota``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from bot.infra.config import Settings
from bot.infra.errors import InvalidInput
from bot.members.permissions import may_manage_rota
from bot.rotas.spec import QUORUM_ABOVE_REMAINING, QUORUM_ABOVE_TEAM, RotaSpec
from bot.rotas.turns import (
    ON,
    UTC,
    _allow,
    _drop_future_shifts,
    assignments,
    local_day,
    materialise,
    repair,
    rota_code,
    shift_code,
    team,
    team_ids,
)
from models import (
    AssignmentSource,
    Member,
    MemberStatus,
    Rota,
    RotaMember,
    Shift,
    ShiftAssignment,
    ShiftOverride,
)


def create_rota(
    session: Session, spec: RotaSpec, *, by: Member | None, now: datetime, settings: Settings
) -> Rota:
    """Create a rota with its team and materialise its first shifts. ``by`` (None from the
    command line) must be allowed to manage rotas of that grid."""
    if by is not None:
        _allow(may_manage_rota(by, spec.community_id, spec.grid_id))
    spec.check()
    if session.exec(select(Rota.id).where(Rota.community_id == spec.community_id, Rota.name == spec.name)).first():
        raise InvalidInput(f"本社区已有名为「{spec.name}」的排班")
    _check_team(session, spec.community_id, spec.team)
    ZoneInfo(spec.timezone)
    rota = Rota(
        community_id=spec.community_id, grid_id=spec.grid_id, building_id=spec.building_id, name=spec.name.strip(),
        kind=spec.kind, weekdays=spec.weekdays, start_time=spec.start_time, duration_minutes=spec.duration_minutes,
        size=spec.size, quorum=spec.quorum or spec.size, timezone=spec.timezone,
        starts_on=spec.starts_on or local_day(now, ZoneInfo(spec.timezone)), ends_on=spec.ends_on,
        created_by_id=by.id if by else None, created_at=now, updated_at=now,
    )
    session.add(rota)
    session.flush()
    for i, mid in enumerate(spec.team):
        session.add(RotaMember(rota_id=rota.id, member_id=mid, position=i, joined_at=now))
    session.flush()
    materialise(session, rota, now=now, horizon_days=settings.rota_horizon_days)
    return rota


def _check_team(session: Session, community_id: int, ids: list[int]) -> None:
    if len(set(ids)) != len(ids):
        raise InvalidInput("队员有重复")
    found = session.exec(select(Member).where(Member.id.in_(ids))).all() if ids else []
    if len(found) != len(ids):
        raise InvalidInput("有队员不存在")
    for m in found:
        if m.community_id != community_id:
            raise InvalidInput(f"{m.name} 不是本社区的红管家")
        if m.status == MemberStatus.left:
            raise InvalidInput(f"{m.name} 已退出红管家")


RHYTHM_FIELDS = ("weekdays", "start_time", "duration_minutes", "timezone", "starts_on", "ends_on")


def update_rota(
    session: Session, rota: Rota, spec: RotaSpec, *, by: Member | None, now: datetime, settings: Settings
) -> bool:
    """Make ``rota`` what ``spec`` says. A changed rhythm replaces the future shifts (those
    nobody checked in to); a changed team repairs them. Returns whether anything changed."""
    if by is not None:
        _allow(may_manage_rota(by, rota.community_id, rota.grid_id))
    spec.check()
    _check_team(session, spec.community_id, spec.team)
    wanted = dict(
        grid_id=spec.grid_id, building_id=spec.building_id, kind=spec.kind, weekdays=spec.weekdays,
        start_time=spec.start_time, duration_minutes=spec.duration_minutes, size=spec.size,
        quorum=spec.quorum or spec.size, timezone=spec.timezone, ends_on=spec.ends_on,
    )
    if spec.starts_on is not None:
        wanted["starts_on"] = spec.starts_on
    changed = {k: v for k, v in wanted.items() if getattr(rota, k) != v}
    team_changed = set_team(session, rota, spec.team, now=now, repair_now=False)
    if not changed and not team_changed:
        return False
    for k, v in changed.items():
        setattr(rota, k, v)
    rota.updated_at = now
    rota.active = True
    session.add(rota)
    session.flush()
    if set(changed) & set(RHYTHM_FIELDS):
        _drop_future_shifts(session, rota, now=now)
    materialise(session, rota, now=now, horizon_days=settings.rota_horizon_days)
    repair(session, rota, now=now)
    return True


def set_team(session: Session, rota: Rota, ids: list[int], *, now: datetime, repair_now: bool = True) -> bool:
    """The team is exactly ``ids``, in that turn order. Returns whether it changed."""
    rows = {r.member_id: r for r in session.exec(select(RotaMember).where(RotaMember.rota_id == rota.id)).all()}
    changed = False
    for i, mid in enumerate(ids):
        row = rows.get(mid)
        if row is None:
            session.add(RotaMember(rota_id=rota.id, member_id=mid, position=i, joined_at=now))
            changed = True
        elif not row.active or row.position != i:
            row.active, row.position = True, i
            session.add(row)
            changed = True
    for mid, row in rows.items():
        if mid not in ids and row.active:
            row.active = False
            session.add(row)
            changed = True
    session.flush()
    if changed and repair_now:
        repair(session, rota, now=now)
    return changed


def add_to_team(session: Session, rota: Rota, members: list[Member], *, by: Member | None, now: datetime) -> int:
    if by is not None:
        _allow(may_manage_rota(by, rota.community_id, rota.grid_id))
    ids = team_ids(session, rota.id)
    new = [m.id for m in members if m.id not in ids]
    _check_team(session, rota.community_id, new)
    set_team(session, rota, ids + new, now=now)
    return len(new)


def remove_from_team(session: Session, rota: Rota, members: list[Member], *, by: Member | None, now: datetime) -> int:
    if by is not None:
        _allow(may_manage_rota(by, rota.community_id, rota.grid_id))
    ids = team_ids(session, rota.id)
    gone = {m.id for m in members} & set(ids)
    if len(gone) == len(ids):
        raise InvalidInput("排班至少要留一名队员")
    left = len(ids) - len(gone)
    if rota.quorum > left:
        # the check of create/size, here too: a shrunken team below its quorum would end every
        # shift in calls and escalations
        raise InvalidInput(QUORUM_ABOVE_REMAINING.format(quorum=rota.quorum, team=left, code=rota_code(rota)))
    set_team(session, rota, [i for i in ids if i not in gone], now=now)
    return len(gone)


def set_size(session: Session, rota: Rota, size: int, *, quorum: int | None, by: Member | None, now: datetime) -> None:
    if by is not None:
        _allow(may_manage_rota(by, rota.community_id, rota.grid_id))
    if not 1 <= size <= 20 or (quorum is not None and not 1 <= quorum <= 20):
        raise InvalidInput("人数须在1–20之间")
    members = len(team(session, rota))
    if (quorum or size) > members:
        raise InvalidInput(QUORUM_ABOVE_TEAM.format(quorum=quorum or size, team=members))
    rota.size, rota.quorum, rota.updated_at = size, quorum or size, now
    session.add(rota)
    session.flush()
    repair(session, rota, now=now)


def set_active(session: Session, rota: Rota, active: bool, *, by: Member | None, now: datetime, settings: Settings) -> None:
    """Pause (future shifts without check-ins are removed) or resume a rota."""
    if by is not None:
        _allow(may_manage_rota(by, rota.community_id, rota.grid_id))
    if rota.active == active:
        return
    rota.active, rota.updated_at = active, now
    session.add(rota)
    session.flush()
    if active:
        materialise(session, rota, now=now, horizon_days=settings.rota_horizon_days)
    else:
        _drop_future_shifts(session, rota, now=now)


def add_shift(
    session: Session, rota: Rota, starts_at: datetime, *, members: list[Member], now: datetime,
    minutes: int | None = None,
) -> Shift:
    """A one-off shift outside the rhythm (an event, a holiday), with the people given."""
    if starts_at.tzinfo is None:
        raise InvalidInput("开始时间须带时区")
    if session.exec(select(Shift.id).where(Shift.rota_id == rota.id, Shift.starts_at == starts_at)).first():
        raise InvalidInput("这个时间已有班次")
    shift = Shift(
        rota_id=rota.id, starts_at=starts_at.astimezone(UTC),
        ends_at=starts_at.astimezone(UTC) + timedelta(minutes=minutes or rota.duration_minutes),
        one_off=True, created_at=now,
    )
    session.add(shift)
    session.flush()
    for m in members:
        session.add(ShiftAssignment(shift_id=shift.id, member_id=m.id, role=ON, source=AssignmentSource.override, at=now))
    session.flush()
    return shift


def add_override(
    session: Session, shift: Shift, *, add: Member | None, remove: Member | None, by: Member | None,
    now: datetime, note: str = "",
) -> ShiftOverride:
    """A manager puts ``add`` on one shift (instead of ``remove``, when given)."""
    rota = session.get(Rota, shift.rota_id)
    if by is not None:
        _allow(may_manage_rota(by, rota.community_id, rota.grid_id))
    if shift.ends_at <= now:
        raise InvalidInput(f"{shift_code(shift)} 已经结束")
    if add is None and remove is None:
        raise InvalidInput("请写明由谁值班或取消谁")
    if add is not None and add.community_id != rota.community_id:
        raise InvalidInput(f"{add.name} 不是本社区的红管家")
    rows = {a.member_id: a for a in assignments(session, [shift.id]).get(shift.id, [])}
    if remove is not None and (remove.id not in rows or rows[remove.id].role != ON):
        raise InvalidInput(f"{remove.name} 不在 {shift_code(shift)} 上")
    if add is not None and add.id in rows and rows[add.id].role == ON:
        raise InvalidInput(f"{add.name} 已在 {shift_code(shift)} 上")
    override = ShiftOverride(
        rota_id=rota.id, starts_at=shift.starts_at, ends_at=shift.starts_at + timedelta(seconds=1),
        remove_member_id=remove.id if remove else None, add_member_id=add.id if add else None,
        note=note[:256], created_by_id=by.id if by else None, created_at=now,
    )
    session.add(override)
    if remove is not None:
        session.delete(rows[remove.id])
    if add is not None:
        if add.id in rows:  # the backup moves up
            rows[add.id].role, rows[add.id].source = ON, AssignmentSource.override
            session.add(rows[add.id])
        else:
            session.add(ShiftAssignment(shift_id=shift.id, member_id=add.id, role=ON, source=AssignmentSource.override, at=now))
    session.flush()
    if shift.starts_at > now:
        repair(session, rota, now=now, only=shift.id)
    return override
