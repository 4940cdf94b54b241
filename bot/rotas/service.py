"""Rotas and shifts: creating rotas, materialising shifts from the rhythm, the fair round-robin,
overrides, away dates, swaps, volunteers for short shifts, check-ins and handoff notes.

Turns: for each new shift, in time order, the team members available that day (active, not
away, still in the team) are taken least-recently-served first (ties: team order). So turns go
round the team; a member back from leave is first in line, and nobody serves twice while another
waits. The state of the round-robin is the shift table itself, so materialising is a
deterministic function of the tables: run it twice, or after a restart, and it creates nothing
new; (rota, start) is unique, so two processes cannot both create a shift.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, or_
from sqlmodel import Session, select

from models import (
    AssignmentRole,
    AssignmentSource,
    AwayPeriod,
    CheckIn,
    CheckInKind,
    Member,
    MemberStatus,
    PointsEntry,
    Role,
    Rota,
    RotaMember,
    Shift,
    ShiftAssignment,
    ShiftOverride,
    ShiftStatus,
    SwapRequest,
    SwapStatus,
)

from bot.points import service as points
from bot.infra.config import Settings
from bot.infra.errors import InvalidInput, NotAllowed, NotFound
from bot.infra.ids import parse_id
from bot.members.permissions import NOT_A_MEMBER, may_manage_rota
from .spec import QUORUM_ABOVE_TEAM, RotaSpec, describe_weekdays

UTC = timezone.utc
ON, BACKUP = AssignmentRole.on, AssignmentRole.backup
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def shift_code(shift: Shift | int) -> str:
    """The number people see and type: 「S123」."""
    return f"S{shift if isinstance(shift, int) else shift.id}"


def rota_code(rota: Rota | int) -> str:
    return f"R{rota if isinstance(rota, int) else rota.id}"


def parse_code(text: str, prefix: str) -> int | None:
    t = text.strip().lstrip("#").upper()
    if t.startswith(prefix):
        t = t[len(prefix):]
    return parse_id(t)


def tz_of(rota: Rota) -> ZoneInfo:
    return ZoneInfo(rota.timezone)


def local_day(at: datetime, tz: ZoneInfo) -> date:
    return at.astimezone(tz).date()


def describe(rota: Rota) -> str:
    """「每天 20:00 起 2小时，每班2人」."""
    minutes = rota.duration_minutes
    length = f"{minutes // 60}小时" + (f"{minutes % 60}分" if minutes % 60 else "") if minutes >= 60 else f"{minutes}分钟"
    quorum = f"（最少{rota.quorum}人）" if rota.quorum != rota.size else ""
    return f"{describe_weekdays(rota.weekdays)} {rota.start_time.strftime('%H:%M')} 起 {length}，每班{rota.size}人{quorum}"


# --- permissions ------------------------------------------------------------------------


def _allow(problem: str | None) -> None:
    if problem:
        raise NotAllowed(problem)


# --- lookups ----------------------------------------------------------------------------


def get_rota(session: Session, rota_id: int) -> Rota:
    rota = session.get(Rota, rota_id)
    if rota is None:
        raise NotFound(f"没有找到排班 {rota_code(rota_id)}")
    return rota


def get_shift(session: Session, shift_id: int) -> Shift:
    shift = session.get(Shift, shift_id)
    if shift is None:
        raise NotFound(f"没有找到班次 {shift_code(shift_id)}")
    return shift


def team_ids(session: Session, rota_id: int) -> list[int]:
    """Active team members in turn order."""
    rows = session.exec(
        select(RotaMember.member_id)
        .where(RotaMember.rota_id == rota_id, RotaMember.active)
        .order_by(RotaMember.position, RotaMember.id)
    ).all()
    return list(rows)


def team(session: Session, rota: Rota) -> list[Member]:
    ids = team_ids(session, rota.id)
    found = {m.id: m for m in session.exec(select(Member).where(Member.id.in_(ids))).all()} if ids else {}
    return [found[i] for i in ids if i in found]


def assignments(session: Session, shift_ids: Iterable[int]) -> dict[int, list[ShiftAssignment]]:
    ids = list(shift_ids)
    out: dict[int, list[ShiftAssignment]] = defaultdict(list)
    for chunk in _chunks(ids):
        for a in session.exec(
            select(ShiftAssignment).where(ShiftAssignment.shift_id.in_(chunk)).order_by(ShiftAssignment.id)
        ).all():
            out[a.shift_id].append(a)
    return out


def _chunks(ids: list, size: int = 500):
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def on_duty(session: Session, shift: Shift) -> list[Member]:
    rows = session.exec(
        select(Member)
        .join(ShiftAssignment, ShiftAssignment.member_id == Member.id)
        .where(ShiftAssignment.shift_id == shift.id, ShiftAssignment.role == ON)
        .order_by(ShiftAssignment.id)
    ).all()
    return list(rows)


def backup_of(session: Session, shift: Shift) -> Member | None:
    return session.exec(
        select(Member)
        .join(ShiftAssignment, ShiftAssignment.member_id == Member.id)
        .where(ShiftAssignment.shift_id == shift.id, ShiftAssignment.role == BACKUP)
    ).first()


def checked_in(session: Session, shift_ids: Iterable[int]) -> dict[int, set[int]]:
    ids = list(shift_ids)
    out: dict[int, set[int]] = defaultdict(set)
    for chunk in _chunks(ids):
        for sid, mid in session.exec(
            select(CheckIn.shift_id, CheckIn.member_id).where(CheckIn.shift_id.in_(chunk))
        ).all():
            out[sid].add(mid)
    return out


# --- availability -----------------------------------------------------------------------


class Availability:
    """Who may serve on which local day: active members, outside their away dates."""

    def __init__(self, session: Session, member_ids: Iterable[int], first: date, last: date) -> None:
        ids = list(set(member_ids))
        self.status: dict[int, str] = {}
        self.away: dict[int, list[tuple[date, date]]] = defaultdict(list)
        for chunk in _chunks(ids):
            for mid, status in session.exec(select(Member.id, Member.status).where(Member.id.in_(chunk))).all():
                self.status[mid] = status
            for mid, a, b in session.exec(
                select(AwayPeriod.member_id, AwayPeriod.starts_on, AwayPeriod.ends_on).where(
                    AwayPeriod.member_id.in_(chunk),
                    AwayPeriod.cancelled.is_(False),
                    AwayPeriod.ends_on >= first,
                    AwayPeriod.starts_on <= last,
                )
            ).all():
                self.away[mid].append((a, b))

    def ok(self, member_id: int, day: date) -> bool:
        if self.status.get(member_id) != MemberStatus.active:
            return False
        return not any(a <= day <= b for a, b in self.away.get(member_id, ()))


def is_away(session: Session, member_id: int, day: date) -> bool:
    return not Availability(session, [member_id], day, day).ok(member_id, day)


# --- the rhythm -------------------------------------------------------------------------


def slots(rota: Rota, first: date, last: date) -> list[tuple[datetime, datetime]]:
    """(start, end) in UTC of every turn whose local start day is in [first, last]."""
    tz = tz_of(rota)
    day = max(first, rota.starts_on)
    if rota.ends_on is not None:
        last = min(last, rota.ends_on)
    length = timedelta(minutes=rota.duration_minutes)
    out = []
    while day <= last:
        if str(day.isoweekday()) in rota.weekdays:
            start = datetime.combine(day, rota.start_time, tz).astimezone(UTC)
            out.append((start, start + length))
        day += timedelta(days=1)
    return out


def _overrides(session: Session, rota_id: int, lo: datetime, hi: datetime) -> list[ShiftOverride]:
    return list(
        session.exec(
            select(ShiftOverride)
            .where(ShiftOverride.rota_id == rota_id, ShiftOverride.ends_at > lo, ShiftOverride.starts_at <= hi)
            .order_by(ShiftOverride.id)
        ).all()
    )


def _last_served(session: Session, rota_id: int) -> dict[int, tuple[datetime, int]]:
    """Each member's latest turn on the rota as (start, assignment id): the id orders people who
    served on the same shift, so a tie goes to whoever was picked first then."""
    latest = (
        select(ShiftAssignment.member_id, func.max(Shift.starts_at).label("at"))
        .join(Shift, Shift.id == ShiftAssignment.shift_id)
        .where(Shift.rota_id == rota_id, ShiftAssignment.role == ON, Shift.status == ShiftStatus.scheduled)
        .group_by(ShiftAssignment.member_id)
        .subquery()
    )
    rows = session.exec(
        select(ShiftAssignment.member_id, Shift.starts_at, ShiftAssignment.id)
        .join(Shift, Shift.id == ShiftAssignment.shift_id)
        .join(latest, (latest.c.member_id == ShiftAssignment.member_id) & (latest.c.at == Shift.starts_at))
        .where(Shift.rota_id == rota_id, ShiftAssignment.role == ON)
    ).all()
    return {mid: (at if at.tzinfo else at.replace(tzinfo=UTC), aid) for mid, at, aid in rows}


def materialise(session: Session, rota: Rota, *, now: datetime, horizon_days: int) -> list[Shift]:
    """Create the rota's shifts from now to ``horizon_days`` ahead that do not exist yet, with
    people on them by the round-robin, overrides applied, and a backup. Idempotent."""
    if not rota.active:
        return []
    tz = tz_of(rota)
    today = local_day(now, tz)
    wanted = [s for s in slots(rota, today, today + timedelta(days=horizon_days)) if s[0] > now]
    if not wanted:
        return []
    have = set(
        at if at.tzinfo else at.replace(tzinfo=UTC)
        for at in session.exec(
            select(Shift.starts_at).where(Shift.rota_id == rota.id, Shift.starts_at >= wanted[0][0])
        ).all()
    )
    wanted = [s for s in wanted if s[0] not in have]
    if not wanted:
        return []
    members = team_ids(session, rota.id)
    order = {mid: i for i, mid in enumerate(members)}
    first_day, last_day = local_day(wanted[0][0], tz), local_day(wanted[-1][0], tz)
    avail = Availability(session, members, first_day, last_day)
    served = _last_served(session, rota.id)
    overrides = _overrides(session, rota.id, wanted[0][0], wanted[-1][0])
    created: list[Shift] = []
    plan: list[tuple[Shift, list[tuple[int, str, str]]]] = []
    picked = 1 << 60  # later than any assignment id: orders the picks of one materialisation
    for start, end in wanted:
        day = local_day(start, tz)
        ready = sorted(
            (m for m in members if avail.ok(m, day)), key=lambda m: (served.get(m, (NEVER, -1)), order[m], m)
        )
        on = [(m, AssignmentSource.rotation) for m in ready[: rota.size]]
        on = _apply_overrides(on, [o for o in overrides if o.starts_at <= start < o.ends_at])
        on_ids = {m for m, _ in on}
        spare = [m for m in ready if m not in on_ids]
        people = [(m, ON, src) for m, src in on]
        if spare:
            people.append((spare[0], BACKUP, AssignmentSource.rotation))
        for m, _src in on:
            picked += 1
            served[m] = (start, picked)
        shift = Shift(rota_id=rota.id, starts_at=start, ends_at=end, created_at=now)
        plan.append((shift, people))
        created.append(shift)
    session.add_all(created)
    session.flush()
    session.add_all(
        ShiftAssignment(shift_id=shift.id, member_id=m, role=role, source=src, at=now)
        for shift, people in plan
        for m, role, src in people
    )
    session.flush()
    return created


def _apply_overrides(on: list[tuple[int, str]], overrides: list[ShiftOverride]) -> list[tuple[int, str]]:
    for o in overrides:
        if o.remove_member_id is not None:
            on = [(m, s) for m, s in on if m != o.remove_member_id]
        if o.add_member_id is not None and all(m != o.add_member_id for m, _ in on):
            on.append((o.add_member_id, AssignmentSource.override))
    return on


def repair(
    session: Session, rota: Rota, *, now: datetime, horizon_days: int | None = None, only: int | None = None
) -> int:
    """Fix future shifts whose people can no longer serve (away, left, out of the team): replace
    them, refill shifts below their size, re-pick a backup. Returns the assignments changed.
    ``only``: just that shift."""
    q = select(Shift).where(Shift.rota_id == rota.id, Shift.starts_at > now, Shift.status == ShiftStatus.scheduled)
    if only is not None:
        q = q.where(Shift.id == only)
    if horizon_days is not None:
        q = q.where(Shift.starts_at <= now + timedelta(days=horizon_days + 1))
    shifts = list(session.exec(q.order_by(Shift.starts_at)).all())
    if not shifts:
        return 0
    tz = tz_of(rota)
    members = team_ids(session, rota.id)
    in_team = set(members)
    order = {mid: i for i, mid in enumerate(members)}
    by_shift = assignments(session, [s.id for s in shifts])
    everyone = in_team | {a.member_id for rows in by_shift.values() for a in rows}
    avail = Availability(session, everyone, local_day(shifts[0].starts_at, tz), local_day(shifts[-1].starts_at, tz))
    overrides = _overrides(session, rota.id, shifts[0].starts_at, shifts[-1].starts_at)
    # each member's turns around the shifts repaired, to spread the replacements fairly
    load: dict[int, list[datetime]] = defaultdict(list)
    window = timedelta(days=14)
    for mid, at in session.exec(
        select(ShiftAssignment.member_id, Shift.starts_at)
        .join(Shift, Shift.id == ShiftAssignment.shift_id)
        .where(
            Shift.rota_id == rota.id, ShiftAssignment.role == ON,
            Shift.starts_at >= shifts[0].starts_at - window, Shift.starts_at <= shifts[-1].starts_at + window,
        )
    ).all():
        load[mid].append(at)
    changed = 0
    for s in shifts:
        day = local_day(s.starts_at, tz)
        rows = by_shift.get(s.id, [])
        mine = [o for o in overrides if o.starts_at <= s.starts_at < o.ends_at]
        forced = {o.add_member_id for o in mine if o.add_member_id}
        removed = {o.remove_member_id for o in mine if o.remove_member_id}

        def usable(mid: int) -> bool:
            return avail.ok(mid, day) and (mid in in_team or mid in forced)

        for a in list(rows):
            if not usable(a.member_id) or (a.member_id in removed and a.member_id not in forced):
                session.delete(a)
                rows.remove(a)
                if a.role == ON and s.starts_at in load[a.member_id]:
                    load[a.member_id].remove(s.starts_at)
                changed += 1
        on_ids = {a.member_id for a in rows if a.role == ON}
        taken = {a.member_id for a in rows}

        def candidates(exclude: set[int]) -> list[int]:
            pool = [m for m in members if m not in exclude and m not in removed and avail.ok(m, day)]
            return sorted(
                pool,
                key=lambda m: (
                    sum(1 for t in load[m] if abs(t - s.starts_at) <= window),
                    -min((abs((t - s.starts_at).total_seconds()) for t in load[m]), default=1e12),
                    order[m],
                    m,
                ),
            )

        while len(on_ids) < rota.size:
            pool = candidates(on_ids)  # the backup may move up
            if not pool:
                break
            pick = pool[0]
            backup = next((a for a in rows if a.role == BACKUP and a.member_id == pick), None)
            if backup is not None:
                backup.role, backup.source = ON, AssignmentSource.repair
                session.add(backup)
            else:
                new = ShiftAssignment(shift_id=s.id, member_id=pick, role=ON, source=AssignmentSource.repair, at=now)
                session.add(new)
                rows.append(new)
            on_ids.add(pick)
            taken.add(pick)
            load[pick].append(s.starts_at)
            changed += 1
        if not any(a.role == BACKUP for a in rows):
            pool = candidates(taken)
            if pool:
                new = ShiftAssignment(shift_id=s.id, member_id=pool[0], role=BACKUP, source=AssignmentSource.repair, at=now)
                session.add(new)
                rows.append(new)
                taken.add(pool[0])
                changed += 1
    session.flush()
    return changed


def materialise_all(session: Session, *, now: datetime, settings: Settings) -> tuple[int, int]:
    """Every active rota: create the horizon's missing shifts and repair the future ones.
    Returns (shifts created, assignments repaired)."""
    created = repaired = 0
    for rota in session.exec(select(Rota).where(Rota.active).order_by(Rota.id)).all():
        created += len(materialise(session, rota, now=now, horizon_days=settings.rota_horizon_days))
        repaired += repair(session, rota, now=now, horizon_days=settings.rota_horizon_days)
    return created, repaired


def _drop_future_shifts(session: Session, rota: Rota, *, now: datetime) -> int:
    """Delete the rota's future shifts nobody checked in to (before re-materialising a changed rhythm)."""
    ids = list(session.exec(select(Shift.id).where(Shift.rota_id == rota.id, Shift.starts_at > now)).all())
    if not ids:
        return 0
    keep = set(checked_in(session, ids))
    ids = [i for i in ids if i not in keep]
    for chunk in _chunks(ids):
        session.exec(delete(ShiftAssignment).where(ShiftAssignment.shift_id.in_(chunk)))
        session.exec(delete(SwapRequest).where(SwapRequest.shift_id.in_(chunk)))
        session.exec(delete(Shift).where(Shift.id.in_(chunk)))
    session.flush()
    return len(ids)


