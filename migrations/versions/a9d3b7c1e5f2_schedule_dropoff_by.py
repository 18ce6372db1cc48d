"""delivery_schedules: the time producers bring their goods to the hub by

Revision ID: a9d3b7c1e5f2
Revises: f2c8d4e6a913
Create Date: 2026-12-01 20:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a9d3b7c1e5f2'
down_revision = 'f2c8d4e6a913'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('delivery_schedules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dropoff_by', sa.Time(), nullable=True))


def downgrade():
    with op.batch_alter_table('delivery_schedules', schema=None) as batch_op:
        batch_op.drop_column('dropoff_by')
