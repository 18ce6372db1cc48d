"""tours: when the driver started and ended each tour

Revision ID: f2c8d4e6a913
Revises: e3f9a6b1c4d8
Create Date: 2026-12-01 20:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

from marketplace.core.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'f2c8d4e6a913'
down_revision = 'e3f9a6b1c4d8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tours', schema=None) as batch_op:
        batch_op.add_column(sa.Column('started_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('ended_at', UTCDateTime(), nullable=True))
        batch_op.create_check_constraint('ended_after_started', 'started_at IS NOT NULL OR ended_at IS NULL')
        batch_op.create_check_constraint('started_when_published', "started_at IS NULL OR status = 'published'")


def downgrade():
    with op.batch_alter_table('tours', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_tours_started_when_published'), type_='check')
        batch_op.drop_constraint(op.f('ck_tours_ended_after_started'), type_='check')
        batch_op.drop_column('ended_at')
        batch_op.drop_column('started_at')
