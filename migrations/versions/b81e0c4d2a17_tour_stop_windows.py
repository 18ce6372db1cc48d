"""tour_stops: the time window the planner had to meet at each stop

Revision ID: b81e0c4d2a17
Revises: 46c9a88945cc
Create Date: 2026-12-01 20:05:00.000000

"""
from alembic import op
import sqlalchemy as sa

from marketplace.core.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'b81e0c4d2a17'
down_revision = '46c9a88945cc'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tour_stops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('window_opens', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('window_closes', UTCDateTime(), nullable=True))
        batch_op.create_check_constraint(
            'window_both_or_none', '(window_opens IS NULL) = (window_closes IS NULL)')


def downgrade():
    with op.batch_alter_table('tour_stops', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_tour_stops_window_both_or_none'), type_='check')
        batch_op.drop_column('window_closes')
        batch_op.drop_column('window_opens')
