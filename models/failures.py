"""Updates whose handling failed unexpectedly: kept whole, so no resident's report is lost and
``hgj replay-failed`` can run them again once the cause is fixed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Text
from sqlmodel import Field, SQLModel

from .base import chat_key_field, utc_field


class FailedUpdate(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    update_id: int | None = Field(default=None, sa_type=BigInteger, index=True)
    at: datetime | None = utc_field()
    platform: str = Field(default="telegram", max_length=16)
    chat_id: int | None = chat_key_field()
    raw: str = Field(sa_type=Text)  # the update as the platform sent it (JSON)
    error: str = Field(default="", sa_type=Text)  # exception type, message and the last frames
    replayed_at: datetime | None = utc_field()  # handled by a later replay
    attempts: int = 1
