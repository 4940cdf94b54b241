"""outbox text in the neutral rich-text form

The outbox kept each message as Telegram HTML; it now keeps the neutral form (``bot.rich``) as
JSON in the same column, rendered per platform when sent. Every row's HTML is read into the form
(bold, links, ``tg://user`` mentions as mentions of that account) — pending rows are sent as
before, sent rows read as they were. Downgrade writes the form back as Telegram HTML.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 21:20:00
"""
from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from bot.rich import Rich
# the rows were Telegram HTML: read and written back by the Telegram adapter's own rules
from bot.platforms.telegram.render import from_html, html

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

_BATCH = 1000
_rows = sa.table("outboxmessage", sa.column("id", sa.Integer), sa.column("text", sa.Text))


def _rewrite(convert) -> None:
    """Every row's text through ``convert``, in batches (an outbox may hold a great many rows)."""
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.select(_rows.c.id, _rows.c.text).where(_rows.c.id > last).order_by(_rows.c.id).limit(_BATCH)
        ).all()
        if not rows:
            return
        bind.execute(
            _rows.update().where(_rows.c.id == sa.bindparam("b_id")).values(text=sa.bindparam("b_text")),
            [{"b_id": r.id, "b_text": convert(r.text or "")} for r in rows],
        )
        last = rows[-1].id


# A mention in the form this revision writes names a Telegram user id (``"account"``); migration
# 0014 turns it into a chat account's key (``"account_id"``, what ``Rich`` reads and writes today).
# Both directions here keep this revision's own format, whatever the form's code says now.
def _renamed(data, old: str, new: str):
    if not isinstance(data, list):
        return data
    return [{(new if k == old else k): v for k, v in item.items()} if isinstance(item, dict) and "mention" in item
            else item for item in data]


def _to_form(html: str) -> str:
    form = from_html(html, account_of=lambda user_id: user_id).to_json()
    return json.dumps(_renamed(form, "account_id", "account"), ensure_ascii=False, separators=(",", ":"))


def _to_html(stored: str) -> str:
    try:
        data = json.loads(stored)
    except ValueError:
        return stored
    return html(Rich.from_json(_renamed(data, "account", "account_id")), lambda m: str(m.account) if m.account else None)


def upgrade() -> None:
    _rewrite(_to_form)


def downgrade() -> None:
    _rewrite(_to_html)
