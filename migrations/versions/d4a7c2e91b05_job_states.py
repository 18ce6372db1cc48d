"""job_states: one row per scheduled job (last run, next due, last error, lease)

Revision ID: d4a7c2e91b05
Revises: a1f3c5d7e9b0
Create Date: 2026-12-01 19:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

from marketplace.core.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'd4a7c2e91b05'
down_revision = 'a1f3c5d7e9b0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'job_states',
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('next_due_at', UTCDateTime(), nullable=True),
        sa.Column('last_started_at', UTCDateTime(), nullable=True),
        sa.Column('last_finished_at', UTCDateTime(), nullable=True),
        sa.Column('last_success_at', UTCDateTime(), nullable=True),
        sa.Column('last_result', sa.Text(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('runs', sa.Integer(), nullable=False),
        sa.Column('locked_by', sa.String(length=120), nullable=True),
        sa.Column('locked_until', UTCDateTime(), nullable=True),
        sa.CheckConstraint('failures >= 0', name=op.f('ck_job_states_failures_nonnegative')),
        sa.CheckConstraint('runs >= 0', name=op.f('ck_job_states_runs_nonnegative')),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_job_states')),
    )


def downgrade():
    op.drop_table('job_states')
