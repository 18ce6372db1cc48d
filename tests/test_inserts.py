"""core.inserts: new objects written in one INSERT per class, then attached as if loaded."""
from __future__ import annotations

from sqlalchemy import event, select

from marketplace.core.inserts import attach_as_loaded, insert_new
from marketplace.regions.models import Region
from tests.factories import make_region


def test_insert_new_sets_ids_in_order_applies_defaults_and_attaches_without_a_flush(db):
    existing = make_region()
    db.session.commit()
    regions = [Region(slug=f"new-{n}", name=f"Neu {n}") for n in range(3)]
    connection = db.session.connection()
    ids = insert_new(connection, regions)
    assert ids == [r.id for r in regions] and len(set(ids)) == 3 and existing.id not in ids
    rows = {row.id: row for row in db.session.execute(
        select(Region.id, Region.slug, Region.platform_fee_permille).where(Region.id.in_(ids)))}
    assert [rows[r.id].slug for r in regions] == ["new-0", "new-1", "new-2"]  # each id its row
    assert [rows[r.id].platform_fee_permille for r in regions] == [100] * 3  # the column default
    assert [r.platform_fee_permille for r in regions] == [100] * 3  # also on the objects

    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        for region in regions:
            attach_as_loaded(db.session, region, [region])
        assert all(r in db.session and r not in db.session.new for r in regions)
        assert not db.session.dirty
        db.session.flush()
        assert regions[1].slug == "new-1"
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert not [s for s in statements if s.lstrip().upper().startswith("INSERT")]
