"""Pickup places: access hours and a photo of where a station stands

Revision ID: 3d9e7a2b5c14
Revises: d4bf8f04a04d
Create Date: 2026-12-01 23:15:00
"""
import sqlalchemy as sa
from alembic import op

revision = '3d9e7a2b5c14'
down_revision = 'd4bf8f04a04d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pickup_places', schema=None) as batch_op:
        batch_op.add_column(sa.Column('access_hours', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('photo_key', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('pickup_places', schema=None) as batch_op:
        batch_op.drop_column('photo_key')
        batch_op.drop_column('access_hours')
