"""What a handler gets besides the update: the open session, the time, settings, and lookups."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot import groups
from bot.config import Settings
from bot.members import service as members
from models import ChatGroup, Member, Resident

from .types import Chat, Outgoing, User


@dataclass
class Context:
    session: Session
    now: datetime
    settings: Settings
    parser: Any = None  # bot.nlu.Parser; loaded once per process by the caller
    bot_username: str = ""
    conversation: Any = None  # the Conversation running this update (help, expiring questions)
    # messages to send besides the reaction's (notices to followers, alerts …); enqueued with it
    sent: list[Outgoing] = field(default_factory=list)
    _cache: dict = field(default_factory=dict)

    def send(self, *outs: Outgoing) -> None:
        self.sent.extend(outs)

    @property
    def tz(self):
        return self.settings.tz

    def group(self, chat: Chat) -> ChatGroup | None:
        """The community/grid binding of a group chat (None for private chats and unbound groups)."""
        if chat.is_private:
            return None
        key = ("group", chat.id)
        if key not in self._cache:
            self._cache[key] = groups.get(self.session, chat.id)
        return self._cache[key]

    def member(self, user: User) -> Member | None:
        """The member bound to this chat account, if any."""
        key = ("member", user.id)
        if key not in self._cache:
            self._cache[key] = members.find_by_chat_user(self.session, user.id)
        return self._cache[key]

    def resident(self, user: User, community_id: int | None = None) -> Resident:
        """The resident record of this chat account, created on first contact."""
        return members.get_or_create_resident(
            self.session, user.id, display_name=user.name, community_id=community_id, now=self.now
        )
