"""What a handler gets besides the update: the open session, the time, settings, and lookups."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot import identities
from bot.infra import changes
from bot.members import belonging
from bot.places import groups
from bot.infra.config import Settings
from bot.members import service as members
from models import ChatGroup, Member, Resident

from .types import Chat, User
from bot.messages import Outgoing


@dataclass(frozen=True)
class GroupBinding:
    """What a group chat is bound to (a snapshot of its ``ChatGroup`` row)."""

    chat_id: int
    community_id: int
    grid_id: int | None
    compound_id: int | None
    title: str = ""

    @classmethod
    def of(cls, row: ChatGroup) -> GroupBinding:
        return cls(row.chat_id, row.community_id, row.grid_id, row.compound_id, row.title)


class _BindingCache:
    """Group bindings read at most once per ``cache_ttl_seconds`` per process: every group
    message needs one, and they change rarely. A change anywhere — /bind on this instance or
    another, a group that became a supergroup — moves ``bot.infra.changes.version`` and the entries
    read before it are read again; where no version can be had (PostgreSQL while the listener
    is not connected) every read goes to the database."""

    def __init__(self) -> None:
        self._rows = changes.ChangeCache()

    def get(self, ctx: Context, chat_id: int) -> GroupBinding | None:
        bind = ctx.session.get_bind()
        key = (bind.url, chat_id)  # the URL itself (hashable): rendering it as text costs more than the lookup
        now = time.monotonic()
        seen, value = self._rows.get(bind, key, now)
        if value is not changes.ChangeCache.MISSING:
            return value
        row = groups.get(ctx.session, chat_id)
        value = GroupBinding.of(row) if row is not None else None
        if seen is not None:
            self._rows.put(key, seen, value, now + ctx.settings.cache_ttl_seconds)
        return value

    def forget(self, ctx: Context, chat_id: int) -> None:
        self._rows.forget((ctx.session.get_bind().url, chat_id))

    def clear(self) -> None:
        self._rows.clear()


_bindings = _BindingCache()


def forget_bindings() -> None:
    _bindings.clear()


@dataclass
class Context:
    session: Session
    now: datetime
    settings: Settings
    parser: Any = None  # bot.nlu.Parser; loaded once per process by the caller
    bot_username: str = ""
    conversation: Any = None  # the Conversation running this update (help, expiring questions)
    # ``waiting(chat_id, user_id) -> bool``: is a question waiting for this person here? An
    # adapter may pass a probe that needs no transaction (chatter then costs no database write
    # lock at all); by default it asks the session.
    waiting: Any = None
    # messages to send besides the reaction's (notices to followers, alerts …); enqueued with it
    sent: list[Outgoing] = field(default_factory=list)
    _cache: dict = field(default_factory=dict)

    def send(self, *outs: Outgoing) -> None:
        self.sent.extend(outs)

    def may_be_waiting(self, chat_id: int, user_id: int) -> bool:
        """False only when surely no question waits for this person here (then the session
        need not be asked). The probe sees committed rows; a question asked in this very update
        is remembered here."""
        if self.waiting is None or ("asked", chat_id, user_id) in self._cache:
            return True
        return bool(self.waiting(chat_id, user_id))

    @property
    def tz(self):
        return self.settings.tz

    def group(self, chat: Chat) -> GroupBinding | None:
        """The community/grid binding of a group chat (None for private chats and unbound groups);
        cached per process for ``cache_ttl_seconds`` (``forget_group`` after binding)."""
        if chat.is_private:
            return None
        key = ("group", chat.id)
        if key not in self._cache:
            self._cache[key] = _bindings.get(self, chat.id)
        return self._cache[key]

    def binding(self, chat: Chat, user: User) -> GroupBinding | None:
        """Where a report written in this chat belongs: the group's binding, or in a private chat
        the writer's own community (no grid, no compound: the building is always asked for)."""
        if not chat.is_private:
            return self.group(chat)
        key = ("home", user.id)
        if key not in self._cache:
            member = self.member(user)
            community_id = (member.community_id if member else None) or members.resident_community_id(
                self.session, user.id
            )
            self._cache[key] = GroupBinding(chat.id, community_id, None, None) if community_id else None
        return self._cache[key]

    def chat(self, chat_id: int) -> Chat:
        """A chat known by its key (a question's, a held message's): its kind and title as stored."""
        row = identities.chat(self.session, chat_id)
        if row is None:
            return Chat(chat_id, "group")
        return Chat(chat_id, "private" if row.kind == "private" else "group", row.title)

    def forget_group(self, chat_id: int) -> None:
        self._cache.pop(("group", chat_id), None)
        _bindings.forget(self, chat_id)

    def member(self, user: User) -> Member | None:
        """The member bound to this chat account, if any."""
        key = ("member", user.id)
        if key not in self._cache:
            self._cache[key] = members.find_by_account(self.session, user.id)
        return self._cache[key]

    def note_private_contact(self, user: User) -> None:
        """Anyone writing in private can be written to: clear their account's unreachable mark."""
        members.mark_reachable(self.session, user.id)

    def belongs(self, user: User, chat: Chat, community_id: int) -> bool:
        """Is this person one of the community's people (``bot.belonging``), pressing in ``chat``?"""
        group = self.group(chat)
        return belonging.belongs(self.session, community_id, member=self.member(user),
                                 resident=self.known_resident(user),
                                 group_community_id=group.community_id if group else None)

    def known_resident(self, user: User) -> Resident | None:
        """The resident record of this chat account if there is one (never creates it)."""
        return members.find_resident(self.session, user.id)

    def resident(self, user: User, community_id: int | None = None) -> Resident:
        """The resident record of this chat account, created on first contact."""
        return members.get_or_create_resident(
            self.session, user.id, display_name=user.name, community_id=community_id, now=self.now
        )
