"""Escalation policies (GoAlert-style): who is told, step by step, when nobody acts.

A policy is a list of steps; each step fires ``delay_minutes`` after the previous one (the first
after the trigger: an issue reported, a claim made, a shift started) and names targets. The
steps are rows (``EscalationPolicy`` / ``EscalationStep``); while a kind has no row, the default
comes from the settings (``HGJ_ESCALATION_*``), written as ``"120:grid_manager,240:office!"``.

Targets are the routing levels (``models.RouteTarget``: building_head, grid_manager, grid_workers,
mediators, office, district_leader — an empty level falls back up the hierarchy exactly as
``bot.routing`` does), plus:

- ``route``   everyone ``bot.routing.route`` names for the item (urgent: all at once);
- ``claimer`` the member who claimed the issue;
- ``backup``  the backup of a shift; ``team`` the rota's team members not on the shift.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from models import EscalationPolicy, EscalationStep, Member, PolicyKind, RouteTarget

from bot.issues import routing
from bot.infra.config import Settings
from bot.infra.errors import InvalidInput

ROUTE, CLAIMER, BACKUP, TEAM = "route", "claimer", "backup", "team"
TARGETS: tuple[str, ...] = (*RouteTarget.ALL, ROUTE, CLAIMER, BACKUP, TEAM)

TARGET_ZH = {**routing.TARGET_ZH, ROUTE: "路由上的所有人", CLAIMER: "领办人", BACKUP: "后备人员", TEAM: "排班队员"}


@dataclass(frozen=True)
class Step:
    position: int  # 1, 2, …
    delay_minutes: int  # after the previous step
    offset: timedelta  # after the trigger (sum of delays so far)
    targets: tuple[str, ...]
    any_hour: bool  # also sent in quiet hours


_STEP = re.compile(r"^\s*(\d+)\s*:\s*([a-z_+\s]+?)\s*(!?)\s*$")


def parse_steps(text: str) -> list[Step]:
    """``"120:grid_manager,240:office+district_leader!"`` → steps; raises naming the bad part."""
    steps: list[Step] = []
    total = 0
    for part in filter(None, (p.strip() for p in text.split(","))):
        m = _STEP.match(part)
        if not m:
            raise InvalidInput(f"升级步骤「{part}」格式应为 分钟:对象[+对象][!]")
        targets = tuple(t.strip() for t in m.group(2).split("+") if t.strip())
        unknown = [t for t in targets if t not in TARGETS]
        if unknown or not targets:
            raise InvalidInput(f"升级步骤「{part}」的对象无法识别：{'、'.join(unknown) or '空'}")
        delay = int(m.group(1))
        total += delay
        steps.append(Step(len(steps) + 1, delay, timedelta(minutes=total), targets, bool(m.group(3))))
    return steps


def format_steps(steps: list[Step]) -> str:
    return ",".join(f"{s.delay_minutes}:{'+'.join(s.targets)}{'!' if s.any_hour else ''}" for s in steps)


def default_steps(kind: str, settings: Settings) -> list[Step]:
    text = {
        PolicyKind.issue_unaccepted: settings.escalation_unaccepted,
        PolicyKind.issue_urgent: settings.escalation_urgent,
        PolicyKind.issue_overdue: settings.escalation_overdue,
        # the first call, to the backup, comes at start + HGJ_ROTA_MISSED_CHECKIN_MINUTES
        PolicyKind.checkin_missed: f"{settings.rota_missed_checkin_minutes}:{BACKUP}!,"
        + settings.escalation_missed_checkin,
    }.get(kind)
    if text is None:
        raise InvalidInput(f"未知的升级策略类型「{kind}」")
    return parse_steps(text)


def _rows_to_steps(rows: list[EscalationStep]) -> list[Step]:
    steps, total = [], 0
    for row in sorted(rows, key=lambda r: r.position):
        total += row.delay_minutes
        targets = tuple(t for t in row.targets.split("+") if t)
        steps.append(Step(len(steps) + 1, row.delay_minutes, timedelta(minutes=total), targets, row.any_hour))
    return steps


class Policies:
    """Looks policies up once per computation: a rota's own policy, else the community's policy
    of the kind, else the district-wide one (no community), else the settings' default."""

    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self._by_scope: dict[tuple[str, int | None], int | None] | None = None
        self._steps: dict[int, list[Step]] = {}
        self._defaults: dict[str, list[Step]] = {}

    def _load(self) -> None:
        self._by_scope = {}
        rows = self.session.exec(
            select(EscalationPolicy.id, EscalationPolicy.kind, EscalationPolicy.community_id)
            .where(EscalationPolicy.active)
            .order_by(EscalationPolicy.id)
        ).all()
        for pid, kind, community_id in rows:
            self._by_scope.setdefault((kind, community_id), pid)

    def steps_of(self, policy_id: int) -> list[Step]:
        if policy_id not in self._steps:
            rows = self.session.exec(select(EscalationStep).where(EscalationStep.policy_id == policy_id)).all()
            self._steps[policy_id] = _rows_to_steps(list(rows))
        return self._steps[policy_id]

    def steps(self, kind: str, community_id: int | None, policy_id: int | None = None) -> list[Step]:
        if policy_id is not None:
            own = self.steps_of(policy_id)
            if own:
                return own
        if self._by_scope is None:
            self._load()
        for scope in ((kind, community_id), (kind, None)):
            pid = self._by_scope.get(scope)
            if pid is not None:
                return self.steps_of(pid)
        if kind not in self._defaults:
            self._defaults[kind] = default_steps(kind, self.settings)
        return self._defaults[kind]


