"""Points (积分): an append-only ledger, the rules that award it, and vouchers to redeem."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import utc_field


class PointsRule(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=64)
    points: int
    active: bool = True


class PointsEntry(SQLModel, table=True):
    """One line of the ledger. Never updated or deleted; a correction is another line.
    ``object_key`` names what earned it (``issue:12``), so an award is booked once per rule."""

    __table_args__ = (
        UniqueConstraint("rule_code", "object_key", name="uq_points_award"),
        Index("ix_points_member_at", "member_id", "at"),
        Index("ix_points_community_at", "community_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    rule_code: str = Field(max_length=32)
    object_key: str | None = Field(default=None, max_length=64)
    delta: int
    note: str = Field(default="", max_length=256)
    at: datetime | None = utc_field()
    # Where the member stood when it was booked, so leaderboards need no joins and do not
    # move when a member changes grid later.
    community_id: int = Field(foreign_key="community.id")
    grid_id: int | None = Field(default=None, foreign_key="grid.id")
    work_unit_id: int | None = Field(default=None, foreign_key="workunit.id")


class Voucher(SQLModel, table=True):
    """A reward offered by a partner shop of the 红色商户联盟."""

    id: int | None = Field(default=None, primary_key=True)
    community_id: int | None = Field(default=None, foreign_key="community.id")
    merchant: str = Field(max_length=64)
    title: str = Field(max_length=64)
    cost: int = Field(gt=0)
    active: bool = True
