"""Patrol and duty rotas: codes, lookups, who is on which turn, and turning a rota's rhythm into shifts (materialise, repair after a change of team or an absence)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, or_
from sqlmodel import Session, select

from bot.infra.config import Settings
from bot.infra.errors import NotAllowed, NotFound
from bot.infra.ids import parse_id
from bot.rotas.spec import describe_weekdays
from models import (
    AssignmentRole,
    AssignmentSource,
    AwayPeriod,
    CheckIn,
    Member,
    MemberStatus,
    Rota,
    RotaMember,
    Shift,
    ShiftAssignment,
    ShiftOverride,
    ShiftStatus,
    SwapRequest,
)


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


def _allow(problem: str | None) -> None:
    if problem:
        raise NotAllowed(problem)


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


def is_live(shift: Shift, now: datetime) -> bool:
    return shift.starts_at <= now < shift.ends_at


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
