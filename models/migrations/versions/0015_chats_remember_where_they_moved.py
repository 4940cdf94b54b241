"""chats remember where they moved

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 05:10:00

A group that became a supergroup keeps its old chat row (messages already sent stay recorded
there); ``moved_to_id`` names the chat it became, so an id copied before the upgrade (``hgj
bind-group -12345…``) binds the group as it is now instead of a chat nobody writes in.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('chat', schema=None) as batch_op:
        batch_op.add_column(sa.Column('moved_to_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_chat_moved_to_id_chat', 'chat', ['moved_to_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('chat', schema=None) as batch_op:
        batch_op.drop_constraint('fk_chat_moved_to_id_chat', type_='foreignkey')
        batch_op.drop_column('moved_to_id')
