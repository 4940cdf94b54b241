"""Published tasks (发布任务): any member publishes, invites others, members join."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import utc_field


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    grid_id: int | None = Field(default=None, foreign_key="grid.id")
    publisher_id: int = Field(foreign_key="member.id", index=True)
    title: str = Field(max_length=128)
    description: str = Field(default="", sa_type=Text)
    capacity: int | None = None  # how many may join; empty = no limit
    status: str = Field(default="open", max_length=16)  # open | closed
    created_at: datetime | None = utc_field()
    closed_at: datetime | None = utc_field()


class TaskParticipant(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("task_id", "member_id", name="uq_task_participant"),)

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    status: str = Field(default="joined", max_length=16)  # invited | joined
    invited_by_id: int | None = Field(default=None, foreign_key="member.id")
    at: datetime | None = utc_field()
