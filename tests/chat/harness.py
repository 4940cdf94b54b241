"""Driving the conversation as a chat platform would, without one: users write and tap, the
outbox is "delivered" into an in-memory record of chats (message ids, edits, buttons).

The harness is the platform's adapter here: people and chats are named by Telegram-style ids
(a group's negative), turned into chat account and chat keys (``tests.ids``) on the way in, and
the outbox's chat keys back into those ids on the way out."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import timedelta

from sqlmodel import select

from bot.infra.config import Settings
from bot.outbox import buttons_from_json
from bot.outbox.store import request_from_json, rich_of
from tests.rendered import telegram_html
from handlers.context import Context
from handlers.conversation import process_message, process_press, run_sweep
from handlers.types import Chat, Inbound, Press, SharedContact, User
from models import OutboxMessage, OutboxStatus
from tests import ids


@dataclass
class Msg:
    """A message in a chat; a bot's as Telegram would show it (its rich text rendered as Telegram HTML)."""

    chat_id: int
    message_id: int
    text: str
    from_bot: bool
    buttons: list = field(default_factory=list)
    reply_to: int | None = None
    photo: str | None = None
    edits: int = 0
    user_id: int | None = None
    ask_contact: str | None = None  # the share-my-number control came with it
    clear_request: bool = False

    def button(self, label: str):
        for row in self.buttons:
            for b in row:
                if label in b.text:
                    return b
        raise AssertionError(f"no button {label!r} under {self.text!r}: {[[b.text for b in r] for r in self.buttons]}")

    @property
    def labels(self) -> list[str]:
        return [b.text for row in self.buttons for b in row]


