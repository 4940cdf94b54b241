"""Finding the handler for an update, and running it as one transaction with its outbox rows.

``process_message`` / ``process_press`` are what a platform adapter calls: they skip an update
already handled (same ``update_id``), run the handler, write every outgoing message to the outbox
in the same transaction, and return the reaction (for a press: the answer to show at once).
A refused action (``DomainError``) undoes what the handler did and tells the person why.

A button acts only under the message it belongs to: a press whose data the pressed message never
carried (a forged press, ``q:fixed:12`` under the card of Q13 or under the welcome message) changes
nothing and gets one neutral popup, whatever button feature it names. Handlers then check the
presser's right before they edit anything.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from bot.infra.errors import DomainError
from bot.infra.masking import clean
from bot.outbox import carried, enqueue_all, refs_of
from models import PendingQuestion, ProcessedUpdate

from .context import Context
from .flood import command_limit
from .questions import close_message
from .replies import reply
from .router import CommandSpec, Router
from .types import Answer, Chat, Inbound, Press, Reaction, User

log = logging.getLogger(__name__)

HELP_HINT = "发送 /help 查看我能做什么。"
NOT_HERE = "这个按钮已失效"  # one neutral popup for a button that is unknown or not this message's


class Conversation:
    def __init__(self, routers: Iterable[Router]) -> None:
        self.routers = list(routers)
        self.commands: dict[str, CommandSpec] = {}
        self.buttons: dict[str, Callable] = {}
        self.pendings: dict[str, Callable] = {}
        self.expirers: dict[str, Callable] = {}
        self.texts: list[Callable] = []
        self.silencers: list[Callable] = []
        self.contacts: list[Callable] = []
        for router in self.routers:
            for spec in router.commands:
                for name in spec.names:
                    if name in self.commands:
                        raise ValueError(f"command /{name} registered twice")
                    self.commands[name] = spec
            for kind, fn in router.buttons.items():
                if kind in self.buttons:
                    raise ValueError(f"button kind {kind!r} registered twice")
                self.buttons[kind] = fn
            self.pendings.update(router.pendings)
            self.expirers.update(router.expirers)
            self.texts.extend(router.texts)
            self.silencers.extend(router.silencers)
            self.contacts.extend(router.contacts)

    def help_lines(self, private: bool) -> list[tuple[str, str]]:
        seen, lines = set(), []
        for router in self.routers:
            for spec in router.commands:
                if spec.hidden or not spec.help or id(spec) in seen:
                    continue
                if spec.scope == ("group" if private else "private"):
                    continue
                seen.add(id(spec))
                lines.append((spec.names[0], spec.help))
        return lines

    # --- dispatch ----------------------------------------------------------------------

    def on_message(self, ctx: Context, msg: Inbound) -> Reaction:
        command = msg.command
        if msg.chat.is_private:
            ctx.note_private_contact(msg.user)
        if not msg.chat.is_private and ctx.group(msg.chat) is None:
            # a group nobody bound to a community: silent, except /bind (office admins bind it)
            spec = self.commands.get(command[0]) if command else None
            if spec is None or not spec.unbound:
                return Reaction()
        if msg.contact is not None:  # a shared phone number is about who someone is, never a report
            for handler in self.contacts:
                return handler(ctx, msg) or Reaction()
            return Reaction()
        if command is not None:
            name, _args = command
            spec = self.commands.get(name)
            addressed = not ctx.bot_username or msg.text.split(" ", 1)[0].lower().endswith(
                "@" + ctx.bot_username.lower()
            )
            if not msg.chat.is_private and (spec is not None or addressed):
                limited = command_limit(ctx, msg)  # a group's twenty messages a minute are everyone's
                if limited is not None:
                    return limited
            if spec is None:
                if msg.chat.is_private or addressed:
                    return reply(msg, f"没有 /{name} 这个命令。{HELP_HINT}")
                return Reaction()  # another bot's command in a group
            if spec.scope == "private" and not msg.chat.is_private:
                return reply(msg, f"/{name} 请私聊我使用。")
            if spec.scope == "group" and msg.chat.is_private:
                return reply(msg, f"/{name} 请在居民群里使用。")
            return spec.fn(ctx, msg) or Reaction()
        question = self._pending(ctx, msg)
        if question is not None:
            handler = self.pendings.get(question.kind)
            if handler is not None:
                reaction = handler(ctx, msg, question)
                if reaction is not None:
                    return reaction
        for handler in self.texts:
            reaction = handler(ctx, msg)
            if reaction is not None:
                return reaction
        if msg.chat.is_private:
            return reply(msg, f"我没太明白。{HELP_HINT}")
        return Reaction()

    def is_silent(self, ctx: Context, msg: Inbound) -> bool:
        """A group message with nothing to do: no command, no question waiting for its writer,
        and a router sure it is chatter (or the group is not bound)."""
        if msg.chat.is_private or msg.command is not None:
            return False
        if ctx.group(msg.chat) is None or msg.contact is not None:
            return True
        if not any(fn(ctx, msg) for fn in self.silencers):
            return False
        if ctx.waiting is not None:
            return not ctx.may_be_waiting(msg.chat.id, msg.user.id)
        # Core, prebuilt: this runs for every chatter message
        waiting = ctx.session.connection().execute(_WAITING, {"chat": msg.chat.id, "user": msg.user.id}).first()
        return waiting is None

    def on_press(self, ctx: Context, press: Press) -> Reaction:
        action = press.action
        handler = self.buttons.get(action.kind) if action else None
        if handler is None or not carried(ctx.session, press.chat.id, press.message_id, press.data,
                                          shown=press.message_text):
            return Reaction(answer=Answer(NOT_HERE))
        return handler(ctx, press, action) or Reaction(answer=Answer())

    def _pending(self, ctx: Context, msg: Inbound) -> PendingQuestion | None:
        if not ctx.may_be_waiting(msg.chat.id, msg.user.id):
            return None
        question = ctx.session.exec(
            select(PendingQuestion).where(
                PendingQuestion.chat_id == msg.chat.id, PendingQuestion.user_id == msg.user.id
            )
        ).first()
        if question is None:
            return None
        if question.expires_at is not None and question.expires_at <= ctx.now:
            self.expire(ctx, question)
            return None
        return question

    def expire(self, ctx: Context, question: PendingQuestion) -> None:
        """The question ran out unanswered: its kind's ``expire`` hook runs (it may ``ctx.send``),
        then it is gone."""
        hook = self.expirers.get(question.kind)
        if hook is not None:
            hook(ctx, question)
        close_message(ctx, question)  # its buttons go: one open question per person and chat
        ctx.session.delete(question)
        ctx.session.flush()

    def sweep_expired(self, ctx: Context, limit: int = 200) -> int:
        """Expire every question past its time (a periodic job, so nothing waits for the asker
        to write again). Returns how many; what the hooks sent is in ``ctx.sent``."""
        due = ctx.session.exec(
            select(PendingQuestion)
            .where(PendingQuestion.expires_at.is_not(None), PendingQuestion.expires_at <= ctx.now)
            .order_by(PendingQuestion.id)
            .limit(limit)
        ).all()
        for question in due:
            self.expire(ctx, question)
        return len(due)


# --- running one update as one transaction ------------------------------------------------


_PU = ProcessedUpdate.__table__
_PQ = PendingQuestion.__table__
_WAITING = select(_PQ.c.id).where(_PQ.c.chat_id == bindparam("chat"), _PQ.c.user_id == bindparam("user")).limit(1)
_RECORD = {
    name: dialect.insert(_PU)
    .values(key=bindparam("key"), at=bindparam("at"))
    .on_conflict_do_nothing(index_elements=["key"])
    .returning(_PU.c.key)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


def _first_time(session: Session, update_id: str | None, ctx: Context) -> bool:
    """Record the update; False when it was handled before (a re-delivery)."""
    if update_id is None:
        return True
    connection = session.connection()
    stmt = _RECORD["postgresql" if connection.dialect.name == "postgresql" else "sqlite"]
    return connection.execute(stmt, {"key": str(update_id), "at": ctx.now}).scalar() is not None


def _run(session: Session, ctx: Context, update_id, work: Callable[[], Reaction], on_refused) -> Reaction | None:
    if not _first_time(session, update_id, ctx):
        return None
    try:
        with session.begin_nested():
            reaction = work()
    except DomainError as err:
        ctx.sent.clear()  # what the refused work meant to send goes with it
        reaction = on_refused(err)
    enqueue_all(session, [*reaction.outgoing, *ctx.sent], now=ctx.now)
    return reaction


def run_sweep(conversation: Conversation, session: Session, ctx: Context) -> int:
    """Expire overdue questions in the caller's transaction and queue what that sends."""
    ctx.conversation = ctx.conversation or conversation
    n = conversation.sweep_expired(ctx)
    enqueue_all(session, ctx.sent, now=ctx.now)
    return n


