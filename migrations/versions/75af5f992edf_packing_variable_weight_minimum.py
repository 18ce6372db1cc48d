"""Packing a delivery day: short lines, variable weight, a producer's minimum per day

order_lines: `short_quantity` and `short_cents` (units not delivered, and their worth),
variable weight copied from the product (`price_per_kg_cents`, `nominal_weight_g`,
`weight_tolerance_pct`) and the real weight (`weight_grams`); the line total's CHECK now covers
both, and the weight must lie within the tolerance. products: `weight_tolerance_pct`.
New tables: `producer_minimums` (a producer's least turnover per day in a sub-region) and
`producer_days` (the cut-off list sent, the turnover, and the producer's answer below it).

SQLite changes CHECK constraints only by rebuilding a table; rebuilding `products` drops the
FTS triggers of the name search, so they are created again (as in c7d9e1f3a5b2).

Revision ID: 75af5f992edf
Revises: c60a77fcbfd4
Create Date: 2026-12-01 21:35:00
"""
import sqlalchemy as sa
from alembic import op

from marketplace.core.types import UTCDateTime

revision = '75af5f992edf'
down_revision = 'c60a77fcbfd4'
branch_labels = None
depends_on = None

TOTAL_OLD = "total_cents = quantity * unit_price_cents"
# Copies of orders/models.py's LINE_TOTAL_ADDS_UP and LINE_WEIGHT_WITHIN_BOUND.
TOTAL_NEW = (
    "(weight_grams IS NULL AND total_cents = (quantity - short_quantity) * unit_price_cents) OR "
    "(weight_grams IS NOT NULL AND price_per_kg_cents IS NOT NULL "
    "AND total_cents = (weight_grams * price_per_kg_cents + 500) / 1000)"
)
WEIGHT_WITHIN_BOUND = (
    "weight_grams IS NULL OR (weight_grams > 0 AND nominal_weight_g IS NOT NULL "
    "AND weight_grams * 100 >= nominal_weight_g * (quantity - short_quantity) * (100 - weight_tolerance_pct) "
    "AND weight_grams * 100 <= nominal_weight_g * (quantity - short_quantity) * (100 + weight_tolerance_pct))"
)
VARIABLE_WEIGHT_COMPLETE = (
    "(price_per_kg_cents IS NULL) = (nominal_weight_g IS NULL) "
    "AND (price_per_kg_cents IS NULL) = (weight_tolerance_pct IS NULL)"
)

# A copy of catalog/search.py's SQLITE_FTS_TRIGGERS: a migration does not change with the code.
SQLITE_FTS_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS products_name_fts_insert AFTER INSERT ON products BEGIN "
    "INSERT INTO products_name_fts(rowid, name) VALUES (new.id, new.name); END",
    "CREATE TRIGGER IF NOT EXISTS products_name_fts_delete AFTER DELETE ON products BEGIN "
    "INSERT INTO products_name_fts(products_name_fts, rowid, name) "
    "VALUES ('delete', old.id, old.name); END",
    "CREATE TRIGGER IF NOT EXISTS products_name_fts_update AFTER UPDATE OF name ON products BEGIN "
    "INSERT INTO products_name_fts(products_name_fts, rowid, name) "
    "VALUES ('delete', old.id, old.name); "
    "INSERT INTO products_name_fts(rowid, name) VALUES (new.id, new.name); END",
)


def _without_name_search(rebuild) -> None:
    # SQLite copies every column into the rebuilt table, and a generated one cannot be written:
    # the virtual lower-case name goes first and comes back (PostgreSQL alters in place).
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        op.execute("ALTER TABLE products DROP COLUMN name_search")
    rebuild()
    if sqlite:
        op.execute(
            "ALTER TABLE products ADD COLUMN name_search VARCHAR(200) "
            "GENERATED ALWAYS AS (lower(name)) VIRTUAL"
        )
        for statement in SQLITE_FTS_TRIGGERS:
            op.execute(statement)


