"""Refunds: owed until the gateway has made them

refunds.status ('owed' → 'made') and refunds.last_error: a refund is written with its cause and
made at once when the gateway answers, else by the job `make_owed_refunds`
(payments/refunds.py). Existing refunds were made at the gateway (one without a Stripe id, which
the old code never committed, would be owed).

Revision ID: e8b2f4a6c1d3
Revises: c5d1e8f3a2b7
Create Date: 2026-12-02 02:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'e8b2f4a6c1d3'
down_revision = 'c5d1e8f3a2b7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'status', sa.Enum('owed', 'made', name='refund_status', native_enum=False, length=10,
                              create_constraint=True),
            nullable=False, server_default='made',
        ))
        batch_op.add_column(sa.Column('last_error', sa.String(length=200), nullable=True))
    op.execute("UPDATE refunds SET status = 'owed' WHERE stripe_refund_id IS NULL")
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.alter_column('status', server_default=None)
        batch_op.create_check_constraint('made_at_the_gateway', "status = 'owed' OR stripe_refund_id IS NOT NULL")
        batch_op.create_index('ix_refunds_status', ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_index('ix_refunds_status')
        batch_op.drop_constraint(op.f('ck_refunds_made_at_the_gateway'), type_='check')
        batch_op.drop_constraint(op.f('ck_refunds_refund_status'), type_='check')
        batch_op.drop_column('last_error')
        batch_op.drop_column('status')