def _clean_user(user: User) -> User:
    name = clean(user.name)
    return user if name == user.name else replace(user, name=name)


def _clean_chat(chat: Chat) -> Chat:
    title = clean(chat.title)
    return chat if title == chat.title else replace(chat, title=title)


def cleaned(msg: Inbound) -> Inbound:
    """The message without invisible or direction characters in its text, its writer's name and
    the chat's title: 2, U+200B, 栋 is 2栋 to the parser, and no name turns a line round."""
    text = clean(msg.text)
    user, chat = _clean_user(msg.user), _clean_chat(msg.chat)
    if text == msg.text and user is msg.user and chat is msg.chat:
        return msg
    return replace(msg, text=text, user=user, chat=chat)


def process_message(conversation: Conversation, session: Session, ctx: Context, msg: Inbound) -> Reaction | None:
    """Handle a message in the caller's transaction; None when it was already handled.
    Chatter (``Conversation.is_silent``) returns an empty reaction and writes nothing."""
    ctx.conversation = ctx.conversation or conversation
    msg = cleaned(msg)
    if conversation.is_silent(ctx, msg):
        return Reaction()
    return _run(
        session, ctx, msg.update_id, lambda: conversation.on_message(ctx, msg),
        lambda err: reply(msg, str(err)),
    )


