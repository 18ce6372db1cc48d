"""Online payment: payments (one PaymentIntent per order), Stripe's webhook events, refunds,
producers' Connect accounts and transfers, payment methods switched per sub-region

New tables only; nothing existing changes.

Revision ID: d4bf8f04a04d
Revises: 4f625580ef1b
Create Date: 2026-12-01 21:37:20
"""
import sqlalchemy as sa
from alembic import op

import marketplace.core.types

# revision identifiers, used by Alembic.
revision = 'd4bf8f04a04d'
down_revision = '4f625580ef1b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stripe_events',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('type', sa.String(length=100), nullable=False),
    sa.Column('object_id', sa.String(length=100), nullable=True),
    sa.Column('outcome', sa.String(length=200), nullable=False),
    sa.Column('received_at', marketplace.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stripe_events'))
    )
    op.create_table('sub_region_payment_methods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sub_region_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.Enum('pay_on_pickup', 'stripe', 'invoice', name='payment_method', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['sub_region_id'], ['sub_regions.id'], name=op.f('fk_sub_region_payment_methods_sub_region_id_sub_regions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sub_region_payment_methods')),
    sa.UniqueConstraint('sub_region_id', 'method', name=op.f('uq_sub_region_payment_methods_sub_region_id_method'))
    )
    op.create_table('producer_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('stripe_account_id', sa.String(length=100), nullable=False),
    sa.Column('details_submitted', sa.Boolean(), nullable=False),
    sa.Column('payouts_enabled', sa.Boolean(), nullable=False),
    sa.Column('updated_at', marketplace.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['producer_id'], ['producers.id'], name=op.f('fk_producer_accounts_producer_id_producers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_producer_accounts')),
    sa.UniqueConstraint('producer_id', name=op.f('uq_producer_accounts_producer_id')),
    sa.UniqueConstraint('stripe_account_id', name=op.f('uq_producer_accounts_stripe_account_id'))
    )
    op.create_table('payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('intent_id', sa.String(length=100), nullable=True),
    sa.Column('client_secret', sa.String(length=200), nullable=True),
    sa.Column('status', sa.Enum('pending', 'failed', 'succeeded', 'canceled', name='payment_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('charge_id', sa.String(length=100), nullable=True),
    sa.Column('captured_cents', sa.Integer(), nullable=False),
    sa.Column('refunded_cents', sa.Integer(), nullable=False),
    sa.Column('expires_at', marketplace.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('flag', sa.String(length=200), nullable=True),
    sa.Column('created_at', marketplace.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', marketplace.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_payments_amount_positive')),
    sa.CheckConstraint('refunded_cents >= 0 AND refunded_cents <= captured_cents', name=op.f('ck_payments_refund_within_capture')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_payments_order_id_orders'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
    sa.UniqueConstraint('intent_id', name=op.f('uq_payments_intent_id')),
    sa.UniqueConstraint('order_id', name=op.f('uq_payments_order_id'))
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index('ix_payments_status_expires', ['status', 'expires_at'], unique=False)

    op.create_table('refunds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=True),
    sa.Column('stripe_refund_id', sa.String(length=100), nullable=True),
    sa.Column('reversed_cents', sa.Integer(), nullable=False),
    sa.Column('created_at', marketplace.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_refunds_amount_positive')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_refunds_payment_id_payments'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['producer_id'], ['producers.id'], name=op.f('fk_refunds_producer_id_producers'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refunds')),
    sa.UniqueConstraint('payment_id', 'key', name=op.f('uq_refunds_payment_id_key')),
    sa.UniqueConstraint('stripe_refund_id', name=op.f('uq_refunds_stripe_refund_id'))
    )
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refunds_payment_id'), ['payment_id'], unique=False)

    op.create_table('transfers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('goods_cents', sa.Integer(), nullable=False),
    sa.Column('fee_cents', sa.Integer(), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('reversed_cents', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('waiting', 'sent', name='transfer_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('stripe_transfer_id', sa.String(length=100), nullable=True),
    sa.Column('created_at', marketplace.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', marketplace.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('amount_cents = goods_cents - fee_cents', name=op.f('ck_transfers_amount_adds_up')),
    sa.CheckConstraint('amount_cents >= 0', name=op.f('ck_transfers_amount_nonnegative')),
    sa.CheckConstraint('reversed_cents >= 0 AND reversed_cents <= amount_cents', name=op.f('ck_transfers_reversal_within')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_transfers_order_id_orders'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_transfers_payment_id_payments'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['producer_id'], ['producers.id'], name=op.f('fk_transfers_producer_id_producers'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfers')),
    sa.UniqueConstraint('order_id', 'producer_id', name=op.f('uq_transfers_order_id_producer_id')),
    sa.UniqueConstraint('stripe_transfer_id', name=op.f('uq_transfers_stripe_transfer_id'))
    )
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfers_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfers_producer_id'), ['producer_id'], unique=False)



def downgrade():
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transfers_producer_id'))
        batch_op.drop_index(batch_op.f('ix_transfers_order_id'))

    op.drop_table('transfers')
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refunds_payment_id'))

    op.drop_table('refunds')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index('ix_payments_status_expires')

    op.drop_table('payments')
    op.drop_table('producer_accounts')
    op.drop_table('sub_region_payment_methods')
    op.drop_table('stripe_events')
