"""Column types shared by the tables."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import DateTime, String, Text
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


class JSONText(TypeDecorator):
    """A JSON document kept as text (readable in any SQL shell, searchable with LIKE on SQLite and
    PostgreSQL alike): Python values in, Python values out. Text that is not JSON (a row written
    by hand) comes back as that string. Compared with a string, it compares as text: a LIKE
    needle is not turned into JSON."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect) -> str | None:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def process_result_value(self, value: str | None, dialect) -> Any:
        if value is None:
            return None
        try:
            return json.loads(value)
        except ValueError:
            return value

    def coerce_compared_value(self, op, value):
        return Text()


def utc_field(*, default: Any = None, nullable: bool = True, index: bool = False, **kw: Any) -> Any:
    return Field(default=default, sa_type=UTCDateTime, nullable=nullable, index=index, **kw)


def chat_key_field(*, default: Any = None, nullable: bool = True, **kw: Any) -> Any:
    """A chat's internal key (``chat.id``); the platform's own id is only in the ``chat`` row."""
    return Field(default=default, foreign_key="chat.id", nullable=nullable, **kw)


def account_key_field(*, default: Any = None, nullable: bool = True, **kw: Any) -> Any:
    """A chat account's internal key (``chataccount.id``)."""
    return Field(default=default, foreign_key="chataccount.id", nullable=nullable, **kw)


MESSAGE_ID_LENGTH = 64


class MessageId(TypeDecorator):
    """A platform's id of a message, as text (Telegram's are numbers, WeCom's strings). The core
    only compares them for equality; a number handed in (an older payload, a test) is stored and
    compared as its text, so ``7`` and ``"7"`` name the same message on every database."""

    impl = String(MESSAGE_ID_LENGTH)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect) -> str | None:
        return None if value is None else str(value)

    def coerce_compared_value(self, op, value):
        return self


def message_id_field(*, default: Any = None, nullable: bool = True, **kw: Any) -> Any:
    """A platform's message id (text): see ``MessageId``."""
    return Field(default=default, sa_type=MessageId, nullable=nullable, **kw)
