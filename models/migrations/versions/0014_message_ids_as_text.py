"""the last platform assumptions: message ids as text, updates tagged with their platform, mentions
by account key, unreachable per account

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 23:50:00

- Every platform message id (the outbox's reply / edit / sent ids, a question's message, the flood
  rule's traces and held messages, the source message of issues and wishes) was an integer
  (Telegram's); it becomes text (up to 64 characters), the number written as its digits. The
  questions' payloads that name a message (``message_id``, ``message``) get the same text.
- ``processedupdate`` was keyed by Telegram's ``update_id``; it is keyed by ``telegram:<id>``.
- A mention in an outbox row named a Telegram user id (``{"mention": …, "account": 7100002}``); it
  names the chat account's key (``"account_id"``), which the sender resolves per platform. An id
  without an account row gets one (nothing is lost).
- ``member.unreachable`` moves to the member's chat accounts (``chataccount.unreachable``): before
  this revision only Telegram accounts existed, each member with at most one.

The downgrade gives the numbers back (rows of another platform than Telegram have no place in the
old schema: their message ids are dropped, their updates forgotten).
"""
from __future__ import annotations

import json

from alembic import op
import sqlalchemy as sa

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

TELEGRAM = "telegram"
LENGTH = 64
_BATCH = 1000

# (table, column, nullable)
MESSAGE_COLUMNS = [
    ("outboxmessage", "reply_to_message_id", True),
    ("outboxmessage", "edit_message_id", True),
    ("outboxmessage", "sent_message_id", True),
    ("pendingquestion", "question_message_id", True),
    ("reporttrace", "message_id", False),
    ("heldmessage", "message_id", True),
    ("issue", "source_message_id", True),
    ("wish", "source_message_id", True),
]
PAYLOAD_KEYS = ("message_id", "message")  # what a question's payload calls the message it is about


def _retype(to_text: bool) -> None:
    for table, column, nullable in MESSAGE_COLUMNS:
        old, new = (sa.Integer(), sa.String(LENGTH)) if to_text else (sa.String(LENGTH), sa.Integer())
        if not to_text:
            # numbers only: another platform's ids (none before this revision) cannot go back
            if op.get_bind().dialect.name == "postgresql":
                other = f"{column} !~ '^-?[0-9]+$'"
            else:
                other = f"({column} = '' OR {column} GLOB '*[^0-9-]*')"
            op.execute(f"UPDATE {table} SET {column} = {'NULL' if nullable else repr('0')} "
                       f"WHERE {column} IS NOT NULL AND {other}")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=old, type_=new, existing_nullable=nullable,
                                  postgresql_using=f"{column}::{'varchar(64)' if to_text else 'integer'}")


def _rows(table: str, column: str, where: str):
    """(id, value) of every row matching ``where``, in batches (an outbox may be large)."""
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(sa.text(f"SELECT id, {column} FROM {table} WHERE id > :last AND ({where}) "
                                    f"ORDER BY id LIMIT {_BATCH}"), {"last": last}).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _rewrite_json(table: str, column: str, where: str, convert) -> None:
    """``column`` of every matching row through ``convert`` (parsed JSON in, JSON or None out:
    None leaves the row as it is). Text that is not JSON is left alone."""
    bind = op.get_bind()
    for rows in _rows(table, column, where):
        changed = []
        for row_id, stored in rows:
            try:
                data = json.loads(stored) if stored else None
            except ValueError:
                continue
            out = convert(data)
            if out is not None:
                changed.append({"b_id": row_id, "b_v": json.dumps(out, ensure_ascii=False, separators=(",", ":"))})
        if changed:
            bind.execute(sa.text(f"UPDATE {table} SET {column} = :b_v WHERE id = :b_id"), changed)


def _payloads(to_text: bool) -> None:
    def convert(data):
        if not isinstance(data, dict):
            return None
        out = dict(data)
        for key in PAYLOAD_KEYS:
            value = out.get(key)
            if to_text and isinstance(value, int) and not isinstance(value, bool):
                out[key] = str(value)
            elif not to_text and isinstance(value, str):
                out[key] = int(value) if value.lstrip("-").isdigit() else None
        return out if out != data else None

    _rewrite_json("pendingquestion", "payload", "payload LIKE '%message%'", convert)


