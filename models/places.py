"""Where things happen: community → grid → building, and the compounds (小区) buildings stand in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import utc_field


class Community(SQLModel, table=True):
    """社区(村): the unit that runs the bot. ``code`` (1–999) appears in member numbers."""

    id: int | None = Field(default=None, primary_key=True)
    code: int = Field(unique=True, ge=1, le=999)
    name: str = Field(unique=True, index=True, max_length=64)
    district: str = Field(default="", max_length=64)
    created_at: datetime | None = utc_field()


class Grid(SQLModel, table=True):
    """网格: a block of buildings under one grid manager; ``number`` (1–99) is per community."""

    __table_args__ = (
        UniqueConstraint("community_id", "number", name="uq_grid_number"),
        UniqueConstraint("community_id", "name", name="uq_grid_name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    number: int = Field(ge=1, le=99)
    name: str = Field(max_length=64)


class Compound(SQLModel, table=True):
    """小区: a named residential compound; more names live in ``PlaceAlias``."""

    __table_args__ = (UniqueConstraint("community_id", "name", name="uq_compound_name"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    name: str = Field(max_length=64)


class Building(SQLModel, table=True):
    """楼栋. ``number`` is what residents say ("3" for 3栋); ``code`` (1–999, per community)
    is the building's part of a member number."""

    __table_args__ = (
        UniqueConstraint("community_id", "code", name="uq_building_code"),
        UniqueConstraint("community_id", "compound_id", "number", name="uq_building_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    grid_id: int | None = Field(default=None, foreign_key="grid.id", index=True)
    compound_id: int | None = Field(default=None, foreign_key="compound.id", index=True)
    number: str = Field(max_length=16)
    code: int = Field(ge=1, le=999)


class PlaceAlias(SQLModel, table=True):
    """Another name residents use for a compound or building (「老干部楼」, 「阳光小区」)."""

    __table_args__ = (
        UniqueConstraint("community_id", "kind", "alias", "target_id", name="uq_place_alias"),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    kind: str = Field(max_length=16)  # "compound" | "building"
    target_id: int
    alias: str = Field(max_length=64, index=True)
