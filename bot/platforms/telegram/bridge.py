"""From an aiogram update to the conversation and back.

Each message or button press runs ``process_message``/``process_press`` inside one database
transaction (the handler's changes, the processed-update mark and the outbox rows commit
together), on a single worker thread: SQLite takes one writer at a time anyway, and the event
loop stays free for polling, answering buttons and sending. A press is answered right after
its transaction; then the sender is woken.

Nothing crashes the bot: an unexpected exception is logged, the transaction is rolled back and
the raw update is saved as a ``FailedUpdate`` (a dead letter ``hgj replay-failed`` can run
again); in a private chat the person gets a short apology.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot
from aiogram.types import CallbackQuery, Chat as TgChat, Message, Update
from sqlmodel import select

from bot.infra import metrics
from bot.infra.clock import Clock, SystemClock
from bot.infra.config import Settings
from bot.infra.db import Database
from bot.infra.logs import report_number
from bot.places import groups
from bot.outbox import enqueue
from handlers.context import Context
from handlers.conversation import Conversation, process_message, process_press, run_sweep
from handlers.types import Answer, Inbound, Press
from bot.messages import Outgoing
from models import FailedUpdate

from bot.platforms.telegram import convert

log = logging.getLogger(__name__)

APOLOGY = "抱歉，我刚才出了点问题，你的消息已保存，工作人员会尽快处理。"


@dataclass
class BridgeStats:
    messages: int = 0
    presses: int = 0
    repeated: int = 0  # re-delivered updates skipped
    failed: int = 0  # dead letters written
    handle_ms: list[float] = field(default_factory=list)  # time in the transaction, per update (bounded)

    def note(self, ms: float) -> None:
        if len(self.handle_ms) < 100_000:
            self.handle_ms.append(ms)


class UpdateBridge:
    def __init__(
        self,
        db: Database,
        conversation: Conversation,
        settings: Settings,
        *,
        parser: Any = None,
        clock: Clock | None = None,
        notify: Callable[[], None] | None = None,
        bot_username: str = "",
        offload: bool = True,
    ) -> None:
        self.db = db
        self.conversation = conversation
        self.settings = settings
        self.parser = parser
        self.clock = clock or SystemClock()
        self.notify = notify or (lambda: None)
        # polling wakes the sender once per batch of updates (``flush``), not once per update:
        # under a burst the sender then claims many rows at a time
        self.batched = False
        self._dirty = False
        self.bot_username = bot_username
        self.offload = offload
        self.stats = BridgeStats()
        self.keys = convert.KeyCache()  # Telegram ids already mapped: known people and chats cost no SQL
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hgj-db") if offload else None
        self.fail_hook: Callable[[Inbound | Press], None] | None = None  # tests: make a handler fail
        self._probe = WaitingProbe(db) if db.is_sqlite else None

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
        if self._probe is not None:
            self._probe.close()

    async def _db(self, fn, *args):
        if self._executor is None:
            return fn(*args)
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def context(self, session) -> Context:
        return Context(session=session, now=self.clock.now(), settings=self.settings, parser=self.parser,
                       bot_username=self.bot_username, waiting=self._probe)

    # --- the work, on the database thread ----------------------------------------------------

    def _message(self, message: Message, update_id: int | None, bot_id: int):
        started = time.perf_counter()
        with self.db.transaction() as session:
            ids = convert.Ids(session, self.clock.now(), self.keys)
            msg = convert.inbound(ids, message, update_id, bot_id)
            if self.fail_hook is not None:
                self.fail_hook(msg)
            reaction = process_message(self.conversation, session, self.context(session), msg)
        ids.keep()
        self.stats.note((time.perf_counter() - started) * 1000)
        return reaction

    def _press(self, query: CallbackQuery, update_id: int | None):
        started = time.perf_counter()
        with self.db.transaction() as session:
            ids = convert.Ids(session, self.clock.now(), self.keys)
            press = convert.press(ids, query, update_id)
            if self.fail_hook is not None:
                self.fail_hook(press)
            reaction = process_press(self.conversation, session, self.context(session), press)
        ids.keep()
        self.stats.note((time.perf_counter() - started) * 1000)
        return reaction

    def _migrate(self, old_tg_id: int, new_tg_id: int) -> str:
        with self.db.transaction() as session:
            ids = convert.Ids(session, self.clock.now())
            old_chat_id, new_chat_id = ids.chat(old_tg_id, "group"), ids.chat(new_tg_id, "group")
            moved = groups.move_chat(session, old_chat_id, new_chat_id, now=self.clock.now())
            ctx = self.context(session)
            ctx.forget_group(old_chat_id)
            ctx.forget_group(new_chat_id)
            return (f"bound={moved.group is not None} outbox={moved.outbox} edits_dropped={moved.edits_dropped} "
                    f"questions={moved.questions} issues={moved.issues} wishes={moved.wishes}")

    def _dead_letter(self, update: Update, tg_chat: TgChat | None, error: BaseException) -> None:
        raw = update.model_dump_json(exclude_none=True)
        text = "".join(traceback.format_exception(type(error), error, error.__traceback__, limit=-8))
        with self.db.transaction() as session:
            chat_id = private = None
            if tg_chat is not None:
                private = convert.kind_of(tg_chat) == "private"
                chat_id = convert.Ids(session, self.clock.now()).chat(tg_chat.id, convert.kind_of(tg_chat),
                                                                      tg_chat.title or "")
            previous = session.exec(select(FailedUpdate).where(FailedUpdate.update_id == update.update_id)).first()
            if previous is not None:
                previous.attempts += 1
                previous.error = text[-8000:]
                previous.at = self.clock.now()
                session.add(previous)
                return
            session.add(FailedUpdate(update_id=update.update_id, at=self.clock.now(), chat_id=chat_id,
                                     raw=raw, error=text[-8000:]))
            if private and chat_id is not None:
                enqueue(session, Outgoing(chat_id=chat_id, text=APOLOGY, kind="reply",
                                          dedupe_key=f"apology:{update.update_id}"), now=self.clock.now())

    def sweep(self) -> int:
        """Questions that ran out unanswered (see ``Conversation.sweep_expired``)."""
        with self.db.transaction() as session:
            return run_sweep(self.conversation, session, self.context(session))

    # --- aiogram handlers call these ----------------------------------------------------------

    async def on_message(self, message: Message, update: Update, bot: Bot) -> None:
        if message.from_user is None or message.from_user.is_bot:
            return  # channels and other bots
        if not (message.text or message.caption) and not message.photo and not message.location \
                and message.contact is None:
            return  # stickers, joins, …: nothing to understand
        self.stats.messages += 1
        kind = "command" if (message.text or message.caption or "").startswith("/") else "message"
        started = time.perf_counter()
        try:
            reaction = await self._db(self._message, message, update.update_id, bot.id)
        except Exception as err:  # noqa: BLE001 — nothing may crash the bot
            metrics.update(kind, "failed", time.perf_counter() - started)
            await self._failed(update, message.chat, err)
            return
        if reaction is None:
            self.stats.repeated += 1
        _handled(kind, update.update_id, message.chat.id, reaction, time.perf_counter() - started)
        self._committed()

    async def on_migrate(self, message: Message, update: Update) -> None:
        """A group became a supergroup (either service message; both may come, and the sender
        may have moved it already): the binding and what waits to be sent follow the new id."""
        ids = convert.migration(message)
        if ids is None:
            return
        try:
            moved = await self._db(self._migrate, *ids)
        except Exception as err:  # noqa: BLE001
            metrics.update("migration", "failed")
            await self._failed(update, message.chat, err)
            return
        metrics.update("migration", "ok")
        log.info("update %s chat %s became supergroup %s; moved: %s", update.update_id, *ids, moved,
                 extra={"update_id": update.update_id, "chat_id": ids[0], "event": "migration"})
        self._committed()

    async def on_press(self, query: CallbackQuery, update: Update) -> None:
        if query.message is None or query.data is None:
            await _answer(query, Answer())
            return  # an inline-mode message or a game: nothing of ours
        self.stats.presses += 1
        started = time.perf_counter()
        try:
            reaction = await self._db(self._press, query, update.update_id)
        except Exception as err:  # noqa: BLE001
            metrics.update("press", "failed", time.perf_counter() - started)
            await self._failed(update, query.message.chat, err)
            await _answer(query, Answer("出了点问题，已记录，请稍后再试", alert=True))
            return
        _handled("press", update.update_id, query.message.chat.id, reaction, time.perf_counter() - started)
        if reaction is None:  # already handled (a re-delivered press)
            self.stats.repeated += 1
            await _answer(query, Answer())
            return
        await _answer(query, reaction.answer or Answer())
        self._committed()

    def _committed(self) -> None:
        if self.batched:
            self._dirty = True
        else:
            self.notify()

    def flush(self) -> None:
        """The batch in hand is handled: wake the sender if anything was committed."""
        if self._dirty:
            self._dirty = False
            self.notify()

    async def _failed(self, update: Update, tg_chat: TgChat | None, err: BaseException) -> None:
        self.stats.failed += 1
        log.exception("update %s failed; saved as a dead letter", update.update_id, exc_info=err)
        try:
            await self._db(self._dead_letter, update, tg_chat, err)
        except Exception:  # noqa: BLE001 — the database itself is gone: the log is all we have
            log.exception("could not save update %s as a dead letter: %s", update.update_id,
                          update.model_dump_json(exclude_none=True))
        self._committed()


def _handled(kind: str, update_id: int, chat_id: int, reaction, seconds: float) -> None:
    """The one line (and the metrics) of an update handled: which update, which chat, the
    report numbers it concerned (Q12, W5) and how many messages it queued. No text of anyone's:
    the log is not a place for residents' words or phone numbers."""
    result = "repeated" if reaction is None else "ok"
    metrics.update(kind, result, seconds)
    reports = [] if reaction is None else list(dict.fromkeys(
        n for n in (report_number(o.ref) for o in reaction.outgoing) if n))
    queued = 0 if reaction is None else len(reaction.outgoing)
    log.info("update %s chat %s %s %s%s, %d queued, %.0f ms", update_id, chat_id, kind,
             "repeated" if reaction is None else "handled", f" {','.join(reports)}" if reports else "", queued,
             seconds * 1000,
             extra={"update_id": update_id, "chat_id": chat_id, "event": kind, "result": result,
                    "report": ",".join(reports) or None, "queued": queued, "ms": round(seconds * 1000, 1)})


