"""Column types shared by the tables."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import BigInteger, DateTime
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


def chat_id_field(*, default: Any = None, nullable: bool = True, **kw: Any) -> Any:
    """Telegram chat and user ids exceed 32 bits."""
    return Field(default=default, sa_type=BigInteger, nullable=nullable, **kw)
