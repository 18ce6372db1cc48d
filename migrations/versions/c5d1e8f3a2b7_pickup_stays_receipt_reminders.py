"""Pickup stays: when a sales point's staff were reminded to confirm receipt, when the
coordinators were told

pickup_stays.receipt_reminded_at and receipt_escalated_at, written once each by the job
`remind_unconfirmed_receipts` (pickup/receipts.py).

Revision ID: c5d1e8f3a2b7
Revises: a7e3c1d9f4b2
Create Date: 2026-12-02 01:35:00
"""
import sqlalchemy as sa
from alembic import op

from marketplace.core.types import UTCDateTime

revision = 'c5d1e8f3a2b7'
down_revision = 'a7e3c1d9f4b2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pickup_stays') as batch_op:
        batch_op.add_column(sa.Column('receipt_reminded_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('receipt_escalated_at', UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('pickup_stays') as batch_op:
        batch_op.drop_column('receipt_escalated_at')
        batch_op.drop_column('receipt_reminded_at')