class WaitingProbe:
    """"Is a question waiting for this person in this chat?" on SQLite, outside any transaction:
    a plain read on a connection of its own (per thread), so chatter takes no write lock, no
    BEGIN and no COMMIT. WAL mode lets it read while another connection writes."""

    SQL = "SELECT 1 FROM pendingquestion WHERE chat_id = ? AND user_id = ? LIMIT 1"

    def __init__(self, db: Database) -> None:
        self.db = db
        self._local = threading.local()
        self._all: list = []

    def __call__(self, chat_id: int, user_id: int) -> bool:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self.db.engine.raw_connection()  # autocommit: see bot.db
            self._all.append(conn)
        cursor = conn.cursor()
        try:
            cursor.execute(self.SQL, (chat_id, user_id))
            return cursor.fetchone() is not None
        finally:
            cursor.close()

    def close(self) -> None:
        for conn in self._all:
            try:
                conn.close()
            except Exception:  # noqa: BLE001
                pass
        self._all.clear()


async def _answer(query: CallbackQuery, answer: Answer) -> None:
    try:
        await query.answer(text=answer.text[:200] or None, show_alert=answer.alert)
    except Exception as err:  # noqa: BLE001 — a late or repeated answer is refused; it changes nothing
        log.debug("answerCallbackQuery %s: %s", query.id, err)


def failed_updates(db: Database, *, include_replayed: bool = False) -> list[FailedUpdate]:
    with db.session() as session:
        query = select(FailedUpdate).order_by(FailedUpdate.id)
        if not include_replayed:
            query = query.where(FailedUpdate.replayed_at.is_(None))
        return list(session.exec(query).all())


def raw_update(row: FailedUpdate) -> dict:
    return json.loads(row.raw)