# --- creating and changing rotas --------------------------------------------------------


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


# --- away dates ---------------------------------------------------------------------------


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


# --- swaps and volunteers -----------------------------------------------------------------


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


def is_live(shift: Shift, now: datetime) -> bool:
    return shift.starts_at <= now < shift.ends_at


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


# --- check-ins ----------------------------------------------------------------------------


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


# --- handoff notes ------------------------------------------------------------------------


def next_shift(session: Session, shift: Shift) -> Shift | None:
    return session.exec(
        select(Shift)
        .where(Shift.rota_id == shift.rota_id, Shift.starts_at > shift.starts_at, Shift.status == ShiftStatus.scheduled)
        .order_by(Shift.starts_at)
    ).first()


def previous_shift(session: Session, shift: Shift) -> Shift | None:
    return session.exec(
        select(Shift)
        .where(Shift.rota_id == shift.rota_id, Shift.starts_at < shift.starts_at, Shift.status == ShiftStatus.scheduled)
        .order_by(Shift.starts_at.desc())
    ).first()


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


# --- what is on ---------------------------------------------------------------------------


def rotas_for(
    session: Session, community_id: int, *, grid_id: int | None = None, building_id: int | None = None,
    limit: int = 20,
) -> list[Rota]:
    """Rotas that concern a place: the building's, the grid's, and the community-wide ones."""
    q = select(Rota).where(Rota.community_id == community_id, Rota.active)
    if grid_id is not None or building_id is not None:
        conds = [Rota.grid_id.is_(None) & Rota.building_id.is_(None)]
        if grid_id is not None:
            conds.append(Rota.grid_id == grid_id)
        if building_id is not None:
            conds.append(Rota.building_id == building_id)
        q = q.where(or_(*conds))
    return list(session.exec(q.order_by(Rota.grid_id.is_(None), Rota.id).limit(limit)).all())


