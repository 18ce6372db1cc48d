"""catalog_versions: one row counting the catalogue's changes, for the page cache

Revision ID: c7a1e5d3b902
Revises: d4a7c2e91b05
Create Date: 2026-12-01 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7a1e5d3b902'
down_revision = 'd4a7c2e91b05'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'catalog_versions',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_catalog_versions_single_row')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_versions')),
    )
    op.bulk_insert(table, [{'id': 1, 'version': 0}])


def downgrade():
    op.drop_table('catalog_versions')
