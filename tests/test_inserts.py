"""core.inserts: plain records written in one INSERT per table, ids back in the rows' order."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import event, select

from marketplace.core.inserts import ROWS_PER_STATEMENT, insert_rows, row_of
from marketplace.regions.models import Region
from tests.factories import make_region

_regions = Region.__table__


@dataclass
class RegionRecord:
    slug: str
    name: str
    platform_fee_permille: int = 80
    id: int | None = None
    not_a_column: str = "ignored"


def test_row_of_takes_the_tables_columns_the_record_has_and_leaves_the_key_out():
    row = row_of(RegionRecord("a", "A", id=7), _regions)
    assert row == {"slug": "a", "name": "A", "platform_fee_permille": 80}


def test_insert_rows_returns_the_ids_of_many_rows_in_their_order(db):
    # (SQLite cannot return ids of a batch in order: SQLAlchemy sends one INSERT per row there.)
    existing = make_region()
    db.session.commit()
    records = [RegionRecord(f"new-{n}", f"Neu {n}", platform_fee_permille=50 + n) for n in range(3)]
    connection = db.session.connection()
    ids = insert_rows(connection, _regions, [row_of(r, _regions) for r in records], return_ids=True)
    assert len(set(ids)) == 3 and existing.id not in ids
    rows = {row.id: row for row in db.session.execute(
        select(Region.id, Region.slug, Region.platform_fee_permille).where(Region.id.in_(ids)))}
    assert [(rows[i].slug, rows[i].platform_fee_permille) for i in ids] == [
        ("new-0", 50), ("new-1", 51), ("new-2", 52),
    ]


@pytest.mark.parametrize("count, statements", [(3, 1), (ROWS_PER_STATEMENT, 1), (ROWS_PER_STATEMENT + 2, 2)])
def test_insert_rows_without_ids_sends_one_statement_per_batch_of_rows(db, count, statements):
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT"):
            sent.append(statement)

    connection = db.session.connection()
    records = [RegionRecord(f"m{n}", f"M {n}", platform_fee_permille=n) for n in range(count)]
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        insert_rows(connection, _regions, [row_of(r, _regions) for r in records])
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(sent) == statements
    written = dict(db.session.execute(select(Region.slug, Region.platform_fee_permille)).all())
    assert written == {f"m{n}": n for n in range(count)}


def test_insert_rows_without_ids_and_a_single_row(db):
    connection = db.session.connection()
    assert insert_rows(connection, _regions, [row_of(RegionRecord("solo", "Solo"), _regions)]) == []
    (one,) = insert_rows(connection, _regions, [row_of(RegionRecord("one", "Eins"), _regions)],
                         return_ids=True)
    slugs = dict(db.session.execute(select(Region.id, Region.slug).where(Region.slug.in_(["solo", "one"]))).all())
    assert sorted(slugs.values()) == ["one", "solo"] and slugs[one] == "one"
