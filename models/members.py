"""People: members (红管家) in six numbered roles, their work units, and residents who report."""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import account_key_field, utc_field


class Role(IntEnum):
    district_leader = 1  # 包联区领导
    unit_cadre = 2  # 包联/驻地单位人员
    community_worker = 3  # 村/社区工作人员 (grid managers among them)
    council_member = 4  # 议事团队成员 (mediators among them)
    volunteer = 5  # 热心居民
    building_head = 6  # 楼栋长


ROLE_NAMES_ZH: dict[Role, str] = {
    Role.district_leader: "包联区领导",
    Role.unit_cadre: "包联单位人员",
    Role.community_worker: "社区工作人员",
    Role.council_member: "议事团队成员",
    Role.volunteer: "热心居民",
    Role.building_head: "楼栋长",
}


class MemberStatus:
    active = "active"
    away = "away"
    left = "left"


class WorkUnit(SQLModel, table=True):
    """包联/驻地单位: a district department whose cadres (role 2) serve in communities."""

    id: int | None = Field(default=None, primary_key=True)
    code: int = Field(unique=True, ge=1, le=999)
    name: str = Field(unique=True, index=True, max_length=64)


class Member(SQLModel, table=True):
    """红管家. ``number`` is the printed member number (see ``bot.members.numbers``)."""

    __table_args__ = (UniqueConstraint("community_id", "seq", name="uq_member_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True, index=True, max_length=32)
    seq: int = Field(ge=1, le=9999)
    name: str = Field(max_length=64)
    role: int = Field(ge=1, le=6, index=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    # The coded 包联/驻地单位 of a role-2 member (in the number, scored per quarter); everyone's
    # 单位 as the roster writes it (a community worker's 居委会, a leader's 区政府办) is the text.
    work_unit_id: int | None = Field(default=None, foreign_key="workunit.id", index=True)
    work_unit_name: str = Field(default="", max_length=64)
    position: str = Field(default="", max_length=64)  # 职务 as written (书记, 主任); titles below act
    grid_id: int | None = Field(default=None, foreign_key="grid.id", index=True)
    building_id: int | None = Field(default=None, foreign_key="building.id", index=True)
    phone: str | None = Field(default=None, unique=True, max_length=20)
    # chat accounts: ``chataccount.member_id`` (one per platform)
    # Titles inside a role: grid managers are community workers (3), mediators council members (4),
    # office admins run the community's 红管家工作室 and may change settings.
    is_grid_manager: bool = False
    is_mediator: bool = False
    is_office_admin: bool = False
    status: str = Field(default=MemberStatus.active, max_length=16)
    created_at: datetime | None = utc_field()
    updated_at: datetime | None = utc_field()


class Resident(SQLModel, table=True):
    """Anyone who wrote in a bound group. Becomes linked to a member once they bind."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: int | None = account_key_field(unique=True, index=True)
    display_name: str = Field(default="", max_length=128)
    community_id: int | None = Field(default=None, foreign_key="community.id", index=True)
    building_id: int | None = Field(default=None, foreign_key="building.id")
    member_id: int | None = Field(default=None, foreign_key="member.id", unique=True)
    created_at: datetime | None = utc_field()
