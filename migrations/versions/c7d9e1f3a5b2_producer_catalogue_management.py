"""Producers manage their catalogue: article numbers, archive, line minimum and step, photos, §19 VAT

products: `article_number` (unique per producer), `archived_at` (archived products are inactive
for good; past order lines keep them), `min_quantity` and `quantity_step` per order line,
`unit_volume_ml` (for the price per litre), `photo_key`; units `100g` and `bottle`; VAT 0 for
small businesses under §19 UStG (products and order lines). producers: `vat_status`.

SQLite changes CHECK constraints only by rebuilding a table; rebuilding `products` drops the
FTS triggers of the name search, so they are created again (catalog/search.py).

Revision ID: c7d9e1f3a5b2
Revises: a9d3b7c1e5f2
Create Date: 2026-12-01 19:30:00
"""
import sqlalchemy as sa
from alembic import op

from marketplace.core.types import UTCDateTime

revision = 'c7d9e1f3a5b2'
down_revision = 'a9d3b7c1e5f2'
branch_labels = None
depends_on = None

UNITS_OLD = "unit IN ('piece', 'kg', '500g', 'bunch', 'litre')"
UNITS_NEW = "unit IN ('piece', 'kg', '100g', '500g', 'bunch', 'litre', 'bottle')"
VAT_OLD = "vat_rate IN (7, 19)"
VAT_NEW = "vat_rate IN (0, 7, 19)"

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


def _swap_checks(batch_op, table: str, checks) -> None:
    for name, condition in checks:
        batch_op.drop_constraint(op.f(f'ck_{table}_{name}'), type_='check')
        batch_op.create_check_constraint(name, condition)


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


def upgrade():
    _without_name_search(_upgrade)


def downgrade():
    _without_name_search(_downgrade)


def _upgrade():
    with op.batch_alter_table('producers', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'vat_status', sa.Enum('regular', 'small_business', name='vat_status', native_enum=False,
                                  length=20, create_constraint=True),
            nullable=False, server_default='regular',
        ))
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('article_number', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('unit_volume_ml', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('archived_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('min_quantity', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('quantity_step', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('photo_key', sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint(
            op.f('uq_products_producer_id_article_number'), ['producer_id', 'article_number']
        )
        _swap_checks(batch_op, 'products', [('vat_rate_known', VAT_NEW), ('unit', UNITS_NEW)])
        batch_op.create_check_constraint('unit_volume_positive', 'unit_volume_ml IS NULL OR unit_volume_ml > 0')
        batch_op.create_check_constraint('min_quantity_positive', 'min_quantity >= 1')
        batch_op.create_check_constraint('quantity_step_positive', 'quantity_step >= 1')
        batch_op.create_check_constraint('archived_inactive', 'archived_at IS NULL OR NOT is_active')
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        _swap_checks(batch_op, 'order_lines', [('vat_rate_known', VAT_NEW), ('unit', UNITS_NEW)])


def _downgrade():
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        _swap_checks(batch_op, 'order_lines', [('vat_rate_known', VAT_OLD), ('unit', UNITS_OLD)])
    with op.batch_alter_table('products', schema=None) as batch_op:
        for name in ('archived_inactive', 'quantity_step_positive', 'min_quantity_positive',
                     'unit_volume_positive'):
            batch_op.drop_constraint(op.f(f'ck_products_{name}'), type_='check')
        _swap_checks(batch_op, 'products', [('vat_rate_known', VAT_OLD), ('unit', UNITS_OLD)])
        batch_op.drop_constraint(op.f('uq_products_producer_id_article_number'), type_='unique')
        for column in ('photo_key', 'quantity_step', 'min_quantity', 'archived_at', 'unit_volume_ml',
                       'article_number'):
            batch_op.drop_column(column)
    with op.batch_alter_table('producers', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_producers_vat_status'), type_='check')
        batch_op.drop_column('vat_status')
