"""Trust in who is who: web logins, invitations, bind attempts and the trail of binds and unbinds.

Secrets (login tokens, invitation codes) are never stored: only their SHA-256, so a copy of the
database opens no dashboard and binds nobody.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from .base import account_key_field, utc_field


class WebLogin(SQLModel, table=True):
    """A dashboard login (the ``/web`` link, ``hgj web-login``): valid until it expires or is revoked."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    member_id: int = Field(foreign_key="member.id", index=True)
    created_at: datetime | None = utc_field()
    expires_at: datetime | None = utc_field()
    revoked_at: datetime | None = utc_field()


class Invitation(SQLModel, table=True):
    """A one-time invitation the office (or a grid manager) made for a member: ``/start <code>``."""

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(unique=True, max_length=64)
    member_id: int = Field(foreign_key="member.id", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="member.id")  # None: the command line
    created_at: datetime | None = utc_field()
    expires_at: datetime | None = utc_field()
    used_at: datetime | None = utc_field()
    used_by_account_id: int | None = account_key_field()
    revoked_at: datetime | None = utc_field()


class BindAttempt(SQLModel, table=True):
    """A failed try to become a member (a contact that does not match, a bad code): a chat account
    gets a few per hour, counted from these rows so the limit holds across restarts and processes."""

    __table_args__ = (Index("ix_bindattempt_account_at", "account_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_key_field(nullable=False)
    at: datetime | None = utc_field()
    how: str = Field(max_length=16)  # phone | invitation
    reason: str = Field(default="", max_length=32)  # for the office's eyes only, never told to the person


class MemberEvent(SQLModel, table=True):
    """A chat account bound to or unbound from a member: who, when, how, by whom."""

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    kind: str = Field(max_length=8)  # bind | unbind
    how: str = Field(max_length=16)  # phone | invitation | roster | cli | office
    account_id: int | None = account_key_field()
    by_id: int | None = Field(default=None, foreign_key="member.id")
    at: datetime | None = utc_field()
    note: str = Field(default="", max_length=256)
