"""Who hears of a report: routing rules are rows, not code."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class RouteTarget:
    """The kinds of people a rule can name, resolved against the report's place."""

    building_head = "building_head"  # 楼栋长 of the building
    grid_manager = "grid_manager"  # 网格员 of the grid
    grid_workers = "grid_workers"  # other community workers of the grid
    mediators = "mediators"  # 金牌调解员 of the grid
    office = "office"  # the community's 红管家工作室 (office admins)
    district_leader = "district_leader"  # 1号红管家 assigned to the community

    ALL = (building_head, grid_manager, grid_workers, mediators, office, district_leader)


class RoutingRule(SQLModel, table=True):
    """``category`` is an issue category or ``*``; ``urgent_only`` rules apply to urgent reports.
    ``community_id`` empty = a default for every community; a community's own rules for a
    category replace the defaults for it."""

    id: int | None = Field(default=None, primary_key=True)
    community_id: int | None = Field(default=None, foreign_key="community.id", index=True)
    category: str = Field(default="*", max_length=16)
    urgent_only: bool = False
    target: str = Field(max_length=32)
    priority: int = 100  # lower is told first
    active: bool = True
