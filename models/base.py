"""Column types shared by the tables."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field


class UTCDateTime(TypeDecorator):
    """Stores UTC without a zone (SQLite keeps none) and always hands back aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; pass an aware datetime")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def utc_field(*, default: Any = None, nullable: bool = True, index: bool = False, **kw: Any) -> Any:
    return Field(default=default, sa_type=UTCDateTime, nullable=nullable, index=index, **kw)


def chat_key_field(*, default: Any = None, nullable: bool = True, **kw: Any) -> Any:
    """A chat's internal key (``chat.id``); the platform's own id is only in the ``chat`` row."""
    return Field(default=default, foreign_key="chat.id", nullable=nullable, **kw)


def account_key_field(*, default: Any = None, nullable: bool = True, **kw: Any) -> Any:
    """A chat account's internal key (``chataccount.id``)."""
    return Field(default=default, foreign_key="chataccount.id", nullable=nullable, **kw)
