"""Durable delivery: every outgoing message is a row first, written in the same transaction as
the change that caused it, then sent by the sender; and the platform updates already handled."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, SmallInteger, Text
from sqlmodel import Field, SQLModel

from .base import JSONText, account_key_field, chat_key_field, message_id_field, utc_field


class OutboxStatus:
    pending = "pending"
    sent = "sent"
    failed = "failed"  # the recipient cannot be reached (blocked the bot); re-routed if possible
    dead = "dead"  # gave up after the capped retries, or the platform refused it for good


class OutboxPriority:
    """Which lane a message waits in, per chat: an answer to what someone just wrote or tapped
    (a reply, an edit of the pressed card, a login link) goes ahead of bulk (alerts, reminders,
    digests, notices). Within a lane a chat's messages keep their order."""

    interactive = 0
    bulk = 1


INTERACTIVE_KINDS = frozenset({"reply", "card"})  # ``card``: an edit of a message already sent


class OutboxMessage(SQLModel, table=True):
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_lane", "status", "priority", "id"),
        # a button press names its message: which buttons did that message carry (bot.outbox.carried)
        Index("ix_outbox_chat_sent", "chat_id", "sent_message_id"),
        Index("ix_outbox_chat_edit", "chat_id", "edit_message_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime | None = utc_field()
    chat_id: int = chat_key_field(nullable=False, index=True)
    # the message in the neutral rich-text form (``bot.rich.Rich.to_json``), rendered per platform
    # only when it is sent
    text: Any = Field(sa_type=JSONText)
    buttons: str = Field(default="", sa_type=Text)  # JSON rows of {"text","data"|"url"}
    # a request shown in place of the person's keyboard: JSON {"contact": label} or {"clear": true}
    request: str = Field(default="", max_length=256)
    reply_to_message_id: str | None = message_id_field()  # the platform's ids of messages, as text
    photo: str | None = Field(default=None, max_length=256)  # a file reference: ``telegram:<file id>``
    edit_message_id: str | None = message_id_field()
    kind: str = Field(default="reply", max_length=16)
    priority: int = Field(default=OutboxPriority.bulk, sa_type=SmallInteger, sa_column_kwargs={"server_default": "1"})
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    ref: str | None = Field(default=None, max_length=64, index=True)
    dedupe_key: str | None = Field(default=None, max_length=128, unique=True)
    status: str = Field(default=OutboxStatus.pending, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime | None = utc_field()
    # the sender holding the row's claim (its process and a term id), cleared with the outcome:
    # a sender that takes over the role makes the rows of any other owner due at once
    leased_by: str | None = Field(default=None, max_length=96)
    last_error: str = Field(default="", max_length=512)
    sent_at: datetime | None = utc_field()
    sent_message_id: str | None = message_id_field()


class ProcessedUpdate(SQLModel, table=True):
    """A platform update already handled; a re-delivered one (same key) is skipped. The key is the
    platform's update id tagged with the platform (``telegram:812345``): two platforms' ids may
    be the same number or string, and are not the same update."""

    key: str = Field(primary_key=True, max_length=96)
    at: datetime | None = utc_field()


class PendingQuestion(SQLModel, table=True):
    """The bot asked someone something (「在哪栋楼？」) and waits for their next message or tap."""

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = chat_key_field(nullable=False)
    user_id: int = account_key_field(nullable=False)
    kind: str = Field(max_length=32)
    payload: str = Field(default="{}", sa_type=Text)  # JSON: what is known so far
    question_message_id: str | None = message_id_field()
    created_at: datetime | None = utc_field()
    expires_at: datetime | None = utc_field(index=True)

    __table_args__ = (Index("ix_pending_chat_user", "chat_id", "user_id", unique=True),)
