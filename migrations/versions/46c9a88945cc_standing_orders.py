"""standing orders: a basket ordered every week on one weekday, its skipped days and its runs

`standing_orders` (weekday, fulfilment, payment method, state, who set it up), its
`standing_order_items` and `standing_order_skips`, and `standing_order_runs`: one row per
standing order and delivery day (unique), written with the order the job placed for that day.

Revision ID: 46c9a88945cc
Revises: 5eb9d484c6fb
Create Date: 2026-12-01 19:59:51.167266

"""
from alembic import op
import sqlalchemy as sa

import marketplace.core.types


# revision identifiers, used by Alembic.
revision = '46c9a88945cc'
down_revision = '5eb9d484c6fb'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('standing_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('active', 'paused', 'ended', name='standing_state', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('fulfilment', sa.Enum('station', 'sales_point', 'door', name='fulfilment', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('pickup_place_id', sa.Integer(), nullable=True),
    sa.Column('door_street', sa.String(length=200), nullable=True),
    sa.Column('door_postcode', sa.String(length=10), nullable=True),
    sa.Column('door_town', sa.String(length=200), nullable=True),
    sa.Column('door_window', sa.String(length=20), nullable=True),
    sa.Column('payment_method', sa.Enum('pay_on_pickup', 'stripe', 'invoice', name='payment_method', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('active_since', marketplace.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_run_date', sa.Date(), nullable=True),
    sa.Column('created_at', marketplace.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', marketplace.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(fulfilment = 'door') = (pickup_place_id IS NULL)", name=op.f('ck_standing_orders_place_matches_fulfilment')),
    sa.CheckConstraint('weekday BETWEEN 1 AND 7', name=op.f('ck_standing_orders_weekday_iso')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_standing_orders_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pickup_place_id'], ['pickup_places.id'], name=op.f('fk_standing_orders_pickup_place_id_pickup_places'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['resident_id'], ['users.id'], name=op.f('fk_standing_orders_resident_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standing_orders'))
    )
    with op.batch_alter_table('standing_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_standing_orders_resident_id'), ['resident_id'], unique=False)

    op.create_table('standing_order_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('standing_order_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity BETWEEN 1 AND 999', name=op.f('ck_standing_order_items_quantity_range')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_standing_order_items_product_id_products'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['standing_order_id'], ['standing_orders.id'], name=op.f('fk_standing_order_items_standing_order_id_standing_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standing_order_items')),
    sa.UniqueConstraint('standing_order_id', 'product_id', name=op.f('uq_standing_order_items_standing_order_id_product_id'))
    )
    op.create_table('standing_order_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('standing_order_id', sa.Integer(), nullable=False),
    sa.Column('delivery_date', sa.Date(), nullable=False),
    sa.Column('outcome', sa.Enum('placed', 'partial', 'failed', name='run_outcome', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('not_ordered', sa.JSON(), nullable=False),
    sa.Column('error_code', sa.String(length=40), nullable=True),
    sa.Column('ran_at', marketplace.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_standing_order_runs_order_id_orders'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['standing_order_id'], ['standing_orders.id'], name=op.f('fk_standing_order_runs_standing_order_id_standing_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standing_order_runs')),
    sa.UniqueConstraint('standing_order_id', 'delivery_date', name=op.f('uq_standing_order_runs_standing_order_id_delivery_date'))
    )
    op.create_table('standing_order_skips',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('standing_order_id', sa.Integer(), nullable=False),
    sa.Column('skipped_date', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['standing_order_id'], ['standing_orders.id'], name=op.f('fk_standing_order_skips_standing_order_id_standing_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standing_order_skips')),
    sa.UniqueConstraint('standing_order_id', 'skipped_date', name=op.f('uq_standing_order_skips_standing_order_id_skipped_date'))
    )


def downgrade():
    op.drop_table('standing_order_skips')
    op.drop_table('standing_order_runs')
    op.drop_table('standing_order_items')
    with op.batch_alter_table('standing_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_standing_orders_resident_id'))

    op.drop_table('standing_orders')