def current_and_next(session: Session, rota: Rota, now: datetime) -> tuple[Shift | None, Shift | None]:
    current = session.exec(
        select(Shift)
        .where(Shift.rota_id == rota.id, Shift.starts_at <= now, Shift.ends_at > now, Shift.status == ShiftStatus.scheduled)
        .order_by(Shift.starts_at.desc())
    ).first()
    upcoming = session.exec(
        select(Shift)
        .where(Shift.rota_id == rota.id, Shift.starts_at > now, Shift.status == ShiftStatus.scheduled)
        .order_by(Shift.starts_at)
    ).first()
    return current, upcoming


def shifts_of(session: Session, member: Member, *, since: datetime, until: datetime) -> list[tuple[Shift, str]]:
    """The member's shifts (and their role on each: on / backup) between two instants."""
    rows = session.exec(
        select(Shift, ShiftAssignment.role)
        .join(ShiftAssignment, ShiftAssignment.shift_id == Shift.id)
        .where(
            ShiftAssignment.member_id == member.id, Shift.ends_at > since, Shift.starts_at < until,
            Shift.status == ShiftStatus.scheduled,
        )
        .order_by(Shift.starts_at)
    ).all()
    return [(s, role) for s, role in rows]


def shifts_of_rota(session: Session, rota: Rota, *, since: datetime, until: datetime) -> list[Shift]:
    return list(
        session.exec(
            select(Shift)
            .where(Shift.rota_id == rota.id, Shift.ends_at > since, Shift.starts_at < until, Shift.status == ShiftStatus.scheduled)
            .order_by(Shift.starts_at)
        ).all()
    )


def checkin_points(session: Session, member: Member) -> int:
    return session.exec(
        select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(
            PointsEntry.member_id == member.id, PointsEntry.rule_code.in_(("patrol_checkin", "dual_checkin"))
        )
    ).one()
