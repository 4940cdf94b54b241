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
from html import escape
from zoneinfo import ZoneInfo

from sqlmodel import select

from handlers.types import Action, Button
from models import (
    AssignmentRole,
    Building,
    CheckIn,
    Grid,
    PolicyKind,
    RouteTarget,
    Rota,
    RotaMember,
    Shift,
    ShiftAssignment,
    ShiftStatus,
)

from .. import escalation
from ..due import Candidate, Message, Plan
from . import texts
from .service import Availability, previous_shift, shift_code

UTC = timezone.utc
EVE_LOOKAHEAD = timedelta(hours=48)  # the evening reminder is at most this long before a start
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


def candidates(plan: Plan, until: datetime):
    s, now, st = plan.session, plan.now, plan.settings
    rows = s.exec(
        select(Shift.id, Shift.rota_id, Shift.starts_at, Shift.ends_at).where(
            Shift.starts_at > now - LONGEST_SHIFT,
            Shift.starts_at <= until + EVE_LOOKAHEAD,
            Shift.ends_at > now,
            Shift.status == ShiftStatus.scheduled,
        )
    ).all()
    if not rows:
        return
    rotas = _rotas(plan, {r[1] for r in rows})
    people: dict[int, list[tuple[int, str]]] = defaultdict(list)
    ids = [r[0] for r in rows]
    for start in range(0, len(ids), 500):
        for sid, mid, role in s.exec(
            select(ShiftAssignment.shift_id, ShiftAssignment.member_id, ShiftAssignment.role).where(
                ShiftAssignment.shift_id.in_(ids[start : start + 500])
            )
        ).all():
            people[sid].append((mid, role))
    lead = timedelta(minutes=st.rota_start_reminder_minutes)
    quorum_lead = timedelta(hours=st.rota_quorum_call_hours)
    live = [r[0] for r in rows if r[2] <= until]
    present: dict[int, set[int]] = defaultdict(set)
    for start in range(0, len(live), 500):
        for sid, mid in s.exec(
            select(CheckIn.shift_id, CheckIn.member_id).where(CheckIn.shift_id.in_(live[start : start + 500]))
        ).all():
            present[sid].add(mid)
    for sid, rota_id, starts_at, ends_at in rows:
        rota = rotas.get(rota_id)
        if rota is None or not rota.active:
            continue
        tz = _zone(plan, rota.timezone)
        who = people.get(sid, [])
        on = [m for m, role in who if role == ON]
        if now < starts_at:
            eve = datetime.combine(starts_at.astimezone(tz).date() - timedelta(days=1), st.rota_evening_reminder, tz)
            eve = eve.astimezone(UTC)
            if eve <= until:
                for mid, role in who:
                    yield Candidate(
                        key=f"eve:shift:{sid}:m:{mid}", at=eve, until=starts_at, what="eve", kind="reminder",
                        ref=f"shift:{sid}", hold_limit=starts_at, expand=_eve(sid, mid, role == BACKUP),
                    )
            call_at = starts_at - quorum_lead
            if len(on) < rota.quorum and call_at <= until:
                yield Candidate(
                    key=f"quorum:shift:{sid}:n{len(on)}", at=call_at, until=starts_at, what="quorum",
                    kind="reminder", ref=f"shift:{sid}", hold_limit=starts_at, expand=_quorum(sid),
                )
        start_at = starts_at - lead
        if start_at <= until:
            for mid in on:
                yield Candidate(
                    key=f"start:shift:{sid}:m:{mid}", at=start_at, until=ends_at, what="start", kind="reminder",
                    ref=f"shift:{sid}", any_hour=True, expand=_start(sid, mid),
                )
        if starts_at <= until and len(present.get(sid, ())) < rota.quorum:
            steps = plan.policies.steps(PolicyKind.checkin_missed, rota.community_id, rota.escalation_policy_id)
            for step in steps:
                at = starts_at + step.offset
                if at > until or at >= ends_at:
                    break
                yield Candidate(
                    key=f"miss:shift:{sid}:{step.position}", at=at, until=ends_at, what="miss", kind="alert",
                    ref=f"shift:{sid}", any_hour=step.any_hour, expand=_missed(sid, step),
                )


# --- the messages -------------------------------------------------------------------------


def _shift_context(plan: Plan, sid: int):
    shift = plan.session.get(Shift, sid)
    rota = _rotas(plan, [shift.rota_id])[shift.rota_id]
    tz = _zone(plan, rota.timezone)
    rows = plan.session.exec(
        select(ShiftAssignment.member_id, ShiftAssignment.role)
        .where(ShiftAssignment.shift_id == sid)
        .order_by(ShiftAssignment.id)
    ).all()
    members = plan.members(m for m, _ in rows)
    on = [members.get(m) for m, role in rows if role == ON]
    backup = next((members.get(m) for m, role in rows if role == BACKUP), None)
    return shift, rota, tz, on, backup


def _today(plan: Plan, tz: ZoneInfo):
    return plan.now.astimezone(tz).date()


def _eve(sid: int, mid: int, is_backup: bool):
    def expand(plan: Plan) -> list[Message]:
        shift, rota, tz, on, backup = _shift_context(plan, sid)
        me = plan.member(mid)
        if me is None:
            return []
        when = texts.when(shift, tz, _today(plan, tz))
        if is_backup:
            text = (
                f"📅 <b>后备提醒</b>\n{texts.rota_title(rota)} {when}（{shift_code(shift)}）\n"
                f"值班：{texts.names(on)}。你是后备，如有人缺岗我会再通知你。"
            )
            return [Message(text, member=me)]
        others = [m for m in on if m is not None and m.id != mid]
        text = (
            f"📅 <b>排班提醒</b>\n{texts.rota_title(rota)}（{shift_code(shift)}）\n时间：{when}\n"
            + (f"同班：{texts.names(others)}\n" if others else "")
            + (f"后备：{escape(backup.name)}\n" if backup else "")
            + "请准时到岗，开始后点「签到」或发送 /checkin。来不了请点「换班」。"
        )
        buttons = [[Button("换班", Action("s", "swap", sid))]]
        return [Message(text, buttons, member=me)]

    return expand


