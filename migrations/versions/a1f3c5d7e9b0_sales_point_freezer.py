"""Sales points may have a freezer: frozen goods need one (a chilled shelf keeps them only cold).

Revision ID: a1f3c5d7e9b0
Revises: 8c4d2e6f1a90
Create Date: 2026-12-01 19:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'a1f3c5d7e9b0'
down_revision = '8c4d2e6f1a90'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pickup_places', schema=None) as batch_op:
        batch_op.add_column(sa.Column('has_freezer', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('pickup_places', schema=None) as batch_op:
        batch_op.drop_column('has_freezer')
