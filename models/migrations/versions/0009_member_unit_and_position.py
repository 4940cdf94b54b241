"""member unit and position as the roster writes them

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-04 17:27:59.348925
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel
import models.base


revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # members already in the database get '' (the server default), then role 2 its unit's name
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('work_unit_name', sqlmodel.sql.sqltypes.AutoString(length=64),
                                      nullable=False, server_default=''))
        batch_op.add_column(sa.Column('position', sqlmodel.sql.sqltypes.AutoString(length=64),
                                      nullable=False, server_default=''))
    op.execute(
        "UPDATE member SET work_unit_name = "
        "(SELECT workunit.name FROM workunit WHERE workunit.id = member.work_unit_id) "
        "WHERE work_unit_id IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('position')
        batch_op.drop_column('work_unit_name')
