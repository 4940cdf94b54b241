"""neutral identities: chat accounts and chats as (platform, external id) with internal keys

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 21:10:00

Every chat and user id stored so far is Telegram's (a number; a group's is negative, a person's
private chat has the person's id). They become rows of ``chat`` and ``chataccount`` with the id as
text, and every column that held one holds the internal key instead:

- ``member.chat_user_id`` → a ``chataccount`` row with ``member_id`` (and its private chat);
- ``resident.chat_user_id`` → ``resident.account_id``; ``invitation.used_by_chat_user_id`` →
  ``used_by_account_id``; ``bindattempt`` / ``memberevent.chat_user_id`` → ``account_id``;
- ``chat_id`` of chatgroup, outboxmessage, pendingquestion, reporttrace, heldbundle, heldmessage,
  failedupdate and ``source_chat_id`` of issue and wish → the ``chat`` row's key (same names);
  ``user_id`` of pendingquestion, reporttrace and heldbundle → the ``chataccount`` row's key;
- stored file ids (resolution photos, check-in photos, outbox photos) → ``telegram:<file id>``.

Nothing is dropped before its value has been copied. The downgrade maps Telegram's rows back
(accounts and chats of other platforms have no place in the old schema and are left out).
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel
import models.base


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

TELEGRAM = "telegram"

# (table, column) holding a Telegram chat id; (table, column) holding a Telegram user id
CHAT_COLUMNS = [
    ("chatgroup", "chat_id"), ("outboxmessage", "chat_id"), ("pendingquestion", "chat_id"),
    ("reporttrace", "chat_id"), ("heldbundle", "chat_id"), ("heldmessage", "chat_id"),
    ("failedupdate", "chat_id"), ("issue", "source_chat_id"), ("wish", "source_chat_id"),
]
# (table, old column, new column, nullable)
ACCOUNT_COLUMNS = [
    ("resident", "chat_user_id", "account_id", True),
    ("invitation", "used_by_chat_user_id", "used_by_account_id", True),
    ("bindattempt", "chat_user_id", "account_id", False),
    ("memberevent", "chat_user_id", "account_id", True),
    ("pendingquestion", "user_id", "user_id", False),
    ("reporttrace", "user_id", "user_id", False),
    ("heldbundle", "user_id", "user_id", False),
]
PHOTO_COLUMNS = [("issue", "resolution_photo"), ("checkin", "photo"), ("outboxmessage", "photo")]
# indexes on the columns that change, dropped before and made again after
INDEXES = {
    "resident": [("ix_resident_chat_user_id", ["chat_user_id"], True, "ix_resident_account_id", ["account_id"])],
    "bindattempt": [("ix_bindattempt_user_at", ["chat_user_id", "at"], False,
                     "ix_bindattempt_account_at", ["account_id", "at"])],
    "outboxmessage": [
        ("ix_outboxmessage_chat_id", ["chat_id"], False, "ix_outboxmessage_chat_id", ["chat_id"]),
        ("ix_outbox_chat_sent", ["chat_id", "sent_message_id"], False, "ix_outbox_chat_sent", ["chat_id", "sent_message_id"]),
        ("ix_outbox_chat_edit", ["chat_id", "edit_message_id"], False, "ix_outbox_chat_edit", ["chat_id", "edit_message_id"]),
    ],
    "pendingquestion": [("ix_pending_chat_user", ["chat_id", "user_id"], True, "ix_pending_chat_user", ["chat_id", "user_id"])],
    "reporttrace": [("ix_reporttrace_sender", ["community_id", "user_id", "at"], False,
                     "ix_reporttrace_sender", ["community_id", "user_id", "at"])],
    "heldbundle": [("ix_heldbundle_sender", ["community_id", "user_id", "last_at"], False,
                    "ix_heldbundle_sender", ["community_id", "user_id", "last_at"])],
}
NOT_NULL = {("chatgroup", "chat_id"), ("outboxmessage", "chat_id"), ("pendingquestion", "chat_id"),
            ("reporttrace", "chat_id"), ("heldbundle", "chat_id"), ("heldmessage", "chat_id")}


def _create_tables() -> None:
    op.create_table('chat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('platform', 'external_id', name='uq_chat_platform_external')
    )
    op.create_table('chataccount',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('private_chat_id', sa.Integer(), nullable=True),
    sa.Column('display_name', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('bound_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['private_chat_id'], ['chat.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('member_id', 'platform', name='uq_chataccount_member_platform'),
    sa.UniqueConstraint('platform', 'external_id', name='uq_chataccount_platform_external')
    )
    with op.batch_alter_table('chataccount', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chataccount_member_id'), ['member_id'], unique=False)


def _distinct(conn, table: str, column: str) -> set[int]:
    rows = conn.execute(sa.text(f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL"))
    return {int(r[0]) for r in rows}


def _fill_identities(conn) -> None:
    """One ``chat`` row per Telegram chat id anywhere, one ``chataccount`` per user id anywhere
    (with the private chat Telegram gives every person: the same number)."""
    users: set[int] = set()
    for table, column in [("member", "chat_user_id")] + [(t, c) for t, c, _, _ in ACCOUNT_COLUMNS]:
        users |= _distinct(conn, table, column)
    chats: set[int] = set(users)
    for table, column in CHAT_COLUMNS:
        chats |= _distinct(conn, table, column)
    titles = {int(r[0]): r[1] or "" for r in conn.execute(sa.text("SELECT chat_id, title FROM chatgroup"))}
    chat_table = sa.table("chat", sa.column("platform"), sa.column("external_id"), sa.column("kind"),
                          sa.column("title"))
    if chats:
        conn.execute(chat_table.insert(), [
            {"platform": TELEGRAM, "external_id": str(c), "kind": "private" if c > 0 else "group",
             "title": titles.get(c, "")} for c in sorted(chats)])
    chat_key = {int(r[0]): r[1] for r in conn.execute(
        sa.text("SELECT external_id, id FROM chat WHERE platform = :p"), {"p": TELEGRAM})}
    members = {int(r[0]): r[1] for r in conn.execute(
        sa.text("SELECT chat_user_id, id FROM member WHERE chat_user_id IS NOT NULL"))}
    names = {int(r[0]): r[1] or "" for r in conn.execute(
        sa.text("SELECT chat_user_id, display_name FROM resident WHERE chat_user_id IS NOT NULL"))}
    account_table = sa.table("chataccount", sa.column("platform"), sa.column("external_id"),
                             sa.column("member_id"), sa.column("private_chat_id"), sa.column("display_name"))
    if users:
        rows = [{"platform": TELEGRAM, "external_id": str(u), "member_id": members.get(u),
                 "private_chat_id": chat_key[u], "display_name": names.get(u, "")} for u in sorted(users)]
        conn.execute(account_table.insert(), rows)
    # bound since the last bind event of that account (copied as stored: the same column type)
    conn.execute(sa.text(
        "UPDATE chataccount SET bound_at = (SELECT MAX(e.at) FROM memberevent e WHERE e.kind = 'bind' "
        "AND CAST(e.chat_user_id AS VARCHAR(64)) = chataccount.external_id) WHERE member_id IS NOT NULL"))


def _key_of(target: str, table: str, column: str) -> str:
    return (f"(SELECT k.id FROM {target} k WHERE k.platform = '{TELEGRAM}' "
            f"AND k.external_id = CAST({table}.{column} AS VARCHAR(64)))")


def _drop_indexes(table: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for old, _cols, _unique, _new, _new_cols in INDEXES.get(table, []):
            batch_op.drop_index(old)


def _make_indexes(table: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for _old, _cols, unique, new, new_cols in INDEXES.get(table, []):
            batch_op.create_index(new, new_cols, unique=unique)


def _remap(table: str, old: str, new: str, target: str, nullable: bool, *, primary: bool = False) -> None:
    """``table.old`` (a Telegram id) becomes ``table.new``, the key of its ``target`` row."""
    temp = f"{new}_key"
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.add_column(sa.Column(temp, sa.Integer(), nullable=True))
    op.execute(f"UPDATE {table} SET {temp} = {_key_of(target, table, old)} WHERE {old} IS NOT NULL")
    with op.batch_alter_table(table, schema=None) as batch_op:
        if primary and op.get_bind().dialect.name != "sqlite":  # SQLite's batch copy drops it with the column
            batch_op.drop_constraint(f"{table}_pkey", type_="primary")
        batch_op.drop_column(old)
        batch_op.alter_column(temp, new_column_name=new, existing_type=sa.Integer(), nullable=nullable)
    with op.batch_alter_table(table, schema=None) as batch_op:  # on the renamed column: a batch of its own
        if primary:
            batch_op.create_primary_key(f"{table}_pkey", [new])
        batch_op.create_foreign_key(f"fk_{table}_{new}_{target}", target, [new], ["id"])


def upgrade() -> None:
    conn = op.get_bind()
    _create_tables()
    _fill_identities(conn)
    affected = {t for t, _ in CHAT_COLUMNS} | {t for t, *_ in ACCOUNT_COLUMNS} | {"member"}
    for table in sorted(affected):
        _drop_indexes(table)
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index('ix_member_chat_user_id')
        batch_op.drop_column('chat_user_id')
    for table, column in CHAT_COLUMNS:
        _remap(table, column, column, "chat", (table, column) not in NOT_NULL, primary=table == "chatgroup")
    for table, old, new, nullable in ACCOUNT_COLUMNS:
        _remap(table, old, new, "chataccount", nullable)
    for table in sorted(affected):
        _make_indexes(table)
    for table, column in PHOTO_COLUMNS:
        # Telegram's file ids are URL-safe base64: no ':' in them, so a tagged one is never tagged twice
        op.execute(f"UPDATE {table} SET {column} = '{TELEGRAM}:' || {column} "
                   f"WHERE {column} IS NOT NULL AND {column} NOT LIKE '%:%'")


def downgrade() -> None:
    conn = op.get_bind()
    for table, column in PHOTO_COLUMNS:
        op.execute(f"UPDATE {table} SET {column} = SUBSTR({column}, {len(TELEGRAM) + 2}) "
                   f"WHERE {column} LIKE '{TELEGRAM}:%'")
    affected = {t for t, _ in CHAT_COLUMNS} | {t for t, *_ in ACCOUNT_COLUMNS}
    for table in sorted(affected):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for _old, _cols, _unique, new, _new_cols in INDEXES.get(table, []):
                batch_op.drop_index(new)
    back = [(t, c, c, "chat", (t, c) not in NOT_NULL) for t, c in CHAT_COLUMNS]
    back += [(t, new, old, "chataccount", nullable) for t, old, new, nullable in ACCOUNT_COLUMNS]
    for table, col, old, target, nullable in back:
        temp = f"{old}_tg"
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(temp, sa.BigInteger(), nullable=True))
        op.execute(f"UPDATE {table} SET {temp} = (SELECT CAST(k.external_id AS BIGINT) FROM {target} k "
                   f"WHERE k.id = {table}.{col} AND k.platform = '{TELEGRAM}')")
        if not nullable:
            op.execute(f"DELETE FROM {table} WHERE {temp} IS NULL")  # another platform's rows
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_{col}_{target}", type_="foreignkey")
            if table == "chatgroup":
                if conn.dialect.name != "sqlite":
                    batch_op.drop_constraint("chatgroup_pkey", type_="primary")
            batch_op.drop_column(col)
            batch_op.alter_column(temp, new_column_name=old, existing_type=sa.BigInteger(), nullable=nullable)
            if table == "chatgroup":
                batch_op.create_primary_key("chatgroup_pkey", [old])
    for table in sorted(affected):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for old, cols, unique, _new, _new_cols in INDEXES.get(table, []):
                batch_op.create_index(old, cols, unique=unique)
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chat_user_id', sa.BigInteger(), nullable=True))
    op.execute(f"UPDATE member SET chat_user_id = (SELECT CAST(a.external_id AS BIGINT) FROM chataccount a "
               f"WHERE a.member_id = member.id AND a.platform = '{TELEGRAM}')")
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index('ix_member_chat_user_id', ['chat_user_id'], unique=True)
    with op.batch_alter_table('chataccount', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chataccount_member_id'))
    op.drop_table('chataccount')
    op.drop_table('chat')
