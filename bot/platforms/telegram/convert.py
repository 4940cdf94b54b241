"""aiogram objects → the conversation's platform-neutral values."""

from __future__ import annotations

from datetime import datetime, timezone

from aiogram.types import CallbackQuery, Chat as TgChat, Message, User as TgUser

from handlers.types import Chat, Inbound, Press, SharedContact, User


def user_of(user: TgUser) -> User:
    return User(id=user.id, name=user.full_name or user.username or str(user.id), username=user.username)


def chat_of(chat: TgChat) -> Chat:
    return Chat(id=chat.id, kind="private" if chat.type == "private" else "group", title=chat.title or "")


def _aware(when: datetime | None) -> datetime:
    if when is None:
        return datetime.now(timezone.utc)
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def inbound(message: Message, update_id: int | None, bot_id: int) -> Inbound:
    photo = message.photo[-1].file_id if message.photo else None
    location = (message.location.latitude, message.location.longitude) if message.location else None
    replied = message.reply_to_message
    contact = (
        SharedContact(phone=message.contact.phone_number, user_id=message.contact.user_id,
                      name=" ".join(filter(None, (message.contact.first_name, message.contact.last_name))))
        if message.contact else None
    )
    return Inbound(
        chat=chat_of(message.chat),
        user=user_of(message.from_user),
        message_id=message.message_id,
        text=message.text or message.caption or "",
        at=_aware(message.date),
        update_id=update_id,
        reply_to_message_id=replied.message_id if replied else None,
        reply_to_bot=bool(replied and replied.from_user and replied.from_user.id == bot_id),
        photo_file_id=photo,
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


def press(query: CallbackQuery, update_id: int | None) -> Press | None:
    message = query.message
    if message is None or query.data is None:
        return None  # an inline-mode message or a game: nothing of ours
    return Press(
        callback_id=query.id,
        chat=chat_of(message.chat),
        user=user_of(query.from_user),
        message_id=message.message_id,
        data=query.data,
        at=datetime.now(timezone.utc),
        update_id=update_id,
        message_photo=message.photo[-1].file_id if getattr(message, "photo", None) else None,
    )
