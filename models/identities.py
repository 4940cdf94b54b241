"""Who and where, whatever the platform: chat accounts and chats.

A platform names a person and a chat by its own ids (Telegram: numbers; WeCom: strings). Here
each is ``(platform, external_id)`` with the id as text, mapped to an internal integer key that
every other table refers to. Only a platform adapter ever sees an external id; the rest of the
product knows an account's key, a chat's key and whether the chat is private or a group.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import utc_field


class ChatKind:
    private = "private"  # the bot and one person
    group = "group"


class PlatformChat(SQLModel, table=True):
    """A chat the bot is in: a person's private chat with it, or a group."""

    __tablename__ = "chat"
    __table_args__ = (UniqueConstraint("platform", "external_id", name="uq_chat_platform_external"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    kind: str = Field(max_length=8)  # ChatKind
    title: str = Field(default="", max_length=128)
    # the group became another chat (Telegram: a basic group upgraded to a supergroup gets a new
    # id): what names the old id (an admin's ``hgj bind-group`` with an id copied before) means this
    moved_to_id: int | None = Field(default=None, foreign_key="chat.id")
    created_at: datetime | None = utc_field()


class ChatAccount(SQLModel, table=True):
    """A person's account on one platform. ``member_id`` is set once it is bound to a member (by
    proof: a verified phone contact or an invitation); a member may hold one account on each
    platform. ``private_chat_id`` is where the bot reaches the account on its own, unless
    ``unreachable``."""

    __table_args__ = (
        UniqueConstraint("platform", "external_id", name="uq_chataccount_platform_external"),
        UniqueConstraint("member_id", "platform", name="uq_chataccount_member_platform"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    private_chat_id: int | None = Field(default=None, foreign_key="chat.id")
    display_name: str = Field(default="", max_length=128)
    bound_at: datetime | None = utc_field()  # when member_id was last set
    # the account blocked the bot (its private chat refused a message); cleared when it writes in
    # private again. Per account: the member may still be reached on another platform
    unreachable: bool = False
    created_at: datetime | None = utc_field()
