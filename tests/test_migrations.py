"""Migrations: an empty database upgrades to head, and the models match it exactly."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from marketplace import create_app
from marketplace.catalog.search import FTS_TABLE, include_in_autogenerate
from marketplace.extensions import db
from tests.conftest import create_postgres_database, drop_postgres_database


def _upgrade_and_compare(url: str) -> None:
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={
                "compare_type": True, "render_as_batch": True,
                "include_object": include_in_autogenerate(conn.dialect.name),
            })
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        tables = set(inspect(db.engine).get_table_names())
        if db.engine.dialect.name == "sqlite":
            # Name search on SQLite needs its FTS table and the triggers that keep it in step; a
            # batch migration that rebuilds `products` would drop the triggers.
            with db.engine.connect() as conn:
                triggers = set(conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
            assert FTS_TABLE in tables
            assert {f"{FTS_TABLE}_insert", f"{FTS_TABLE}_update", f"{FTS_TABLE}_delete"} <= triggers
        assert {"products", "orders", "order_lines", "pickup_places", "memberships"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_sqlite_upgrades_to_head_without_drift(tmp_path):
    _upgrade_and_compare(f"sqlite:///{tmp_path}/migrated.sqlite")


@pytest.mark.postgresql
def test_postgresql_upgrades_to_head_without_drift():
    url = create_postgres_database("lk_migrate")
    try:
        _upgrade_and_compare(url)
    finally:
        drop_postgres_database(url)
