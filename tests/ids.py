"""Tests name people and chats as Telegram does (a person by a positive number, which is also
their private chat; a group by a negative one). The product stores chat accounts and chats under
keys of its own (``bot.identities``); these helpers go from one to the other, as the Telegram
adapter does, so a test reads in the ids a user would see."""

from __future__ import annotations

from sqlmodel import Session, select

from bot import identities
from models import ChatAccount, Member, PlatformChat

TELEGRAM = "telegram"


def kind_of(telegram_chat_id: int) -> str:
    return "private" if telegram_chat_id > 0 else "group"


def account(session: Session, telegram_user_id: int, name: str = "") -> int:
    """The key of a Telegram user's account (made on first use, with their private chat)."""
    return identities.resolve_account(session, TELEGRAM, str(telegram_user_id), name=name,
                                      private_chat=str(telegram_user_id)).id


def chat(session: Session, telegram_chat_id: int, title: str = "") -> int:
    """The key of a Telegram chat (made on first use)."""
    return identities.resolve_chat(session, TELEGRAM, str(telegram_chat_id), kind=kind_of(telegram_chat_id),
                                   title=title).id


def telegram_chat(session: Session, chat_key: int | None) -> int | None:
    """A chat key back to its Telegram id."""
    if chat_key is None:
        return None
    row = session.get(PlatformChat, chat_key)
    assert row is not None and row.platform == TELEGRAM, f"chat {chat_key} is not a Telegram chat"
    return int(row.external_id)


def telegram_user(session: Session, account_key: int | None) -> int | None:
    if account_key is None:
        return None
    row = session.get(ChatAccount, account_key)
    assert row is not None and row.platform == TELEGRAM, f"account {account_key} is not a Telegram account"
    return int(row.external_id)


def member_telegram_id(session: Session, member: Member | int) -> int | None:
    """The Telegram id of the account a member has bound, or None."""
    acc = identities.account_of(session, member, TELEGRAM)
    return int(acc.external_id) if acc is not None else None


def member_of(session: Session, telegram_user_id: int) -> Member | None:
    """The member a Telegram user is bound to."""
    return session.exec(select(Member).join(ChatAccount, ChatAccount.member_id == Member.id).where(
        ChatAccount.platform == TELEGRAM, ChatAccount.external_id == str(telegram_user_id))).first()


def bind(session: Session, member: Member, telegram_user_id: int | None) -> None:
    """Give a member this Telegram account (None: take their account away), as the roster does;
    the account's previous member, if any, lets go of it."""
    for acc in session.exec(select(ChatAccount).where(ChatAccount.member_id == member.id,
                                                      ChatAccount.platform == TELEGRAM)).all():
        acc.member_id = None
        session.add(acc)
    session.flush()
    if telegram_user_id is None:
        return
    key = account(session, telegram_user_id)
    acc = session.get(ChatAccount, key)
    acc.member_id = member.id
    session.add(acc)
    session.flush()


def file_ref(file_id: str | None) -> str | None:
    return identities.file_ref(TELEGRAM, file_id)


def file_id(ref: str | None) -> str | None:
    return identities.file_id(ref, TELEGRAM)


def known_account(session: Session, telegram_user_id: int) -> int | None:
    """The key of a Telegram user's account if the bot has seen them (never makes one)."""
    return session.exec(select(ChatAccount.id).where(ChatAccount.platform == TELEGRAM,
                                                     ChatAccount.external_id == str(telegram_user_id))).first()


def known_chat(session: Session, telegram_chat_id: int) -> int | None:
    return session.exec(select(PlatformChat.id).where(PlatformChat.platform == TELEGRAM,
                                                      PlatformChat.external_id == str(telegram_chat_id))).first()


class TelegramMember:
    """A member as a test reads it: the member's fields, and ``chat_user_id`` — the Telegram id
    of the account bound to it (None without one), as people in the stand-in are named."""

    def __init__(self, member: Member, telegram_id: int | None) -> None:
        self._member = member
        self.chat_user_id = telegram_id

    def __getattr__(self, name):
        return getattr(self._member, name)


def with_telegram(session: Session, member: Member | None) -> TelegramMember | None:
    return None if member is None else TelegramMember(member, member_telegram_id(session, member))


def set_unreachable(session: Session, member: Member | int, unreachable: bool = True) -> None:
    """The member's accounts blocked the bot (or can be written to again): what the sender marks
    when a private chat refuses a message."""
    for acc in identities.accounts_of(session, member):
        acc.unreachable = unreachable
        session.add(acc)
    session.flush()


def unreachable(session: Session, member: Member | int) -> bool:
    """Is the member out of reach in private: an account of theirs blocked the bot and none can
    be written to (``bot.identities.is_blocked``)?"""
    return identities.is_blocked(session, member)
