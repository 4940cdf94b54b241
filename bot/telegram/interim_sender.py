"""TEMPORARY minimal outbox sender, until ``bot.outbox.sender`` (and ``bot.telegram.transport``)
land from the outbox branch; ``bot.runtime`` prefers those when they are there.

Sends due rows in id order, honours ``retry_after`` (capped tries), marks each row sent once."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from sqlmodel import select

from bot.clock import Clock, SystemClock
from bot.db import Database
from models import Member, OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def _markup(raw: str) -> InlineKeyboardMarkup | None:
    if not raw:
        return None
    rows = [[InlineKeyboardButton(text=b["text"], url=b["url"]) if b.get("url")
             else InlineKeyboardButton(text=b["text"], callback_data=b["data"]) for b in row]
            for row in json.loads(raw)]
    return InlineKeyboardMarkup(inline_keyboard=rows)


class InterimSender:
    def __init__(self, db: Database, bot: Bot, *, clock: Clock | None = None, batch: int = 100) -> None:
        self.db = db
        self.bot = bot
        self.clock = clock or SystemClock()
        self.batch = batch
        self._wake = asyncio.Event()
        self._stopping = False
        self.sent = 0
        self.retried = 0

    def notify(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        self._stopping = False
        while not self._stopping:
            self._wake.clear()
            try:
                n = await self.send_due_once()
            except Exception:  # noqa: BLE001
                log.exception("interim sender: a round failed")
                n = 0
            if n:
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), 1.0)
            except asyncio.TimeoutError:
                pass

    async def drain(self, timeout: float | None = None) -> int:
        before = self.sent
        async with asyncio.timeout(timeout):
            while await self.send_due_once():
                pass
        return self.sent - before

    def _due(self) -> list[OutboxMessage]:
        with self.db.session() as session:
            return list(session.exec(
                select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.pending,
                                            OutboxMessage.next_attempt_at <= self.clock.now())
                .order_by(OutboxMessage.id).limit(self.batch)).all())

    def _mark(self, row_id: int, **values) -> None:
        with self.db.transaction() as session:
            row = session.get(OutboxMessage, row_id)
            if row is None or row.status != OutboxStatus.pending:
                return
            for key, value in values.items():
                setattr(row, key, value)
            if values.get("status") == OutboxStatus.failed and row.member_id:
                member = session.get(Member, row.member_id)
                if member is not None:
                    member.unreachable = True
                    session.add(member)
            session.add(row)

    async def send_due_once(self) -> int:
        rows = self._due()
        for row in rows:
            if self._stopping:
                break
            await self._send(row)
        return len(rows)

    async def _send(self, row: OutboxMessage) -> None:
        attempts = row.attempts
        while True:
            attempts += 1
            try:
                message_id = await self._deliver(row)
            except TelegramRetryAfter as err:
                self.retried += 1
                if attempts >= MAX_ATTEMPTS:
                    self._mark(row.id, status=OutboxStatus.dead, attempts=attempts, last_error=str(err)[:500])
                    return
                await asyncio.sleep(err.retry_after)
                continue
            except TelegramForbiddenError as err:
                self._mark(row.id, status=OutboxStatus.failed, attempts=attempts, last_error=str(err)[:500])
                return
            except TelegramBadRequest as err:
                if "not modified" in str(err):
                    self._mark(row.id, status=OutboxStatus.sent, attempts=attempts, sent_at=self.clock.now(),
                               sent_message_id=row.edit_message_id)
                    return
                self._mark(row.id, status=OutboxStatus.dead, attempts=attempts, last_error=str(err)[:500])
                return
            except Exception as err:  # noqa: BLE001 — network: later, capped
                if attempts >= MAX_ATTEMPTS:
                    self._mark(row.id, status=OutboxStatus.dead, attempts=attempts, last_error=str(err)[:500])
                else:
                    self._mark(row.id, attempts=attempts, last_error=str(err)[:500],
                               next_attempt_at=self.clock.now() + timedelta(seconds=2 ** attempts))
                return
            self._mark(row.id, status=OutboxStatus.sent, attempts=attempts, sent_at=self.clock.now(),
                       sent_message_id=message_id)
            self.sent += 1
            return

    async def _deliver(self, row: OutboxMessage) -> int:
        markup = _markup(row.buttons)
        if row.edit_message_id:
            await self.bot.edit_message_text(text=row.text, chat_id=row.chat_id, message_id=row.edit_message_id,
                                             reply_markup=markup)
            return row.edit_message_id
        reply = (ReplyParameters(message_id=row.reply_to_message_id, allow_sending_without_reply=True)
                 if row.reply_to_message_id else None)
        if row.photo:
            sent = await self.bot.send_photo(row.chat_id, row.photo, caption=row.text, reply_markup=markup,
                                             reply_parameters=reply)
        else:
            sent = await self.bot.send_message(row.chat_id, row.text, reply_markup=markup, reply_parameters=reply)
        return sent.message_id