class ChatWorld:
    def __init__(self, db, clock, conversation, parser, settings: Settings | None = None):
        self.db = db
        self.clock = clock
        self.conversation = conversation
        self.parser = parser
        self.settings = settings or Settings(database_url=db.url)
        self.chats: dict[int, list[Msg]] = {}
        self._mid: dict[int, itertools.count] = {}
        self._update = itertools.count(1)
        self._callback = itertools.count(1)
        self.names: dict[int, str] = {}
        self.last_answer = None
        from bot.platforms.telegram.bridge import WaitingProbe

        self.probe = WaitingProbe(db) if db.is_sqlite else None

    # --- acting -------------------------------------------------------------------------
    def _next_mid(self, chat_id: int) -> int:
        return next(self._mid.setdefault(chat_id, itertools.count(1)))

    def ctx(self, session) -> Context:
        # the probe the Telegram bridge passes: waiting questions seen without a transaction
        return Context(session=session, now=self.clock.now(), settings=self.settings, parser=self.parser,
                       bot_username="hgj_demo_bot", waiting=self.probe)

    def chat(self, session, chat_id: int) -> Chat:
        kind = ids.kind_of(chat_id)
        title = "群" if kind == "group" else ""
        return Chat(ids.chat(session, chat_id, title=title), kind, title)

    def user(self, session, user_id: int) -> User:
        name = self.names.get(user_id, f"用户{user_id}")
        return User(ids.account(session, user_id, name), name)

    def say(self, user_id: int, chat_id: int, text: str, *, reply_to: int | None = None, photo: str | None = None,
            update_id: int | None = None) -> list[Msg]:
        """The user writes; returns the bot's new messages (in every chat) after delivery."""
        mid = self._next_mid(chat_id)
        reply_to_bot = False
        if reply_to is not None:
            target = self.find(chat_id, reply_to)
            reply_to_bot = target is not None and target.from_bot
        self.chats.setdefault(chat_id, []).append(Msg(chat_id, mid, text, False, reply_to=reply_to, user_id=user_id))
        with self.db.transaction() as session:
            msg = Inbound(chat=self.chat(session, chat_id), user=self.user(session, user_id), message_id=mid,
                          text=text, at=self.clock.now(),
                          update_id=self._update_key(update_id),
                          reply_to_message_id=reply_to, reply_to_bot=reply_to_bot, photo=ids.file_ref(photo))
            process_message(self.conversation, session, self.ctx(session), msg)
        return self.deliver()

    def share_contact(self, user_id: int, phone: str, *, owner: int | None | str = "self",
                      update_id: int | None = None) -> list[Msg]:
        """The user sends a contact card in their private chat: their own (``owner="self"``, as
        the platform's share-my-number control does) or someone's with ``owner`` id / None."""
        mid = self._next_mid(user_id)
        self.chats.setdefault(user_id, []).append(Msg(user_id, mid, f"[contact {phone}]", False, user_id=user_id))
        with self.db.transaction() as session:
            user = self.user(session, user_id)
            owner_key = user.id if owner == "self" else (ids.account(session, owner) if owner is not None else None)
            contact = SharedContact(phone=phone, user_id=owner_key, name="")
            msg = Inbound(chat=self.chat(session, user_id), user=user, message_id=mid, text="",
                          at=self.clock.now(), update_id=self._update_key(update_id),
                          contact=contact)
            process_message(self.conversation, session, self.ctx(session), msg)
        return self.deliver()

    def press(self, user_id: int, message: Msg, label: str, *, update_id: int | None = None) -> list[Msg]:
        button = message.button(label)
        with self.db.transaction() as session:
            press = Press(callback_id=str(next(self._callback)), chat=self.chat(session, message.chat_id),
                          user=self.user(session, user_id), message_id=message.message_id, data=button.action.pack(),
                          at=self.clock.now(), update_id=self._update_key(update_id),
                          message_photo=ids.file_ref(message.photo))
            reaction = process_press(self.conversation, session, self.ctx(session), press)
        self.last_answer = reaction.answer if reaction else None
        return self.deliver()

    def sweep(self) -> list[Msg]:
        with self.db.transaction() as session:
            run_sweep(self.conversation, session, self.ctx(session))
        return self.deliver()

    def later(self, **kw) -> None:
        self.clock.advance(timedelta(**kw))

    # --- the platform's side ---------------------------------------------------------------
    def deliver(self) -> list[Msg]:
        new: list[Msg] = []
        with self.db.transaction() as session:
            rows = session.exec(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.pending)
                                .order_by(OutboxMessage.id)).all()
            for row in rows:
                buttons = buttons_from_json(row.buttons)
                chat_id = ids.telegram_chat(session, row.chat_id)  # where the platform delivers it
                if row.edit_message_id:
                    # the core names messages by text; this platform, like Telegram, by numbers
                    target = self.find(chat_id, int(row.edit_message_id))
                    assert target is not None and target.from_bot, f"edit of unknown message {row.edit_message_id}"
                    target.text = telegram_html(rich_of(row.text), session)
                    target.buttons, target.edits = buttons, target.edits + 1
                    row.sent_message_id = row.edit_message_id
                    if target not in new:
                        new.append(target)
                else:
                    ask_contact, clear = request_from_json(row.request)
                    reply_to = int(row.reply_to_message_id) if row.reply_to_message_id is not None else None
                    msg = Msg(chat_id, self._next_mid(chat_id), telegram_html(rich_of(row.text), session), True,
                              buttons, reply_to, ids.file_id(row.photo), ask_contact=ask_contact,
                              clear_request=clear)
                    self.chats.setdefault(chat_id, []).append(msg)
                    row.sent_message_id = str(msg.message_id)
                    new.append(msg)
                row.status = OutboxStatus.sent
                row.sent_at = self.clock.now()
                session.add(row)
        return new

    def _update_key(self, update_id: int | None) -> str:
        """As the Telegram adapter records an update: its number, tagged with the platform."""
        return f"telegram:{update_id if update_id is not None else next(self._update)}"

    def find(self, chat_id: int, message_id: int) -> Msg | None:
        for m in self.chats.get(chat_id, []):
            if m.message_id == message_id:
                return m
        return None

    def bot_messages(self, chat_id: int) -> list[Msg]:
        return [m for m in self.chats.get(chat_id, []) if m.from_bot]

    def last(self, chat_id: int) -> Msg:
        msgs = self.bot_messages(chat_id)
        assert msgs, f"the bot said nothing in chat {chat_id}"
        return msgs[-1]