def save_policy(
    session: Session, kind: str, steps_text: str, *, community_id: int | None = None, name: str = ""
) -> EscalationPolicy:
    """Write a policy (replacing the steps of an existing one of the same kind and scope)."""
    if kind not in PolicyKind.ALL:
        raise InvalidInput(f"未知的升级策略类型「{kind}」（可选：{'、'.join(PolicyKind.ALL)}）")
    steps = parse_steps(steps_text)
    if not steps:
        raise InvalidInput("升级策略至少要有一步")
    scope = (
        EscalationPolicy.community_id == community_id
        if community_id is not None
        else EscalationPolicy.community_id.is_(None)
    )
    policy = session.exec(select(EscalationPolicy).where(EscalationPolicy.kind == kind, scope)).first()
    if policy is None:
        policy = EscalationPolicy(kind=kind, community_id=community_id, name=name or kind)
        session.add(policy)
        session.flush()
    for old in session.exec(select(EscalationStep).where(EscalationStep.policy_id == policy.id)).all():
        session.delete(old)
    session.flush()
    for step in steps:
        session.add(
            EscalationStep(
                policy_id=policy.id, position=step.position, delay_minutes=step.delay_minutes,
                targets="+".join(step.targets), any_hour=step.any_hour,
            )
        )
    session.flush()
    return policy


# --- who a target names -----------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    community_id: int
    grid_id: int | None = None
    building_id: int | None = None
    category: str = "*"
    urgent: bool = False


def level_members(session: Session, level: str, place: Place) -> list[Member]:
    """The members at a routing level for this place; an empty level falls back up, exactly as
    ``bot.routing.route`` does for a report."""
    for lvl in (level, *routing.FALLBACK.get(level, ())):
        found = routing.members_at(
            session, lvl, community_id=place.community_id, grid_id=place.grid_id, building_id=place.building_id
        )
        if found:
            return found
    return []


def route_members(session: Session, place: Place) -> list[Member]:
    stops = routing.route(
        session, community_id=place.community_id, category=place.category, urgent=place.urgent,
        grid_id=place.grid_id, building_id=place.building_id,
    )
    return [s.member for s in stops]


# --- quiet hours --------------------------------------------------------------------------


def in_quiet_hours(at: datetime, settings: Settings, tz: ZoneInfo | None = None) -> bool:
    local = at.astimezone(tz or settings.tz).time()
    start, end = settings.quiet_hours_start, settings.quiet_hours_end
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def quiet_until(at: datetime, settings: Settings, tz: ZoneInfo | None = None) -> datetime | None:
    """When quiet hours around ``at`` end (aware UTC), or None when ``at`` is not in them."""
    tz = tz or settings.tz
    if not in_quiet_hours(at, settings, tz):
        return None
    local = at.astimezone(tz)
    end: time = settings.quiet_hours_end
    candidate = datetime.combine(local.date(), end, tz)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), end, tz)
    return candidate.astimezone(timezone.utc)
