"""driver app: stop events kept once per client_event_id, arrivals, stop outcomes, what came back

Revision ID: 06ccc3252b0f
Revises: f42242065a29
Create Date: 2026-12-01 21:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

from marketplace.core.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = '06ccc3252b0f'
down_revision = 'f42242065a29'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'driver_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('driver_id', sa.Integer(), nullable=False),
        sa.Column('client_event_id', sa.String(length=36), nullable=False),
        sa.Column('kind', sa.Enum('tour_started', 'tour_ended', 'arrived', 'delivered', 'partly_delivered',
                                  'failed', name='driver_event_kind', native_enum=False, create_constraint=True,
                                  length=20), nullable=False),
        sa.Column('tour_id', sa.Integer(), nullable=True),
        sa.Column('stop_id', sa.Integer(), nullable=True),
        sa.Column('at', UTCDateTime(), nullable=False),
        sa.Column('received_at', UTCDateTime(), nullable=False),
        sa.Column('status', sa.Enum('applied', 'rejected', name='driver_event_status', native_enum=False,
                                    create_constraint=True, length=10), nullable=False),
        sa.Column('reason', sa.String(length=40), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('answer', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['driver_id'], ['users.id'], name=op.f('fk_driver_events_driver_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_driver_events')),
        sa.UniqueConstraint('driver_id', 'client_event_id', name=op.f('uq_driver_events_driver_id_client_event_id')),
    )
    with op.batch_alter_table('driver_events', schema=None) as batch_op:
        batch_op.create_index('ix_driver_events_stop', ['stop_id'], unique=False)

    with op.batch_alter_table('tour_stops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('arrived_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('outcome', sa.Enum('delivered', 'partly', 'failed', name='stop_outcome',
                                                         native_enum=False, create_constraint=True, length=10),
                                      nullable=True))
    with op.batch_alter_table('tour_stops', schema=None) as batch_op:
        batch_op.create_check_constraint('outcome_when_done', "outcome IS NULL OR state = 'done'")

    with op.batch_alter_table('tours', schema=None) as batch_op:
        batch_op.add_column(sa.Column('empty_crates_back', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('returns_note', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('tours', schema=None) as batch_op:
        batch_op.create_check_constraint('empty_crates_nonnegative',
                                         'empty_crates_back IS NULL OR empty_crates_back >= 0')
    with op.batch_alter_table('tours', schema=None) as batch_op:
        batch_op.alter_column('returns_note', server_default=None)


def downgrade():
    with op.batch_alter_table('tours', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_tours_empty_crates_nonnegative'), type_='check')
        batch_op.drop_column('returns_note')
        batch_op.drop_column('empty_crates_back')

    with op.batch_alter_table('tour_stops', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_tour_stops_outcome_when_done'), type_='check')
        batch_op.drop_constraint(op.f('ck_tour_stops_stop_outcome'), type_='check')
        batch_op.drop_column('outcome')
        batch_op.drop_column('arrived_at')

    with op.batch_alter_table('driver_events', schema=None) as batch_op:
        batch_op.drop_index('ix_driver_events_stop')
    op.drop_table('driver_events')
