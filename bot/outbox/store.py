"""Writing outgoing messages as outbox rows, in the same transaction as the change behind them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import union_all
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from bot.messages import Action, Button, Outgoing
from bot.rich import Rich
from bot.rich.render import ELLIPSIS
from models import INTERACTIVE_KINDS, OutboxMessage, OutboxPriority, OutboxStatus

from bot.infra.masking import clean


def rich_of(stored) -> Rich:
    """A row's ``text`` (the form's JSON) as the form."""
    return Rich.from_json(stored)


def buttons_to_json(rows: list[list[Button]]) -> str:
    if not rows:
        return ""
    return json.dumps(
        [
            [
                {"text": clean(b.text), "url": b.url} if b.url else {"text": clean(b.text), "data": b.action.pack()}
                for b in row
            ]
            for row in rows
        ],
        ensure_ascii=False,
    )


def buttons_from_json(text: str) -> list[list[Button]]:
    if not text:
        return []
    return [
        [
            Button(b["text"], url=b["url"]) if b.get("url") else Button(b["text"], Action.unpack(b["data"]))
            for b in row
        ]
        for row in json.loads(text)
    ]


def priority_of(out: Outgoing) -> int:
    """Interactive: what answers someone who just wrote or tapped (a reply, a login link) and
    every edit — edits of one message must keep their order, and the message an edit changes
    has been sent already (its id is what the edit names), so an edit never overtakes it."""
    if out.priority is not None:
        return out.priority
    if out.kind in INTERACTIVE_KINDS or out.edit_message_id is not None:
        return OutboxPriority.interactive
    return OutboxPriority.bulk


# a login token or an invitation code in a link the bot sent (``/login?token=…``, ``?start=…``)
_SECRET = re.compile(r"([?&](?:token|start)=)[A-Za-z0-9_-]{8,}")
SCRUBBED = "…"


def _scrub(text: str) -> str:
    if "token=" not in text and "start=" not in text:
        return text
    return _SECRET.sub(lambda m: m[1] + SCRUBBED, text)


def scrubbed(text: Rich) -> Rich | None:
    """``text`` without the secrets of its links (addresses and shown text alike), or None when
    it has none. Once a message is sent (or given up), the outbox keeps no working login or
    invitation: a copy of the database, a backup or anyone reading the table could otherwise log
    in as an office admin, or bind."""
    out = text.map_text(_scrub).map_urls(_scrub)
    return out if out != text else None


def request_to_json(ask_contact: str | None, clear: bool) -> str:
    if ask_contact:
        return json.dumps({"contact": ask_contact}, ensure_ascii=False)
    return '{"clear": true}' if clear else ""


def request_from_json(text: str) -> tuple[str | None, bool]:
    """``(ask_contact label, clear)`` of a stored request; nothing for what cannot be read."""
    if not text:
        return None, False
    try:
        data = json.loads(text)
    except ValueError:
        return None, False
    if not isinstance(data, dict):
        return None, False
    label = data.get("contact")
    return (label if isinstance(label, str) and label else None), bool(data.get("clear"))


def _values(out: Outgoing, now: datetime) -> dict:
    return dict(
        created_at=now,
        chat_id=out.chat_id,
        # the last place before the chat: names and texts stored before they were cleaned at the
        # door (or written by a feature that forgot) still lose their invisible characters
        text=out.text.map_text(clean).to_json(),
        buttons=buttons_to_json(out.buttons),
        request=request_to_json(out.ask_contact, out.clear_request),
        reply_to_message_id=out.reply_to_message_id,
        photo=out.photo,
        edit_message_id=out.edit_message_id,
        kind=out.kind,
        priority=priority_of(out),
        member_id=out.member_id,
        ref=out.ref,
        dedupe_key=out.dedupe_key,
        next_attempt_at=out.not_before or now,
    )


def enqueue(session: Session, out: Outgoing, *, now: datetime) -> OutboxMessage | None:
    """Queue one message. With a ``dedupe_key`` already queued it does nothing and returns None,
    so a reminder computed twice (two ticks, a restart) is still sent once."""
    values = _values(out, now)
    if out.dedupe_key is None:
        row = OutboxMessage(**values)
        session.add(row)
        return row
    stmt = (
        _insert(session)(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.id)
    )
    new_id = session.execute(stmt).scalar()
    return session.get(OutboxMessage, new_id) if new_id is not None else None


def enqueue_all(session: Session, outs: Iterable[Outgoing], *, now: datetime) -> list[OutboxMessage]:
    rows = [enqueue(session, out, now=now) for out in outs]
    return [r for r in rows if r is not None]


def _insert(session: Session):
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    return insert


def enqueue_many(session: Session, outs: Iterable[Outgoing], *, now: datetime) -> set[str]:
    """Queue many messages that all have a ``dedupe_key`` in a few statements (a scheduler tick
    can queue thousands at 20:00). Returns the keys queued now; keys already queued are skipped."""
    rows = [_values(out, now) for out in outs]
    if any(r["dedupe_key"] is None for r in rows):
        raise ValueError("enqueue_many needs a dedupe_key on every message")
    queued: set[str] = set()
    for start in range(0, len(rows), 500):
        stmt = (
            _insert(session)(OutboxMessage)
            .values(rows[start : start + 500])
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(OutboxMessage.dedupe_key)
        )
        queued.update(session.execute(stmt).scalars().all())
    return queued


# --- which message carries which buttons -------------------------------------------------------


def _datas(buttons: str) -> set[str]:
    """The callback data of a row's inline buttons (rows of ``{"text", "data"|"url"}``; anything
    else a message may carry, such as a keyboard asking for a contact, has none)."""
    try:
        rows = json.loads(buttons) if buttons else []
    except ValueError:
        return set()
    if not isinstance(rows, list):
        return set()
    return {b["data"] for row in rows if isinstance(row, list)
            for b in row if isinstance(b, dict) and isinstance(b.get("data"), str)}


def _of_message(column, chat_id: int, message_id: str, *where):
    """``column`` of the rows of that message: as sent, and its edits. Two index searches (an OR
    of the two columns would scan the whole chat's rows)."""
    t = OutboxMessage
    return union_all(
        select(column).where(t.chat_id == chat_id, t.sent_message_id == message_id, *where),
        select(column).where(t.chat_id == chat_id, t.edit_message_id == message_id, *where),
    )


def _spaced(text: str) -> str:
    return " ".join(text.split())


def _may_show(stored, shown: str) -> bool:
    """Could a row whose text is ``stored`` be a message showing ``shown``? Compared as visible
    text with spacing normalised; a text cut to the platform's length (ended with 「…」) by its head."""
    plain = _spaced(rich_of(stored).plain)
    if plain == shown:
        return True
    return shown.endswith(ELLIPSIS) and plain.startswith(shown[: -len(ELLIPSIS)].rstrip())


def carried(session: Session, chat_id: int, message_id: str, data: str, *, shown: str | None = None) -> bool:
    """Did the bot's message ``message_id`` in ``chat_id`` carry a button with exactly ``data``,
    as sent or in any edit of it (an edit still on its way counts: the person may see it already)?

    A message the bot has no record of yet may be one whose sending is not recorded yet (the
    sender writes its outcomes a moment after the platform took the message). It is then one of
    the chat's rows in flight with buttons, but which one is not known: so the press passes only
    if *every* row it may be carried the button — a button of message A pressed on message B,
    while B's send is unrecorded, does not pass because A's send is unrecorded too. ``shown`` (the
    pressed message's text, when the platform tells it with the press, as Telegram does) narrows
    the rows it may be to those showing that text; when none shows it, all of them remain (a
    text the platform normalised differently must not make a forged press pass, nor a real one
    fail for that alone)."""
    t = OutboxMessage
    rows = session.execute(_of_message(t.buttons, chat_id, message_id)).scalars().all()
    if rows:
        return any(data in _datas(buttons) for buttons in rows)
    in_flight = session.exec(select(t.buttons, t.text).where(
        t.chat_id == chat_id, t.status == OutboxStatus.pending, t.attempts > 0,
        t.sent_message_id.is_(None), t.edit_message_id.is_(None), t.buttons != "",
    )).all()
    if shown is not None and len(in_flight) > 1:
        showing = [r for r in in_flight if _may_show(r.text, _spaced(shown))]
        in_flight = showing or in_flight
    return bool(in_flight) and all(data in _datas(r.buttons) for r in in_flight)


def refs_of(session: Session, chat_id: int, message_id: str) -> set[str]:
    """What the bot's message ``message_id`` in ``chat_id`` is about (its rows' ``ref``)."""
    t = OutboxMessage
    return set(session.execute(_of_message(t.ref, chat_id, message_id, t.ref.is_not(None))).scalars().all())
