"""Issue reports (问题) and micro-wishes (微心愿), with their event trails."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import chat_key_field, message_id_field, utc_field


class IssueStatus(StrEnum):
    reported = "reported"
    accepted = "accepted"  # in the task list (任务清单)
    claimed = "claimed"  # 领办
    resolved = "resolved"
    confirmed = "confirmed"
    rejected = "rejected"
    duplicate = "duplicate"
    reopened = "reopened"


ISSUE_OPEN = (IssueStatus.reported, IssueStatus.accepted, IssueStatus.claimed, IssueStatus.reopened)

ISSUE_STATUS_ZH = {
    IssueStatus.reported: "待受理",
    IssueStatus.accepted: "已受理",
    IssueStatus.claimed: "办理中",
    IssueStatus.resolved: "已解决待确认",
    IssueStatus.confirmed: "已确认解决",
    IssueStatus.rejected: "已驳回",
    IssueStatus.duplicate: "已合并",
    IssueStatus.reopened: "重新办理",
}


class IssueCategory(StrEnum):
    sanitation = "sanitation"
    facility = "facility"
    safety = "safety"
    dispute = "dispute"
    noise = "noise"
    parking = "parking"
    property = "property"
    order = "order"
    other = "other"


ISSUE_CATEGORY_ZH = {
    IssueCategory.sanitation: "环境卫生",
    IssueCategory.facility: "公共设施维修",
    IssueCategory.safety: "安全隐患",
    IssueCategory.dispute: "矛盾纠纷",
    IssueCategory.noise: "噪音扰民",
    IssueCategory.parking: "停车交通",
    IssueCategory.property: "物业服务",
    IssueCategory.order: "治安秩序",
    IssueCategory.other: "其他",
}


class WishStatus(StrEnum):
    posted = "posted"
    claimed = "claimed"
    fulfilled = "fulfilled"
    thanked = "thanked"
    withdrawn = "withdrawn"
    expired = "expired"


WISH_OPEN = (WishStatus.posted, WishStatus.claimed)

WISH_STATUS_ZH = {
    WishStatus.posted: "待认领",
    WishStatus.claimed: "已认领",
    WishStatus.fulfilled: "已实现",
    WishStatus.thanked: "已致谢",
    WishStatus.withdrawn: "已撤回",
    WishStatus.expired: "已过期",
}


class WishCategory(StrEnum):
    elderly = "elderly"
    errand = "errand"
    study = "study"
    health = "health"
    household = "household"
    other = "other"


WISH_CATEGORY_ZH = {
    WishCategory.elderly: "助老助残",
    WishCategory.errand: "代购代办",
    WishCategory.study: "助学辅导",
    WishCategory.health: "就医健康",
    WishCategory.household: "家中维修家政",
    WishCategory.other: "其他",
}


class Issue(SQLModel, table=True):
    __table_args__ = (
        Index("ix_issue_community_status", "community_id", "status"),
        Index("ix_issue_grid_status", "grid_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    grid_id: int | None = Field(default=None, foreign_key="grid.id")
    building_id: int | None = Field(default=None, foreign_key="building.id", index=True)
    unit: str = Field(default="", max_length=16)
    room: str = Field(default="", max_length=16)
    category: str = Field(default=IssueCategory.other, max_length=16)
    urgent: bool = False
    text: str = Field(sa_type=Text)
    status: str = Field(default=IssueStatus.reported, max_length=16, index=True)
    reporter_id: int = Field(foreign_key="resident.id", index=True)
    handler_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    merged_into_id: int | None = Field(default=None, foreign_key="issue.id")
    affected: int = 1  # people who reported or joined (附议)
    source_chat_id: int | None = chat_key_field()
    source_message_id: str | None = message_id_field()  # the platform's id, as text
    resolution_note: str = Field(default="", sa_type=Text)
    resolution_photo: str | None = Field(default=None, max_length=256)  # ``telegram:<file id>``
    created_at: datetime | None = utc_field(index=True)
    updated_at: datetime | None = utc_field()
    accepted_at: datetime | None = utc_field()
    claimed_at: datetime | None = utc_field()
    resolved_at: datetime | None = utc_field()
    closed_at: datetime | None = utc_field()


class EventFields(SQLModel):
    """Who did what when, and the state it moved from and to (the event trail of a report)."""

    at: datetime | None = utc_field()
    action: str = Field(max_length=32)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    actor_member_id: int | None = Field(default=None, foreign_key="member.id")
    actor_resident_id: int | None = Field(default=None, foreign_key="resident.id")
    note: str = Field(default="", sa_type=Text)


class IssueEvent(EventFields, table=True):
    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issue.id", index=True)


class IssueFollower(SQLModel, table=True):
    """The reporter and everyone who joined (附议); all of them hear of each change."""

    __table_args__ = (UniqueConstraint("issue_id", "resident_id", name="uq_issue_follower"),)

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issue.id", index=True)
    resident_id: int = Field(foreign_key="resident.id", index=True)
    kind: str = Field(default="supporter", max_length=16)  # reporter | supporter
    at: datetime | None = utc_field()


class Wish(SQLModel, table=True):
    __table_args__ = (Index("ix_wish_community_status", "community_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    grid_id: int | None = Field(default=None, foreign_key="grid.id", index=True)
    building_id: int | None = Field(default=None, foreign_key="building.id")
    category: str = Field(default=WishCategory.other, max_length=16)
    text: str = Field(sa_type=Text)
    status: str = Field(default=WishStatus.posted, max_length=16, index=True)
    poster_id: int = Field(foreign_key="resident.id", index=True)
    claimer_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    source_chat_id: int | None = chat_key_field()
    source_message_id: str | None = message_id_field()  # the platform's id, as text
    thanks_note: str = Field(default="", sa_type=Text)
    created_at: datetime | None = utc_field(index=True)
    updated_at: datetime | None = utc_field()
    claimed_at: datetime | None = utc_field()
    fulfilled_at: datetime | None = utc_field()
    closed_at: datetime | None = utc_field()
    expires_at: datetime | None = utc_field()


class WishEvent(EventFields, table=True):
    id: int | None = Field(default=None, primary_key=True)
    wish_id: int = Field(foreign_key="wish.id", index=True)
