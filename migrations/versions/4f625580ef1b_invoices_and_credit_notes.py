"""Invoices and credit notes with gap-free numbers per seller and year; paying by invoice

invoice_counters: one row per (series, year), counted up in the transaction of each document.
invoices, invoice_lines: per order one invoice per producer, the platform's delivery and fee
invoices, credit notes referring to them. billing_profiles: who may pay by invoice, and the
organisation a resident buys for (Factur-X). invoice_dues: what an invoice order owes, by when.

Revision ID: 4f625580ef1b
Revises: 75af5f992edf
Create Date: 2026-12-01 21:36:38.779153

"""
import sqlalchemy as sa
from alembic import op

import marketplace.core.types


# revision identifiers, used by Alembic.
revision = '4f625580ef1b'
down_revision = '75af5f992edf'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('invoice_counters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series', sa.String(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.CheckConstraint('last_number >= 0', name=op.f('ck_invoice_counters_last_number_nonnegative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_counters')),
    sa.UniqueConstraint('series', 'year', name=op.f('uq_invoice_counters_series_year'))
    )
    op.create_table('billing_profiles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('may_pay_by_invoice', sa.Boolean(), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=True),
    sa.Column('buyer_reference', sa.String(length=100), nullable=True),
    sa.Column('updated_at', marketplace.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_billing_profiles_updated_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_billing_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_billing_profiles'))
    )
    op.create_table('invoice_dues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('due_at', marketplace.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reminded_at', marketplace.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('paid_at', marketplace.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('paid_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_invoice_dues_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['paid_by_id'], ['users.id'], name=op.f('fk_invoice_dues_paid_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_dues')),
    sa.UniqueConstraint('order_id', name=op.f('uq_invoice_dues_order_id'))
    )
    with op.batch_alter_table('invoice_dues', schema=None) as batch_op:
        batch_op.create_index('ix_invoice_dues_open', ['paid_at', 'due_at'], unique=False)

    op.create_table('invoices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('sale', 'delivery', 'platform_fee', 'credit_note', name='invoice_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('series', sa.String(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=True),
    sa.Column('buyer_user_id', sa.Integer(), nullable=True),
    sa.Column('refers_to_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', marketplace.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('seller_name', sa.String(length=200), nullable=False),
    sa.Column('seller_address', sa.Text(), nullable=False),
    sa.Column('buyer_name', sa.String(length=200), nullable=False),
    sa.Column('buyer_address', sa.Text(), nullable=False),
    sa.Column('buyer_organisation', sa.String(length=200), nullable=True),
    sa.Column('buyer_reference', sa.String(length=100), nullable=True),
    sa.Column('is_small_business', sa.Boolean(), nullable=False),
    sa.Column('total_cents', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.CheckConstraint("(kind = 'credit_note') = (refers_to_id IS NOT NULL)", name=op.f('ck_invoices_credit_refers')),
    sa.CheckConstraint('number >= 1', name=op.f('ck_invoices_number_positive')),
    sa.CheckConstraint('total_cents >= 0', name=op.f('ck_invoices_total_nonnegative')),
    sa.ForeignKeyConstraint(['buyer_user_id'], ['users.id'], name=op.f('fk_invoices_buyer_user_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_invoices_order_id_orders'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['producer_id'], ['producers.id'], name=op.f('fk_invoices_producer_id_producers'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['refers_to_id'], ['invoices.id'], name=op.f('fk_invoices_refers_to_id_invoices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoices')),
    sa.UniqueConstraint('series', 'year', 'number', name=op.f('uq_invoices_series_year_number'))
    )
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoices_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoices_producer_id'), ['producer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoices_refers_to_id'), ['refers_to_id'], unique=False)

    op.create_table('invoice_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('order_line_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price_cents', sa.Integer(), nullable=False),
    sa.Column('vat_rate', sa.Integer(), nullable=False),
    sa.Column('total_cents', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_invoice_lines_quantity_positive')),
    sa.CheckConstraint('total_cents = quantity * unit_price_cents', name=op.f('ck_invoice_lines_total_adds_up')),
    sa.CheckConstraint('unit_price_cents >= 0', name=op.f('ck_invoice_lines_price_nonnegative')),
    sa.CheckConstraint('vat_rate IN (0, 7, 19)', name=op.f('ck_invoice_lines_vat_rate_known')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_invoice_lines_invoice_id_invoices'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_lines.id'], name=op.f('fk_invoice_lines_order_line_id_order_lines'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_lines'))
    )
    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoice_lines_invoice_id'), ['invoice_id'], unique=False)



def downgrade():
    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoice_lines_invoice_id'))

    op.drop_table('invoice_lines')
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoices_refers_to_id'))
        batch_op.drop_index(batch_op.f('ix_invoices_producer_id'))
        batch_op.drop_index(batch_op.f('ix_invoices_order_id'))

    op.drop_table('invoices')
    with op.batch_alter_table('invoice_dues', schema=None) as batch_op:
        batch_op.drop_index('ix_invoice_dues_open')

    op.drop_table('invoice_dues')
    op.drop_table('billing_profiles')
    op.drop_table('invoice_counters')
