"""A small community built through the services, with one person for every kind of check."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from bot.issues import service as issues
from bot.places import service as places
from bot.wishes import service as wishes
from bot.issues.lifecycle import Actor
from bot.members import service as members
from bot.members.service import Titles
from models import Building, Community, Grid, Issue, Member, Resident, Wish
from tests import ids


@dataclass
class World:
    session: Session
    now: datetime
    community: Community
    other_community: Community
    grid1: Grid
    grid2: Grid
    b3: Building  # 阳光花园3栋, grid 1
    b5: Building  # 阳光花园5栋, grid 2
    m: dict[str, Member] = field(default_factory=dict)
    r: dict[str, Resident] = field(default_factory=dict)
    _phone: int = 13900000000

    def actor(self, key: str) -> Actor:
        if key in self.m:
            member = self.m[key]
            return Actor(member=member, resident=members.resident_for_member(self.session, member, now=self.now))
        return Actor(resident=self.r[key])

    def add_member(self, key: str, role: int, *, grid=None, building=None, unit=None, community=None,
                   titles=Titles(), chat_user_id=None) -> Member:
        self._phone += 1
        work_unit = members.ensure_work_unit(self.session, unit)[0] if unit else None
        member = members.create_member(
            self.session, name=key, role=role, community=community or self.community, phone=str(self._phone),
            now=self.now, grid=grid, building=building, work_unit=work_unit, titles=titles,
            account_id=ids.account(self.session, chat_user_id) if chat_user_id is not None else None,
        )
        self.m[key] = member
        return member

    def add_resident(self, key: str, chat_user_id: int, building: Building | None = None) -> Resident:
        resident = members.get_or_create_resident(
            self.session, ids.account(self.session, chat_user_id), display_name=key, community_id=self.community.id, now=self.now
        )
        resident.building_id = building.id if building else None
        self.r[key] = resident
        return resident

    def report(self, text="3栋楼道灯坏了", *, by="resident", building=None, category="facility", urgent=False) -> Issue:
        reporter = self.r[by] if by in self.r else members.resident_for_member(self.session, self.m[by], now=self.now)
        return issues.report(
            self.session, reporter=reporter, community_id=self.community.id, text=text, category=category,
            urgent=urgent, building=building or self.b3, now=self.now,
        )

    def wish(self, text="想请人帮忙买菜", *, by="resident") -> Wish:
        return wishes.post(self.session, poster=self.r[by], community_id=self.community.id, text=text,
                           category="errand", building=self.b3, now=self.now)


def build_world(session: Session, now: datetime) -> World:
    community = places.create_community(session, "白庙社区", now=now)
    other = places.create_community(session, "月亮湖社区", now=now)
    grid1 = places.ensure_grid(session, community, "第一网格")[0]
    grid2 = places.ensure_grid(session, community, "第二网格")[0]
    sunshine = places.ensure_compound(session, community, "阳光花园", aliases=("阳光小区",))[0]
    b3 = places.ensure_building(session, community, "3栋", grid=grid1, compound=sunshine)[0]
    b5 = places.ensure_building(session, community, "5栋", grid=grid2, compound=sunshine)[0]
    w = World(session, now, community, other, grid1, grid2, b3, b5)
    w.add_member("leader", 1)
    w.add_member("cadre", 2, grid=grid1, unit="区住建局")
    w.add_member("office", 3, titles=Titles(office_admin=True))
    w.add_member("gm1", 3, grid=grid1, titles=Titles(grid_manager=True))
    w.add_member("gm2", 3, grid=grid2, titles=Titles(grid_manager=True))
    w.add_member("worker1", 3, grid=grid1)
    w.add_member("mediator1", 4, grid=grid1, titles=Titles(mediator=True))
    w.add_member("council", 4, grid=grid1)
    w.add_member("volunteer", 5, grid=grid1)
    w.add_member("volunteer2", 5, grid=grid2)
    w.add_member("bh3", 6, building=b3)
    w.add_member("bh5", 6, building=b5)
    w.add_member("outsider", 3, community=other, titles=Titles(office_admin=True))
    w.add_resident("resident", 5001, b3)
    w.add_resident("neighbour", 5002, b3)
    w.add_resident("stranger", 5003)
    session.flush()
    return w
