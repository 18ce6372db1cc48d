"""Producers apply and are approved or declined; owners invite staff

producers: `postcode`, `organic_control_number`, `owner_id` (the account that applied),
`decided_at`, `decided_by_id`, `decline_reason` (only on a declined application).
staff_invitations: an owner's invitation of a staff member, accepted once before it expires.

Revision ID: c77f2ec5d058
Revises: c7d9e1f3a5b2
Create Date: 2026-12-01 21:45:00
"""
import sqlalchemy as sa
from alembic import op

from marketplace.core.types import UTCDateTime

revision = 'c77f2ec5d058'
down_revision = 'c7d9e1f3a5b2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('producers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('postcode', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('organic_control_number', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decided_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decline_reason', sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_producers_owner_id_users'), 'users', ['owner_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(
            batch_op.f('fk_producers_decided_by_id_users'), 'users', ['decided_by_id'], ['id'],
            ondelete='SET NULL')
        batch_op.create_check_constraint(
            'declined_with_reason',
            'decline_reason IS NULL OR (NOT is_approved AND decided_at IS NOT NULL)')

    op.create_table(
        'staff_invitations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('producer_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('invited_by_id', sa.Integer(), nullable=True),
        sa.Column('new_account', sa.Boolean(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('expires_at', UTCDateTime(), nullable=False),
        sa.Column('accepted_at', UTCDateTime(), nullable=True),
        sa.CheckConstraint('expires_at > created_at', name=op.f('ck_staff_invitations_expires_after_created')),
        sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'],
                                name=op.f('fk_staff_invitations_invited_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['producer_id'], ['producers.id'],
                                name=op.f('fk_staff_invitations_producer_id_producers'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_staff_invitations_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_invitations')),
    )
    with op.batch_alter_table('staff_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_invitations_producer_id'), ['producer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_invitations_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('staff_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_invitations_user_id'))
        batch_op.drop_index(batch_op.f('ix_staff_invitations_producer_id'))
    op.drop_table('staff_invitations')

    with op.batch_alter_table('producers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_producers_declined_with_reason'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_producers_decided_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_producers_owner_id_users'), type_='foreignkey')
        batch_op.drop_column('decline_reason')
        batch_op.drop_column('decided_by_id')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('owner_id')
        batch_op.drop_column('organic_control_number')
        batch_op.drop_column('postcode')