def _account_key(external_id: str, name: str) -> int:
    """The key of Telegram's account ``external_id``, added if it has no row (a mention of someone
    who never wrote in a bound group: their link still works)."""
    bind = op.get_bind()
    query = sa.text("SELECT id FROM chataccount WHERE platform = :p AND external_id = :e")
    found = bind.execute(query, {"p": TELEGRAM, "e": external_id}).scalar()
    if found is None:
        bind.execute(sa.text("INSERT INTO chataccount (platform, external_id, display_name, unreachable) "
                             "VALUES (:p, :e, :n, :u)"), {"p": TELEGRAM, "e": external_id, "n": name[:128], "u": False})
        found = bind.execute(query, {"p": TELEGRAM, "e": external_id}).scalar()
    return found


def _mentions(to_keys: bool) -> None:
    bind = op.get_bind()
    telegram_ids: dict[int, str] = {}

    def external(key: int) -> str | None:
        if key not in telegram_ids:
            telegram_ids[key] = bind.execute(
                sa.text("SELECT external_id FROM chataccount WHERE id = :k AND platform = :p"),
                {"k": key, "p": TELEGRAM}).scalar()
        return telegram_ids[key]

    def convert(data):
        if not isinstance(data, list):
            return None
        out, changed = [], False
        for item in data:
            if isinstance(item, dict) and isinstance(item.get("mention"), str):
                item = dict(item)
                if to_keys and isinstance(item.get("account"), int):
                    item["account_id"] = _account_key(str(item.pop("account")), item["mention"])
                    changed = True
                elif not to_keys and "account_id" in item:
                    key = item.pop("account_id")
                    number = external(key) if isinstance(key, int) else None
                    if number is not None and number.lstrip("-").isdigit():
                        item["account"] = int(number)
                    changed = True
            out.append(item)
        return out if changed else None

    _rewrite_json("outboxmessage", "text", "text LIKE '%\"mention\"%'", convert)


def _processed(to_tagged: bool) -> None:
    """The table made again with its new key (a primary key's column changes: copy, swap)."""
    if to_tagged:
        op.create_table('processedupdate_0014',
                        sa.Column('key', sa.String(96), nullable=False),
                        sa.Column('at', sa.DateTime(), nullable=True),
                        sa.PrimaryKeyConstraint('key', name='pk_processedupdate_key'))
        op.execute(f"INSERT INTO processedupdate_0014 (key, at) "
                   f"SELECT '{TELEGRAM}:' || CAST(update_id AS VARCHAR(40)), at FROM processedupdate")
    else:
        op.create_table('processedupdate_0014',
                        sa.Column('update_id', sa.BigInteger(), nullable=False),
                        sa.Column('at', sa.DateTime(), nullable=True),
                        sa.PrimaryKeyConstraint('update_id', name='pk_processedupdate_update_id'))
        op.execute(f"INSERT INTO processedupdate_0014 (update_id, at) "
                   f"SELECT CAST(SUBSTR(key, {len(TELEGRAM) + 2}) AS BIGINT), at FROM processedupdate "
                   f"WHERE key LIKE '{TELEGRAM}:%'")
    op.drop_table('processedupdate')
    op.rename_table('processedupdate_0014', 'processedupdate')


def upgrade() -> None:
    _retype(to_text=True)
    _payloads(to_text=True)
    _processed(to_tagged=True)
    with op.batch_alter_table('chataccount', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unreachable', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE chataccount SET unreachable = "
               "(SELECT m.unreachable FROM member m WHERE m.id = chataccount.member_id) "
               "WHERE member_id IS NOT NULL")
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('unreachable')
    _mentions(to_keys=True)


def downgrade() -> None:
    _mentions(to_keys=False)
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unreachable', sa.Boolean(), nullable=False, server_default=sa.false()))
    # a member was unreachable when the account the bot reached them by was: the one bound last
    op.execute("UPDATE member SET unreachable = COALESCE((SELECT a.unreachable FROM chataccount a "
               "WHERE a.member_id = member.id AND a.private_chat_id IS NOT NULL "
               "ORDER BY a.bound_at IS NULL, a.bound_at DESC, a.id DESC LIMIT 1), false)")
    with op.batch_alter_table('chataccount', schema=None) as batch_op:
        batch_op.drop_column('unreachable')
    _processed(to_tagged=False)
    _payloads(to_text=False)
    _retype(to_text=False)
