"""Chat groups bound to a community or grid."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .base import chat_key_field, utc_field


class ChatGroup(SQLModel, table=True):
    chat_id: int = chat_key_field(primary_key=True, nullable=False)  # the group's ``chat`` row
    community_id: int = Field(foreign_key="community.id", index=True)
    grid_id: int | None = Field(default=None, foreign_key="grid.id", index=True)
    # a residents' group (业主群) usually belongs to one compound: 「3栋」 there means its 3栋
    compound_id: int | None = Field(default=None, foreign_key="compound.id")
    title: str = Field(default="", max_length=128)
    bound_by_id: int | None = Field(default=None, foreign_key="member.id")
    bound_at: datetime | None = utc_field()
