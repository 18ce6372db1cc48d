"""Catalogue searches without result, as demand not served (no personal data)

unanswered_searches: the normalised term, the sub-region it was asked from (NULL when unknown)
and when; read by the coordinator's dashboard, deleted after 180 days by a daily job.

Revision ID: a7c3e5f1d2b9
Revises: 18ec29e2b10a
Create Date: 2026-12-02 01:10:00
"""
import sqlalchemy as sa
from alembic import op

from marketplace.core.types import UTCDateTime

revision = 'a7c3e5f1d2b9'
down_revision = '18ec29e2b10a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'unanswered_searches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('term', sa.String(length=100), nullable=False),
        sa.Column('sub_region_id', sa.Integer(), nullable=True),
        sa.Column('searched_at', UTCDateTime(), nullable=False),
        sa.CheckConstraint("term <> ''", name=op.f('ck_unanswered_searches_term_not_empty')),
        sa.ForeignKeyConstraint(['sub_region_id'], ['sub_regions.id'],
                                name=op.f('fk_unanswered_searches_sub_region_id_sub_regions'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_unanswered_searches')),
    )
    op.create_index('ix_unanswered_searches_sub_region_searched_at', 'unanswered_searches',
                    ['sub_region_id', 'searched_at'], unique=False)
    op.create_index('ix_unanswered_searches_searched_at', 'unanswered_searches', ['searched_at'], unique=False)


def downgrade():
    op.drop_index('ix_unanswered_searches_searched_at', table_name='unanswered_searches')
    op.drop_index('ix_unanswered_searches_sub_region_searched_at', table_name='unanswered_searches')
    op.drop_table('unanswered_searches')
