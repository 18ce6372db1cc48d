"""Assisted ordering: residents without an e-mail address, their recorded consent, staff actions

users.email becomes nullable (a resident served by a Regio-Hub may have none; still unique when
set). resident_consents: who gave consent, when, how (phone, in person), which text version, and
who recorded it. assisted_actions: every action staff took for a resident.

Revision ID: 5e8a1c3d7b90
Revises: c77f2ec5d058
Create Date: 2026-12-01 22:10:00
"""
import sqlalchemy as sa
from alembic import op

from marketplace.core.types import UTCDateTime

revision = '5e8a1c3d7b90'
down_revision = 'c77f2ec5d058'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('email', existing_type=sa.String(length=254), nullable=True)

    op.create_table(
        'resident_consents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('resident_id', sa.Integer(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('given_by', sa.Enum('phone', 'in_person', name='consent_given_by', native_enum=False,
                                      length=20, create_constraint=True), nullable=False),
        sa.Column('text_version', sa.String(length=40), nullable=False),
        sa.Column('given_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_resident_consents_recorded_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['resident_id'], ['users.id'], name=op.f('fk_resident_consents_resident_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_consents')),
    )
    with op.batch_alter_table('resident_consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_consents_resident_id'), ['resident_id'], unique=False)

    op.create_table(
        'assisted_actions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=True),
        sa.Column('resident_id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('detail', sa.JSON(), nullable=False),
        sa.Column('at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_assisted_actions_order_id_orders'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['resident_id'], ['users.id'], name=op.f('fk_assisted_actions_resident_id_users'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['staff_id'], ['users.id'], name=op.f('fk_assisted_actions_staff_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assisted_actions')),
    )
    with op.batch_alter_table('assisted_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assisted_actions_resident_id'), ['resident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assisted_actions_staff_id'), ['staff_id'], unique=False)


def downgrade():
    with op.batch_alter_table('assisted_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assisted_actions_staff_id'))
        batch_op.drop_index(batch_op.f('ix_assisted_actions_resident_id'))
    op.drop_table('assisted_actions')
    with op.batch_alter_table('resident_consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resident_consents_resident_id'))
    op.drop_table('resident_consents')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('email', existing_type=sa.String(length=254), nullable=False)
