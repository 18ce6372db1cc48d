"""Pickup stays: an order's goods at its pickup place (arrival, receipt, collect-by, reminder,
handover log, payment at pickup, not collected, what was done with them); pickup codes keep
their digits Fernet-encrypted for the resident; regions may set their own hold times.

Revision ID: f42242065a29
Revises: 8b2f4d6a1c37
Create Date: 2026-12-01 21:31:28.840207

"""
import sqlalchemy as sa
from alembic import op

import marketplace.core.types


# revision identifiers, used by Alembic.
revision = 'f42242065a29'
down_revision = '8b2f4d6a1c37'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pickup_stays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('pickup_place_id', sa.Integer(), nullable=False),
    sa.Column('arrived_at', marketplace.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_at', marketplace.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('received_by_id', sa.Integer(), nullable=True),
    sa.Column('collect_by', marketplace.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', marketplace.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handed_over_at', marketplace.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handed_over_by_id', sa.Integer(), nullable=True),
    sa.Column('identified_by', sa.Enum('locker_code', 'code', 'id_card', name='how_identified', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('paid_at', marketplace.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('paid_cents', sa.Integer(), nullable=True),
    sa.Column('paid_recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('not_collected_at', marketplace.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.Enum('returned_to_producer', 'moved_to_fridge', 'donated', 'discarded', name='empty_outcome', native_enum=False, create_constraint=True, length=30), nullable=True),
    sa.Column('outcome_at', marketplace.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('paid_cents IS NULL OR paid_cents >= 0', name=op.f('ck_pickup_stays_paid_not_negative')),
    sa.ForeignKeyConstraint(['handed_over_by_id'], ['users.id'], name=op.f('fk_pickup_stays_handed_over_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_pickup_stays_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outcome_by_id'], ['users.id'], name=op.f('fk_pickup_stays_outcome_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['paid_recorded_by_id'], ['users.id'], name=op.f('fk_pickup_stays_paid_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pickup_place_id'], ['pickup_places.id'], name=op.f('fk_pickup_stays_pickup_place_id_pickup_places'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['received_by_id'], ['users.id'], name=op.f('fk_pickup_stays_received_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pickup_stays')),
    sa.UniqueConstraint('order_id', name=op.f('uq_pickup_stays_order_id'))
    )
    with op.batch_alter_table('pickup_stays', schema=None) as batch_op:
        batch_op.create_index('ix_pickup_stays_collect_by', ['collect_by'], unique=False)
        batch_op.create_index('ix_pickup_stays_place_arrived', ['pickup_place_id', 'arrived_at'], unique=False)

    with op.batch_alter_table('pickup_codes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code_ciphertext', sa.Text(), nullable=True))

    with op.batch_alter_table('regions', schema=None) as batch_op:
        for name in ('pickup_hold_ambient_h', 'pickup_hold_chilled_h', 'pickup_hold_frozen_h'):
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))



def downgrade():
    with op.batch_alter_table('regions', schema=None) as batch_op:
        for name in ('pickup_hold_frozen_h', 'pickup_hold_chilled_h', 'pickup_hold_ambient_h'):
            batch_op.drop_column(name)

    with op.batch_alter_table('pickup_codes', schema=None) as batch_op:
        batch_op.drop_column('code_ciphertext')

    with op.batch_alter_table('pickup_stays', schema=None) as batch_op:
        batch_op.drop_index('ix_pickup_stays_place_arrived')
        batch_op.drop_index('ix_pickup_stays_collect_by')

    op.drop_table('pickup_stays')
