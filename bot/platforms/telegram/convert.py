"""aiogram objects → the conversation's platform-neutral values.

Telegram's numbers stop here: a user becomes a chat account key and a chat a chat key
(``bot.identities``), looked up or added in the transaction that handles the update (and kept in
a ``KeyCache`` once it committed). A Telegram user's private chat with the bot has the user's own
number, so every account comes with it.
"""

from __future__ import annotations

from datetime import datetime, timezone

from aiogram.types import CallbackQuery, Chat as TgChat, Message, User as TgUser
from sqlmodel import Session

from bot import identities
from handlers.types import Chat, Inbound, Press, SharedContact, User

PLATFORM = "telegram"


def kind_of(chat: TgChat) -> str:
    return "private" if chat.type == "private" else "group"


class KeyCache:
    """Telegram ids already mapped to keys, with the name / title last written, per process.

    A key never changes for an id, so a known person or chat costs no SQL: chatter in a group
    opens no transaction (SQLite's write lock is taken by the first statement). Entries join only
    after their transaction committed (``Ids.keep``): a rolled-back insert leaves no key behind."""

    LIMIT = 200_000  # entries; past it the cache starts again (a lookup per id, once)

    def __init__(self) -> None:
        self.accounts: dict[int, tuple[int, str]] = {}
        self.chats: dict[int, tuple[int, str]] = {}

    def update(self, accounts: dict, chats: dict) -> None:
        if len(self.accounts) + len(self.chats) > self.LIMIT:
            self.accounts.clear()
            self.chats.clear()
        self.accounts.update(accounts)
        self.chats.update(chats)


class Ids:
    """Telegram ids → internal keys, within one transaction (through ``cache`` when given)."""

    def __init__(self, session: Session, now: datetime | None = None, cache: KeyCache | None = None) -> None:
        self.session = session
        self.now = now
        self.cache = cache
        self._accounts: dict[int, tuple[int, str]] = {}
        self._chats: dict[int, tuple[int, str]] = {}

    def account(self, user_id: int, name: str = "") -> int:
        known = self.cache.accounts.get(user_id) if self.cache is not None else None
        if known is not None and (not name or known[1] == name):
            return known[0]
        key = identities.account_key(self.session, PLATFORM, str(user_id), name=name, private_chat=str(user_id),
                                     now=self.now)
        self._accounts[user_id] = (key, name)
        return key

    def chat(self, chat_id: int, kind: str, title: str = "") -> int:
        known = self.cache.chats.get(chat_id) if self.cache is not None else None
        if known is not None and (not title or known[1] == title):
            return known[0]
        key = identities.chat_key(self.session, PLATFORM, str(chat_id), kind=kind, title=title, now=self.now)
        self._chats[chat_id] = (key, title)
        return key

    def keep(self) -> None:
        """The transaction committed: what it looked up or added is known from now on."""
        if self.cache is not None and (self._accounts or self._chats):
            self.cache.update(self._accounts, self._chats)

    def user_of(self, user: TgUser) -> User:
        name = user.full_name or user.username or str(user.id)
        return User(id=self.account(user.id, name), name=name, username=user.username)

    def chat_of(self, chat: TgChat) -> Chat:
        kind = kind_of(chat)
        return Chat(id=self.chat(chat.id, kind, chat.title or ""), kind=kind, title=chat.title or "")


def file_ref(file_id: str | None) -> str | None:
    return identities.file_ref(PLATFORM, file_id)


def update_key(update_id: int | None) -> str | None:
    """Telegram's update id as the conversation records it, tagged: another platform's update may
    carry the same number."""
    return None if update_id is None else f"{PLATFORM}:{update_id}"


def _aware(when: datetime | None) -> datetime:
    if when is None:
        return datetime.now(timezone.utc)
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def inbound(ids: Ids, message: Message, update_id: int | None, bot_id: int) -> Inbound:
    photo = file_ref(message.photo[-1].file_id) if message.photo else None
    location = (message.location.latitude, message.location.longitude) if message.location else None
    replied = message.reply_to_message
    sender = ids.user_of(message.from_user)
    # whose number it is matters only when it is the sender's own (binding asks for that); someone
    # else's card gets no account made for them here
    own = message.contact is not None and message.contact.user_id == message.from_user.id
    contact = (
        SharedContact(phone=message.contact.phone_number, user_id=sender.id if own else None,
                      name=" ".join(filter(None, (message.contact.first_name, message.contact.last_name))))
        if message.contact else None
    )
    return Inbound(
        chat=ids.chat_of(message.chat),
        user=sender,
        message_id=str(message.message_id),
        text=message.text or message.caption or "",
        at=_aware(message.date),
        update_id=update_key(update_id),
        reply_to_message_id=str(replied.message_id) if replied else None,
        reply_to_bot=bool(replied and replied.from_user and replied.from_user.id == bot_id),
        photo=photo,
        location=location,
        contact=contact,
    )


def migration(message: Message) -> tuple[int, int] | None:
    """A group upgraded to a supergroup: ``(old chat id, new chat id)`` from either service
    message (``migrate_to_chat_id`` in the old group, ``migrate_from_chat_id`` in the new one)."""
    if message.migrate_to_chat_id:
        return message.chat.id, message.migrate_to_chat_id
    if message.migrate_from_chat_id:
        return message.migrate_from_chat_id, message.chat.id
    return None


def press(ids: Ids, query: CallbackQuery, update_id: int | None) -> Press | None:
    message = query.message
    if message is None or query.data is None:
        return None  # an inline-mode message or a game: nothing of ours
    return Press(
        callback_id=query.id,
        chat=ids.chat_of(message.chat),
        user=ids.user_of(query.from_user),
        message_id=str(message.message_id),
        data=query.data,
        at=datetime.now(timezone.utc),
        update_id=update_key(update_id),
        message_photo=file_ref(message.photo[-1].file_id) if getattr(message, "photo", None) else None,
        # Telegram's server says what the pressed message shows (an old one it no longer has: nothing)
        message_text=getattr(message, "text", None) or getattr(message, "caption", None),
    )