def process_press(conversation: Conversation, session: Session, ctx: Context, press: Press) -> Reaction | None:
    ctx.conversation = ctx.conversation or conversation
    press = replace(press, user=_clean_user(press.user), chat=_clean_chat(press.chat))
    reaction = _run(
        session, ctx, press.update_id, lambda: conversation.on_press(ctx, press),
        lambda err: Reaction(answer=Answer(str(err), alert=True)),
    )
    if reaction is not None and reaction.answer is not None:
        reaction.answer = Answer(clean(reaction.answer.text), reaction.answer.alert)
    return reaction


def ask(
    ctx: Context, msg: Inbound | Press, kind: str, payload: dict, *, minutes: int | None = None
) -> PendingQuestion:
    """Remember that the bot asked ``msg.user`` something in this chat (replaces an older question).
    It expires after ``minutes`` (default: the ``ask_timeout_minutes`` setting)."""
    if minutes is None:
        minutes = ctx.settings.ask_timeout_minutes
    old = None
    if ctx.may_be_waiting(msg.chat.id, msg.user.id):
        old = ctx.session.exec(
            select(PendingQuestion).where(PendingQuestion.chat_id == msg.chat.id, PendingQuestion.user_id == msg.user.id)
        ).first()
    if old is not None:  # a new question ends the old one as if it ran out (its report is not lost)
        if ctx.conversation is not None:
            ctx.conversation.expire(ctx, old)
        else:
            ctx.session.delete(old)
            ctx.session.flush()
    question = PendingQuestion(
        chat_id=msg.chat.id, user_id=msg.user.id, kind=kind, payload=json.dumps(payload, ensure_ascii=False),
        created_at=ctx.now, expires_at=ctx.now + timedelta(minutes=minutes),
    )
    ctx.session.add(question)
    ctx.session.flush()
    ctx._cache[("asked", msg.chat.id, msg.user.id)] = True
    return question


def payload_of(question: PendingQuestion) -> dict:
    return json.loads(question.payload or "{}")


def question_ref(question: PendingQuestion) -> str:
    """The ``ref`` of the message asking ``question``: which question, and whose (so a press
    under it can be told apart after the question itself is gone)."""
    return f"question:{question.id}:{question.user_id}"


def question_writer(ctx: Context, chat_id: int, message_id: int, question_id: int) -> int | None:
    """Whom the bot asked question ``question_id`` under that message (None: not its message)."""
    for ref in refs_of(ctx.session, chat_id, message_id):
        kind, _, rest = ref.partition(":")
        qid, _, user = rest.partition(":")
        if kind == "question" and qid == str(question_id) and user.lstrip("-").isdigit():
            return int(user)
    return None
