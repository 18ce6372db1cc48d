"""A region's rule for goods nobody collected: refund chilled and frozen goods too, or not

regions: `refund_expired_perishables` (false: only goods that keep are refunded or credited).
Only an added column: SQLite adds it in place.

Revision ID: a7e3c1d9f4b2
Revises: a7c3e5f1d2b9
Create Date: 2026-12-02 01:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'a7e3c1d9f4b2'
down_revision = 'a7c3e5f1d2b9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('regions') as batch_op:
        batch_op.add_column(sa.Column('refund_expired_perishables', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('regions') as batch_op:
        batch_op.drop_column('refund_expired_perishables')