def _products_up():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weight_tolerance_pct', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            'weight_tolerance_range', 'weight_tolerance_pct IS NULL OR weight_tolerance_pct BETWEEN 1 AND 50'
        )


def _products_down():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_products_weight_tolerance_range'), type_='check')
        batch_op.drop_column('weight_tolerance_pct')


def upgrade():
    op.create_table(
        'producer_minimums',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('producer_id', sa.Integer(), nullable=False),
        sa.Column('sub_region_id', sa.Integer(), nullable=False),
        sa.Column('minimum_cents', sa.Integer(), nullable=False),
        sa.CheckConstraint('minimum_cents > 0', name=op.f('ck_producer_minimums_minimum_positive')),
        sa.ForeignKeyConstraint(['producer_id'], ['producers.id'],
                                name=op.f('fk_producer_minimums_producer_id_producers'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['sub_region_id'], ['sub_regions.id'],
                                name=op.f('fk_producer_minimums_sub_region_id_sub_regions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_producer_minimums')),
        sa.UniqueConstraint('producer_id', 'sub_region_id',
                            name=op.f('uq_producer_minimums_producer_id_sub_region_id')),
    )
    op.create_table(
        'producer_days',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('producer_id', sa.Integer(), nullable=False),
        sa.Column('sub_region_id', sa.Integer(), nullable=False),
        sa.Column('delivery_date', sa.Date(), nullable=False),
        sa.Column('state', sa.Enum('listed', 'awaiting', 'confirmed', 'declined', name='producer_day_state',
                                   native_enum=False, create_constraint=True, length=20), nullable=False),
        sa.Column('turnover_cents', sa.Integer(), nullable=False),
        sa.Column('minimum_cents', sa.Integer(), nullable=True),
        sa.Column('listed_at', UTCDateTime(), nullable=False),
        sa.Column('decided_at', UTCDateTime(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("state = 'listed' OR minimum_cents IS NOT NULL",
                           name=op.f('ck_producer_days_minimum_when_asked')),
        sa.CheckConstraint('turnover_cents >= 0', name=op.f('ck_producer_days_turnover_nonnegative')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'],
                                name=op.f('fk_producer_days_decided_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['producer_id'], ['producers.id'],
                                name=op.f('fk_producer_days_producer_id_producers'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['sub_region_id'], ['sub_regions.id'],
                                name=op.f('fk_producer_days_sub_region_id_sub_regions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_producer_days')),
        sa.UniqueConstraint('producer_id', 'delivery_date', 'sub_region_id',
                            name=op.f('uq_producer_days_producer_id_delivery_date_sub_region_id')),
    )
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('price_per_kg_cents', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('nominal_weight_g', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('weight_tolerance_pct', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('weight_grams', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('short_quantity', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('short_cents', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_constraint(op.f('ck_order_lines_total_adds_up'), type_='check')
        batch_op.create_check_constraint('total_adds_up', TOTAL_NEW)
        batch_op.create_check_constraint('short_within_quantity', 'short_quantity BETWEEN 0 AND quantity')
        batch_op.create_check_constraint('short_adds_up', 'short_cents = short_quantity * unit_price_cents')
        batch_op.create_check_constraint('variable_weight_complete', VARIABLE_WEIGHT_COMPLETE)
        batch_op.create_check_constraint('weight_within_bound', WEIGHT_WITHIN_BOUND)
    _without_name_search(_products_up)


def downgrade():
    _without_name_search(_products_down)
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        for name in ('weight_within_bound', 'variable_weight_complete', 'short_adds_up',
                     'short_within_quantity', 'total_adds_up'):
            batch_op.drop_constraint(op.f(f'ck_order_lines_{name}'), type_='check')
        batch_op.create_check_constraint('total_adds_up', TOTAL_OLD)
        for column in ('short_cents', 'short_quantity', 'weight_grams', 'weight_tolerance_pct',
                       'nominal_weight_g', 'price_per_kg_cents'):
            batch_op.drop_column(column)
    op.drop_table('producer_days')
    op.drop_table('producer_minimums')
