"""What the flood rule keeps: the recent reports of each sender, and the messages it held back.

A sender who has made ``HGJ_FLOOD_REPORTS`` new reports within ``HGJ_FLOOD_WINDOW_MINUTES`` in a
community has their further messages held in one ``HeldBundle`` (nothing they wrote is lost) for
the grid manager, who files what is real (``bot.flood``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from .base import account_key_field, chat_key_field, message_id_field, utc_field


class ReportTrace(SQLModel, table=True):
    """A message the report flow took up (filed, asked about, offered for 附议, or held): what
    the flood rule counts and what a repeated message is compared with. Kept for the window."""

    __table_args__ = (Index("ix_reporttrace_sender", "community_id", "user_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    user_id: int = account_key_field(nullable=False)  # the sender's chat account
    chat_id: int = chat_key_field(nullable=False)
    message_id: str = message_id_field(default="", nullable=False)  # the platform's id, as text
    at: datetime | None = utc_field(index=True)
    fingerprint: str = Field(default="", max_length=256)  # the text without spacing, punctuation, case
    marks: str = Field(default="", max_length=128)  # its numbers and place: 3栋 and 5栋 are not one
    outcome: str = Field(default="acted", max_length=16)  # acted | held
    repeat_answered: bool = False  # the one short answer to a repeat of it was given (groups)


class HeldBundle(SQLModel, table=True):
    """One sender's messages held back in one community, for the grid manager to look at."""

    __table_args__ = (Index("ix_heldbundle_sender", "community_id", "user_id", "last_at"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    grid_id: int | None = Field(default=None, foreign_key="grid.id")
    user_id: int = account_key_field(nullable=False)
    resident_id: int | None = Field(default=None, foreign_key="resident.id")
    sender_name: str = Field(default="", max_length=128)
    chat_id: int = chat_key_field(nullable=False)  # where the holding began
    opened_at: datetime | None = utc_field()
    last_at: datetime | None = utc_field()  # the bundle takes messages while this is within the window
    count: int = 0
    urgent: bool = False  # a held message sounded urgent: the reviewers were told at once
    noticed: bool = False  # the sender was told (once per bundle in a group)
    status: str = Field(default="held", max_length=16)  # held | reviewed
    reviewed_by_id: int | None = Field(default=None, foreign_key="member.id")
    reviewed_at: datetime | None = utc_field()


class HeldMessage(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    bundle_id: int = Field(foreign_key="heldbundle.id", index=True)
    chat_id: int = chat_key_field(nullable=False)
    message_id: str | None = message_id_field()  # None once the group became a supergroup (ids of the old chat)
    text: str = Field(sa_type=Text)
    at: datetime | None = utc_field()
    urgent: bool = False
    status: str = Field(default="held", max_length=16)  # held | filed | dismissed
    issue_id: int | None = Field(default=None, foreign_key="issue.id")
