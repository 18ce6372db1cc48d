"""Region set-up: the set-up log, the region's branding and legal texts, a sub-region's local note

region_changes: one row per change of the set-up (who, when, what, before and after as JSON).
regions: `logo_key`, `brand_colour`, `accent_colour`, `imprint_text`, `privacy_text`.
sub_regions: `local_note`. Only added columns: SQLite adds them in place.

Revision ID: 18ec29e2b10a
Revises: 3d9e7a2b5c14
Create Date: 2026-12-01 22:50:00
"""
import sqlalchemy as sa
from alembic import op

from marketplace.core.types import UTCDateTime

revision = '18ec29e2b10a'
down_revision = '3d9e7a2b5c14'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'region_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_name', sa.String(length=200), nullable=False),
        sa.Column('at', UTCDateTime(), nullable=False),
        sa.Column('action', sa.String(length=60), nullable=False),
        sa.Column('object_type', sa.String(length=40), nullable=False),
        sa.Column('object_id', sa.Integer(), nullable=True),
        sa.Column('before', sa.JSON(), nullable=True),
        sa.Column('after', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_region_changes_actor_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_region_changes_region_id_regions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_region_changes')),
    )
    op.create_index('ix_region_changes_region_at', 'region_changes', ['region_id', 'at'], unique=False)
    with op.batch_alter_table('regions') as batch_op:
        batch_op.add_column(sa.Column('logo_key', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('brand_colour', sa.String(length=7), nullable=True))
        batch_op.add_column(sa.Column('accent_colour', sa.String(length=7), nullable=True))
        batch_op.add_column(sa.Column('imprint_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('privacy_text', sa.Text(), nullable=True))
    with op.batch_alter_table('sub_regions') as batch_op:
        batch_op.add_column(sa.Column('local_note', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('sub_regions') as batch_op:
        batch_op.drop_column('local_note')
    with op.batch_alter_table('regions') as batch_op:
        batch_op.drop_column('privacy_text')
        batch_op.drop_column('imprint_text')
        batch_op.drop_column('accent_colour')
        batch_op.drop_column('brand_colour')
        batch_op.drop_column('logo_key')
    op.drop_index('ix_region_changes_region_at', table_name='region_changes')
    op.drop_table('region_changes')
