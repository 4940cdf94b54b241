"""Who must hear of a report, in order: the rules are rows of ``RoutingRule``; the fallback
up the hierarchy (building → grid → community office → district leader) is structural."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, or_, select

from bot import identities
from models import Building, Member, MemberStatus, Role, RouteTarget, RoutingRule

T = RouteTarget

# (category, urgent_only, target, priority): the default policy for every community.
DEFAULT_RULES: list[tuple[str, bool, str, int]] = [
    ("*", False, T.building_head, 10),
    ("*", False, T.grid_manager, 20),
    ("dispute", False, T.mediators, 30),
    ("safety", False, T.office, 40),
    ("*", True, T.office, 40),
]

# When a level has nobody available, the report goes to the next level up.
FALLBACK: dict[str, tuple[str, ...]] = {
    T.building_head: (T.grid_manager, T.grid_workers, T.office, T.district_leader),
    T.grid_manager: (T.grid_workers, T.office, T.district_leader),
    T.grid_workers: (T.grid_manager, T.office, T.district_leader),
    T.mediators: (T.grid_manager, T.office, T.district_leader),
    T.office: (T.district_leader,),
    T.district_leader: (),
}

TARGET_ZH = {
    T.building_head: "楼栋长",
    T.grid_manager: "网格员",
    T.grid_workers: "网格社区工作人员",
    T.mediators: "金牌调解员",
    T.office: "社区红管家工作室",
    T.district_leader: "包联区领导",
}


@dataclass(frozen=True)
class RouteStop:
    member: Member
    target: str  # the level that named them
    wanted: str  # the level the rule asked for (differs after a fallback)

    @property
    def reason(self) -> str:
        if self.target == self.wanted:
            return TARGET_ZH[self.target]
        return f"{TARGET_ZH[self.target]}（{TARGET_ZH[self.wanted]}空缺）"


def ensure_default_rules(session: Session) -> int:
    if session.exec(select(RoutingRule.id).where(RoutingRule.community_id.is_(None))).first():
        return 0
    for category, urgent_only, target, priority in DEFAULT_RULES:
        session.add(
            RoutingRule(category=category, urgent_only=urgent_only, target=target, priority=priority)
        )
    session.flush()
    return len(DEFAULT_RULES)


def rules_for(session: Session, community_id: int, category: str, urgent: bool) -> list[RoutingRule]:
    """A community's own rules replace the defaults once it has any."""
    own = session.exec(
        select(RoutingRule.id).where(RoutingRule.community_id == community_id, RoutingRule.active)
    ).first()
    scope = RoutingRule.community_id == community_id if own else RoutingRule.community_id.is_(None)
    query = select(RoutingRule).where(
        scope,
        RoutingRule.active,
        or_(RoutingRule.category == "*", RoutingRule.category == category),
    )
    if not urgent:
        query = query.where(RoutingRule.urgent_only.is_(False))
    return list(session.exec(query.order_by(RoutingRule.priority, RoutingRule.id)).all())


def members_at(
    session: Session, target: str, *, community_id: int, grid_id: int | None, building_id: int | None
) -> list[Member]:
    """Everyone available at one level for this place."""
    q = select(Member).where(
        Member.community_id == community_id,
        Member.status == MemberStatus.active,
        ~identities.blocked_everywhere(Member.id),
    )
    if target == T.building_head:
        if building_id is None:
            return []
        q = q.where(Member.role == Role.building_head, Member.building_id == building_id)
    elif target == T.grid_manager:
        if grid_id is None:
            return []
        q = q.where(Member.is_grid_manager, Member.grid_id == grid_id)
    elif target == T.grid_workers:
        if grid_id is None:
            return []
        q = q.where(Member.role == Role.community_worker, Member.grid_id == grid_id)
    elif target == T.mediators:
        q = q.where(Member.is_mediator)
        q = q.where(or_(Member.grid_id == grid_id, Member.grid_id.is_(None)))
    elif target == T.office:
        q = q.where(Member.is_office_admin)
    elif target == T.district_leader:
        q = q.where(Member.role == Role.district_leader)
    else:
        return []
    members = list(session.exec(q.order_by(Member.id)).all())
    if target == T.mediators:  # the grid's own mediators first ("矛盾不出格")
        members.sort(key=lambda m: (m.grid_id is None, m.id))
    return members


def route(
    session: Session,
    *,
    community_id: int,
    category: str,
    urgent: bool = False,
    grid_id: int | None = None,
    building_id: int | None = None,
    exclude: set[int] | frozenset[int] = frozenset(),
) -> list[RouteStop]:
    """The people to tell, first to last, without repeats. ``exclude`` drops members (the one
    who blocked the bot, say) so the next in line is named instead."""
    if grid_id is None and building_id is not None:
        building = session.get(Building, building_id)
        grid_id = building.grid_id if building else None
    stops: list[RouteStop] = []
    seen: set[int] = set(exclude)
    for rule in rules_for(session, community_id, category, urgent):
        for level in (rule.target, *FALLBACK.get(rule.target, ())):
            found = [
                m
                for m in members_at(
                    session, level, community_id=community_id, grid_id=grid_id, building_id=building_id
                )
                if m.id not in exclude
            ]
            if found:
                for m in found:
                    if m.id not in seen:
                        seen.add(m.id)
                        stops.append(RouteStop(m, level, rule.target))
                break
    return stops
