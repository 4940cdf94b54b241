"""A question that ends without its answer (it ran out, or a newer question replaced it) leaves
no live buttons behind: the bot has at most one open question per person and chat, in the
database (one ``PendingQuestion`` row) and on screen."""

from __future__ import annotations

import json

from sqlmodel import select

from bot.outbox import buttons_from_json
from bot.outbox.store import rich_of
from models import OutboxMessage, OutboxStatus, PendingQuestion

from .context import Context
from bot.messages import Outgoing


def _asks(row: OutboxMessage, question_id: int) -> bool:
    try:
        rows = buttons_from_json(row.buttons)
    except (ValueError, KeyError, TypeError):
        return False
    return any(b.action is not None and b.action.kind == "ask" and b.action.id == question_id
               for line in rows for b in line)


def close_message(ctx: Context, question: PendingQuestion) -> None:
    """Take the buttons off the message that asked ``question``: edit it if it was sent, send it
    without them if it still waits in the outbox. The message is the bot's reply under the
    resident's message the question is about (question ids may be reused once deleted, the
    message they were asked under is not)."""
    about = json.loads(question.payload or "{}").get("message_id")
    if about is None:  # a question without a message of its own (「不用管」's quiet time)
        return
    rows = ctx.session.exec(
        select(OutboxMessage).where(
            OutboxMessage.chat_id == question.chat_id, OutboxMessage.reply_to_message_id == about,
            OutboxMessage.edit_message_id.is_(None), OutboxMessage.created_at >= question.created_at,
            OutboxMessage.buttons.like('%"ask:%'),
        )
    ).all()
    for row in rows:
        if not _asks(row, question.id):
            continue
        if row.status == OutboxStatus.pending:
            row.buttons = ""
            ctx.session.add(row)
        elif row.sent_message_id is not None and row.status == OutboxStatus.sent:
            ctx.send(Outgoing(chat_id=row.chat_id, text=rich_of(row.text), edit_message_id=row.sent_message_id, kind="card"))
