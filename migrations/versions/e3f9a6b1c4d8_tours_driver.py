"""tours: the driver assigned to each tour

Revision ID: e3f9a6b1c4d8
Revises: b81e0c4d2a17
Create Date: 2026-12-01 20:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3f9a6b1c4d8'
down_revision = 'b81e0c4d2a17'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tours', schema=None) as batch_op:
        batch_op.add_column(sa.Column('driver_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_tours_driver_id'), ['driver_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_tours_driver_id_users'), 'users', ['driver_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('tours', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tours_driver_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_tours_driver_id'))
        batch_op.drop_column('driver_id')
