"""Shift occurrences for ``bot.due``: the evening-before reminder, the start reminder, the call
for volunteers when a shift is short of its quorum, and the missed-check-in calls (the backup,
then up the route, as the check-in escalation policy says).

Only shifts in a window around ``now`` are read (started within the last day, starting within
two days of the horizon), through the index on ``shift.starts_at``.

Quiet hours: start reminders and calls about a shift under way go out at any hour (people are
on duty); the evening reminder and quorum calls wait out quiet hours unless waiting would make
them arrive after the shift began; escalation steps follow their policy (``!`` = any hour).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, exists, func, literal, or_
from sqlmodel import select

from models import (
    AssignmentRole,
    CheckIn,
    Member,
    Occurrence,
    PolicyKind,
    RouteTarget,
    Rota,
    RotaMember,
    Shift,
    ShiftAssignment,
    ShiftStatus,
)

from bot.issues import escalation
from bot.places import service as places
from bot.due.plan import Candidate, Message, Plan
from bot.rotas.notices import EveReminder, MissedCheckIn, QuorumCall, ShiftFacts, StartReminder
from bot.rotas.turns import Availability, previous_shift

UTC = timezone.utc
LONGEST_SHIFT = timedelta(hours=24)
ON, BACKUP = AssignmentRole.on, AssignmentRole.backup


def _zone(plan: Plan, name: str) -> ZoneInfo:
    zones = plan.cache.setdefault("zones", {})
    if name not in zones:
        zones[name] = ZoneInfo(name)
    return zones[name]


def _rotas(plan: Plan, ids) -> dict[int, Rota]:
    cache: dict[int, Rota] = plan.cache.setdefault("rotas", {})
    missing = [i for i in set(ids) if i not in cache]
    for start in range(0, len(missing), 500):
        for r in plan.session.exec(select(Rota).where(Rota.id.in_(missing[start : start + 500]))).all():
            cache[r.id] = r
    return cache


def _key(prefix: str):
    """The SQL for ``f"{prefix}:shift:{shift_id}:m:{member_id}"`` of an assignment row."""
    return (
        literal(f"{prefix}:shift:", String) + cast(ShiftAssignment.shift_id, String)
        + literal(":m:", String) + cast(ShiftAssignment.member_id, String)
    )


def _eve_horizon(plan: Plan, until: datetime) -> datetime:
    """The latest start whose evening-before reminder falls due by ``until``: the end of the
    day after ``until``'s day once the reminder time has passed, else the end of that day (in
    every zone a rota uses)."""
    zones = plan.cache.get("rota_zones")
    if zones is None:
        zones = plan.cache["rota_zones"] = [
            _zone(plan, z) for z in plan.session.exec(select(Rota.timezone).where(Rota.active).distinct()).all()
        ] or [plan.tz]
    ends = []
    for tz in zones:
        local = until.astimezone(tz)
        days = 1 + (local.time() >= plan.settings.rota_evening_reminder)
        ends.append(datetime.combine(local.date() + timedelta(days=days), datetime.min.time(), tz))
    return max(ends).astimezone(UTC)


def candidates(plan: Plan, until: datetime):
    """Shift occurrences falling due by ``until``. Three small queries, each returning only rows
    that can still matter: assignments whose reminder has not fired (checked through the
    occurrence key's index), shifts short of people, and started shifts short of check-ins."""
    conn, now, st = plan.session.connection(), plan.now, plan.settings
    lead = timedelta(minutes=st.rota_start_reminder_minutes)
    window = (Shift.ends_at > now) & (Shift.status == ShiftStatus.scheduled) & Rota.active
    eve_end = _eve_horizon(plan, until)
    wanted: set[int] = plan.cache.setdefault("shift_context_wanted", set())

    # 1. evening and start reminders, one per person
    if plan.include_fired:
        eve_done = start_done = literal(False)
    else:
        eve_done = exists().where(Occurrence.key == _key("eve"))
        start_done = exists().where(Occurrence.key == _key("start"))
    open_rows = select(
        ShiftAssignment.shift_id, ShiftAssignment.member_id, ShiftAssignment.role, Shift.starts_at, Shift.ends_at,
        Rota.timezone, eve_done.label("eve_done"), start_done.label("start_done"),
    ).join(Shift, Shift.id == ShiftAssignment.shift_id).join(Rota, Rota.id == Shift.rota_id).where(
        window, Shift.starts_at > now - LONGEST_SHIFT, or_(Shift.starts_at < eve_end, Shift.starts_at <= until + lead),
    )
    if not plan.include_fired:
        open_rows = open_rows.where(
            or_(
                ~eve_done & (Shift.starts_at > now) & (Shift.starts_at < eve_end),
                ~start_done & (ShiftAssignment.role == ON) & (Shift.starts_at <= until + lead),
            )
        )
    for sid, mid, role, starts_at, ends_at, tz_name, e_done, s_done in conn.execute(
        open_rows.order_by(Shift.starts_at, ShiftAssignment.id)
    ):
        if now < starts_at and not e_done:
            tz = _zone(plan, tz_name)
            eve = datetime.combine(starts_at.astimezone(tz).date() - timedelta(days=1), st.rota_evening_reminder, tz)
            eve = eve.astimezone(UTC)
            if eve <= until:
                wanted.add(sid)
                yield Candidate(
                    key=f"eve:shift:{sid}:m:{mid}", at=eve, until=starts_at, what="eve", kind="reminder",
                    ref=f"shift:{sid}", hold_limit=starts_at, expand=_eve(sid, mid, role == BACKUP),
                    checked=not plan.include_fired,
                )
        start_at = starts_at - lead
        if role == ON and not s_done and start_at <= until:
            wanted.add(sid)
            yield Candidate(
                key=f"start:shift:{sid}:m:{mid}", at=start_at, until=ends_at, what="start", kind="reminder",
                ref=f"shift:{sid}", any_hour=True, expand=_start(sid, mid), checked=not plan.include_fired,
            )

    # 2. shifts not yet started with fewer people than their quorum
    quorum_lead = timedelta(hours=st.rota_quorum_call_hours)
    on_count = func.count(ShiftAssignment.id)
    short = (
        select(Shift.id, Shift.starts_at, on_count)
        .join(Rota, Rota.id == Shift.rota_id)
        .outerjoin(ShiftAssignment, (ShiftAssignment.shift_id == Shift.id) & (ShiftAssignment.role == ON))
        .where(window, Shift.starts_at > now, Shift.starts_at <= until + quorum_lead)
        .group_by(Shift.id, Shift.starts_at, Rota.quorum)
        .having(on_count < Rota.quorum)
    )
    for sid, starts_at, n in conn.execute(short):
        call_at = starts_at - quorum_lead
        if call_at <= until:
            wanted.add(sid)
            yield Candidate(
                key=f"quorum:shift:{sid}:n{n}", at=call_at, until=starts_at, what="quorum",
                kind="reminder", ref=f"shift:{sid}", hold_limit=starts_at, expand=_quorum(sid),
            )

    # 3. started shifts with fewer check-ins than their quorum
    present = func.count(CheckIn.id)
    missing = (
        select(Shift.id, Shift.starts_at, Shift.ends_at, Rota.community_id, Rota.escalation_policy_id, present)
        .join(Rota, Rota.id == Shift.rota_id)
        .outerjoin(CheckIn, CheckIn.shift_id == Shift.id)
        .where(window, Shift.starts_at > now - LONGEST_SHIFT, Shift.starts_at <= until)
        .group_by(Shift.id, Shift.starts_at, Shift.ends_at, Rota.community_id, Rota.escalation_policy_id, Rota.quorum)
        .having(present < Rota.quorum)
    )
    for sid, starts_at, ends_at, community_id, policy_id, _n in conn.execute(missing):
        for step in plan.policies.steps(PolicyKind.checkin_missed, community_id, policy_id):
            at = starts_at + step.offset
            if at > until or at >= ends_at:
                break
            wanted.add(sid)
            yield Candidate(
                key=f"miss:shift:{sid}:{step.position}", at=at, until=ends_at, what="miss", kind="alert",
                ref=f"shift:{sid}", any_hour=step.any_hour, expand=_missed(sid, step),
            )


# --- the messages -------------------------------------------------------------------------


def _shift_context(plan: Plan, sid: int):
    """(shift, rota, zone, people on, backup), loaded for every shift a message is wanted for at
    once, the first time one is asked for."""
    contexts: dict[int, tuple] = plan.cache.setdefault("shift_context", {})
    if sid not in contexts:
        wanted = plan.cache.get("shift_context_wanted", set()) - set(contexts)
        ids = sorted(wanted | {sid})
        shifts: dict[int, Shift] = {}
        rows: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            shifts.update((x.id, x) for x in plan.session.exec(select(Shift).where(Shift.id.in_(chunk))).all())
            for a_sid, mid, role in plan.session.exec(
                select(ShiftAssignment.shift_id, ShiftAssignment.member_id, ShiftAssignment.role)
                .where(ShiftAssignment.shift_id.in_(chunk))
                .order_by(ShiftAssignment.id)
            ).all():
                rows[a_sid].append((mid, role))
        rotas = _rotas(plan, {x.rota_id for x in shifts.values()})
        members = plan.members(m for people in rows.values() for m, _ in people)
        for i, shift in shifts.items():
            rota = rotas[shift.rota_id]
            on = [members.get(m) for m, role in rows[i] if role == ON]
            backup = next((members.get(m) for m, role in rows[i] if role == BACKUP), None)
            contexts[i] = (shift, rota, _zone(plan, rota.timezone), on, backup)
    return contexts[sid]


def _handoff_before(plan: Plan, shift: Shift) -> Shift | None:
    """The previous shift of the same rota (its handoff note is shown at this one's start)."""
    cache: dict[int, Shift | None] = plan.cache.setdefault("previous_shift", {})
    if shift.id not in cache:
        cache[shift.id] = previous_shift(plan.session, shift)
    return cache[shift.id]


def _today(plan: Plan, tz: ZoneInfo):
    return plan.now.astimezone(tz).date()


def _facts(plan: Plan, shift: Shift, rota: Rota, tz: ZoneInfo) -> ShiftFacts:
    return ShiftFacts(shift, rota, tz, _today(plan, tz))


def _eve(sid: int, mid: int, is_backup: bool):
    def expand(plan: Plan) -> list[Message]:
        shift, rota, tz, on, backup = _shift_context(plan, sid)
        me = plan.member(mid)
        if me is None:
            return []
        others = tuple(m for m in on if m is not None and m.id != mid)
        fact = EveReminder(_facts(plan, shift, rota, tz), others, backup, is_backup, tuple(on))
        return [Message(fact, member=me)]

    return expand


def _start(sid: int, mid: int):
    def expand(plan: Plan) -> list[Message]:
        shift, rota, tz, on, _backup = _shift_context(plan, sid)
        me = plan.member(mid)
        if me is None:
            return []
        others = tuple(m for m in on if m is not None and m.id != mid)
        before = _handoff_before(plan, shift)
        note = before.handoff_note if before is not None and before.handoff_note else ""
        writer = plan.member(before.handoff_by_id) if note else None
        return [Message(StartReminder(_facts(plan, shift, rota, tz), others, note, writer), member=me)]

    return expand


def _team_available(plan: Plan, rota: Rota, shift: Shift, exclude: set[int]) -> list:
    ids = list(
        plan.session.exec(
            select(RotaMember.member_id)
            .where(RotaMember.rota_id == rota.id, RotaMember.active)
            .order_by(RotaMember.position, RotaMember.id)
        ).all()
    )
    ids = [i for i in ids if i not in exclude]
    day = shift.starts_at.astimezone(_zone(plan, rota.timezone)).date()
    avail = Availability(plan.session, ids, day, day)
    members = plan.members(ids)
    return [members[i] for i in ids if i in members and avail.ok(i, day)]


def _quorum(sid: int):
    def expand(plan: Plan) -> list[Message]:
        shift, rota, tz, on, _backup = _shift_context(plan, sid)
        on = tuple(m for m in on if m is not None)
        need = rota.quorum - len(on)
        if need <= 0:
            return []
        free = _team_available(plan, rota, shift, {m.id for m in on})
        fact = QuorumCall(_facts(plan, shift, rota, tz), on, need, team_free=bool(free))
        if free:
            return [Message(fact, member=m, suffix=f":m:{m.id}") for m in free]
        # nobody in the team is free that day: the grid manager (or whoever is above) arranges it
        place = escalation.Place(rota.community_id, rota.grid_id, rota.building_id)
        return [
            Message(fact, member=m, suffix=f":m:{m.id}")
            for m in escalation.level_members(plan.session, RouteTarget.grid_manager, place)
        ]

    return expand


def _place_name(plan: Plan, rota: Rota) -> str:
    return places.place_label(plan.session, building_id=rota.building_id, grid_id=rota.grid_id)


def _missed(sid: int, step: escalation.Step):
    def expand(plan: Plan) -> list[Message]:
        shift, rota, tz, on, backup = _shift_context(plan, sid)
        here = set(
            plan.session.exec(select(CheckIn.member_id).where(CheckIn.shift_id == sid)).all()
        )
        on = tuple(m for m in on if m is not None)
        if len(here) >= rota.quorum:
            return []
        arrived = tuple(plan.member(m) for m in here)
        minutes = int((plan.now - shift.starts_at).total_seconds() // 60)
        at, place = _facts(plan, shift, rota, tz), _place_name(plan, rota)

        def fact(to: str) -> MissedCheckIn:
            return MissedCheckIn(at, to, place, minutes, len(here), arrived, on, backup)

        skip = {m.id for m in on} | here
        recipients: dict[int, tuple[Member, MissedCheckIn]] = {}
        for target in step.targets:
            if target == escalation.BACKUP:
                if backup is not None and backup.id not in here:
                    recipients.setdefault(backup.id, (backup, fact("backup")))
            elif target == escalation.TEAM:
                for m in _team_available(plan, rota, shift, skip):
                    recipients.setdefault(m.id, (m, fact("team")))
            elif target == escalation.CLAIMER:
                continue
            else:
                place_ = escalation.Place(rota.community_id, rota.grid_id, rota.building_id)
                found = (
                    escalation.route_members(plan.session, place_)
                    if target == escalation.ROUTE
                    else escalation.level_members(plan.session, target, place_)
                )
                for m in found:
                    if m.id not in skip:
                        recipients.setdefault(m.id, (m, fact("route")))
        return [Message(f, member=m, suffix=f":m:{m.id}") for m, f in recipients.values()]

    return expand
