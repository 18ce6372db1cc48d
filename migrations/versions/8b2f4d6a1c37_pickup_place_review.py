"""Pickup places: the coordinator's review (when, and the reason of a decline)

Revision ID: 8b2f4d6a1c37
Revises: 5e8a1c3d7b90
Create Date: 2026-12-01 22:30:00
"""
import sqlalchemy as sa
from alembic import op

from marketplace.core.types import UTCDateTime

revision = '8b2f4d6a1c37'
down_revision = '5e8a1c3d7b90'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pickup_places', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reviewed_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('review_note', sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table('pickup_places', schema=None) as batch_op:
        batch_op.drop_column('review_note')
        batch_op.drop_column('reviewed_at')
