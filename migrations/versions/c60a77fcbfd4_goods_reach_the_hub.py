"""goods reach the hub first: producers who drop off per sub-region, goods fetched per collection stop

Revision ID: c60a77fcbfd4
Revises: 06ccc3252b0f
Create Date: 2026-12-01 21:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c60a77fcbfd4'
down_revision = '06ccc3252b0f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'producer_dropoffs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sub_region_id', sa.Integer(), nullable=False),
        sa.Column('producer_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['producer_id'], ['producers.id'],
                                name=op.f('fk_producer_dropoffs_producer_id_producers'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['sub_region_id'], ['sub_regions.id'],
                                name=op.f('fk_producer_dropoffs_sub_region_id_sub_regions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_producer_dropoffs')),
        sa.UniqueConstraint('sub_region_id', 'producer_id', name=op.f('uq_producer_dropoffs_sub_region_id_producer_id')),
    )
    with op.batch_alter_table('producer_dropoffs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_producer_dropoffs_producer_id'), ['producer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_producer_dropoffs_sub_region_id'), ['sub_region_id'], unique=False)

    op.create_table(
        'tour_stop_goods',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('stop_id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('load_ambient', sa.Integer(), nullable=False),
        sa.Column('load_chilled', sa.Integer(), nullable=False),
        sa.Column('load_frozen', sa.Integer(), nullable=False),
        sa.CheckConstraint('load_ambient >= 0 AND load_chilled >= 0 AND load_frozen >= 0',
                           name=op.f('ck_tour_stop_goods_load_nonnegative')),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'],
                                name=op.f('fk_tour_stop_goods_order_id_orders'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['stop_id'], ['tour_stops.id'],
                                name=op.f('fk_tour_stop_goods_stop_id_tour_stops'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tour_stop_goods')),
        sa.UniqueConstraint('stop_id', 'order_id', name=op.f('uq_tour_stop_goods_stop_id_order_id')),
    )
    with op.batch_alter_table('tour_stop_goods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tour_stop_goods_order_id'), ['order_id'], unique=False)


def downgrade():
    with op.batch_alter_table('tour_stop_goods', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tour_stop_goods_order_id'))
    op.drop_table('tour_stop_goods')
    with op.batch_alter_table('producer_dropoffs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_producer_dropoffs_sub_region_id'))
        batch_op.drop_index(batch_op.f('ix_producer_dropoffs_producer_id'))
    op.drop_table('producer_dropoffs')
