"""catalogue: search and listing indexes

A producer's active products in name order (replaces the (producer_id, is_active) index), and
a trigram index for name search: pg_trgm GIN on PostgreSQL, an FTS5 trigram table kept in sync
by triggers on SQLite (see marketplace/catalog/search.py; the SQL is copied here on purpose).

Revision ID: 5b2e8c1f0a47
Revises: 3a6131fd93dc
Create Date: 2026-11-26 11:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import marketplace.core.types


# revision identifiers, used by Alembic.
revision = '5b2e8c1f0a47'
down_revision = '3a6131fd93dc'
branch_labels = None
depends_on = None

FTS = "products_name_fts"
SQLITE_UP = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5("
    "name, content='products', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_insert AFTER INSERT ON products BEGIN "
    f"INSERT INTO {FTS}(rowid, name) VALUES (new.id, new.name); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_delete AFTER DELETE ON products BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, name) VALUES ('delete', old.id, old.name); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_update AFTER UPDATE OF name ON products BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, name) VALUES ('delete', old.id, old.name); "
    f"INSERT INTO {FTS}(rowid, name) VALUES (new.id, new.name); END",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
)
SQLITE_DOWN = (
    f"DROP TRIGGER IF EXISTS {FTS}_insert",
    f"DROP TRIGGER IF EXISTS {FTS}_delete",
    f"DROP TRIGGER IF EXISTS {FTS}_update",
    f"DROP TABLE IF EXISTS {FTS}",
)


def upgrade():
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index('ix_products_producer_active_name', ['producer_id', 'is_active', 'name'], unique=False)
        batch_op.drop_index('ix_products_producer_active')
    if dialect == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.create_index(
            'ix_products_name_trgm', 'products', ['name'], unique=False,
            postgresql_using='gin', postgresql_ops={'name': 'gin_trgm_ops'},
        )
    elif dialect == 'sqlite':
        for statement in SQLITE_UP:
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.drop_index('ix_products_name_trgm', table_name='products', postgresql_using='gin')
    elif dialect == 'sqlite':
        for statement in SQLITE_DOWN:
            op.execute(statement)
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index('ix_products_producer_active', ['producer_id', 'is_active'], unique=False)
        batch_op.drop_index('ix_products_producer_active_name')