def _start(sid: int, mid: int):
    def expand(plan: Plan) -> list[Message]:
        shift, rota, tz, on, _backup = _shift_context(plan, sid)
        me = plan.member(mid)
        if me is None:
            return []
        others = [m for m in on if m is not None and m.id != mid]
        before = previous_shift(plan.session, shift)
        note = before.handoff_note if before is not None and before.handoff_note else ""
        writer = plan.member(before.handoff_by_id) if note else None
        text = (
            f"🔔 <b>{texts.rota_title(rota)} 现在开始</b>（{shift_code(shift)}）\n时间：{texts.span(shift, tz)}\n"
            + (f"同班：{texts.names(others)}\n" if others else "")
            + (f"上一班交接（{escape(writer.name) if writer else ''}）：{escape(note)}\n" if note else "")
            + "到岗后请点「签到」，可再发位置或照片。"
        )
        buttons = [[Button("签到", Action("s", "in", sid)), Button("写交接", Action("s", "note", sid))]]
        return [Message(text, buttons, member=me)]

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
        on = [m for m in on if m is not None]
        need = rota.quorum - len(on)
        if need <= 0:
            return []
        text = (
            f"🙋 <b>{texts.rota_title(rota)} 还差 {need} 人</b>\n"
            f"{texts.when(shift, tz, _today(plan, tz))}（{shift_code(shift)}）需要 {rota.quorum} 人，"
            f"现在 {len(on)} 人（{texts.names(on)}）。\n能来的请点「我来」。"
        )
        buttons = [[Button("我来", Action("s", "join", sid))]]
        free = _team_available(plan, rota, shift, {m.id for m in on})
        if free:
            return [Message(text, buttons, member=m, suffix=f":m:{m.id}") for m in free]
        # nobody in the team is free that day: the grid manager (or whoever is above) arranges it
        text = (
            f"🙋 <b>{texts.rota_title(rota)} 缺人，队里没人有空</b>\n"
            f"{texts.when(shift, tz, _today(plan, tz))}（{shift_code(shift)}）需要 {rota.quorum} 人，"
            f"现在 {len(on)} 人（{texts.names(on)}）。\n请协调，可用 /cover {shift_code(shift)} 姓名 安排人员。"
        )
        place = escalation.Place(rota.community_id, rota.grid_id, rota.building_id)
        return [
            Message(text, member=m, suffix=f":m:{m.id}")
            for m in escalation.level_members(plan.session, RouteTarget.grid_manager, place)
        ]

    return expand


def _place_name(plan: Plan, rota: Rota) -> str:
    parts = []
    if rota.grid_id:
        grid = plan.session.get(Grid, rota.grid_id)
        parts.append(grid.name if grid else "")
    if rota.building_id:
        building = plan.session.get(Building, rota.building_id)
        parts.append(f"{building.number}栋" if building else "")
    return escape("".join(parts))


def _missed(sid: int, step: escalation.Step):
    def expand(plan: Plan) -> list[Message]:
        shift, rota, tz, on, backup = _shift_context(plan, sid)
        here = set(
            plan.session.exec(select(CheckIn.member_id).where(CheckIn.shift_id == sid)).all()
        )
        on = [m for m in on if m is not None]
        if len(here) >= rota.quorum:
            return []
        arrived = [plan.member(m) for m in here]
        minutes = int((plan.now - shift.starts_at).total_seconds() // 60)
        place = _place_name(plan, rota)
        situation = (
            f"{texts.rota_title(rota)}{('·' + place) if place else ''} {texts.when(shift, tz, _today(plan, tz))}"
            f"（{shift_code(shift)}）已开始 {max(minutes, 0)} 分钟，应到 {rota.quorum} 人，已签到 {len(here)} 人"
            + (f"（{texts.names(arrived)}）" if arrived else "")
        )
        skip = {m.id for m in on} | here
        come = [[Button("我来顶班并签到", Action("s", "in", sid))]]
        recipients: dict[int, tuple] = {}
        for target in step.targets:
            if target == escalation.BACKUP:
                if backup is not None and backup.id not in here:
                    text = f"⚠️ <b>缺岗，请后备顶班</b>\n{situation}。\n你是后备，请尽快前往，到岗后点下面的按钮。"
                    recipients.setdefault(backup.id, (backup, text, come))
            elif target == escalation.TEAM:
                for m in _team_available(plan, rota, shift, skip):
                    text = f"⚠️ <b>缺岗，求支援</b>\n{situation}。\n有空的队员请前往，到岗后点下面的按钮。"
                    recipients.setdefault(m.id, (m, text, come))
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
                    if m.id in skip:
                        continue
                    text = (
                        f"⚠️ <b>缺岗提醒</b>\n{situation}。\n值班：{texts.names(on)}"
                        + (f"；后备：{escape(backup.name)}" if backup else "")
                        + "。\n请协调处理。"
                    )
                    recipients.setdefault(m.id, (m, text, []))
        return [Message(text, buttons, member=m, suffix=f":m:{m.id}") for m, text, buttons in recipients.values()]

    return expand
