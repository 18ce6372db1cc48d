"""Gap-free invoice numbers under load: 50 simultaneous orders over 3 producers, real threads,
connections and commits, through the API."""
from __future__ import annotations

import random
from collections import Counter

import pytest
from sqlalchemy import select

from marketplace.api.auth import issue_token
from marketplace.extensions import db
from marketplace.payments.invoice_models import Invoice, InvoiceKind
from tests import factories as f
from tests.api.test_concurrency import _app, _fire, _postgres_connections_to_use
from tests.orders.helpers import TUESDAY

ORDERS = 50


def _setup():
    sub = f.make_sub_region()
    f.make_schedule(sub, weekdays=(2, 5))
    municipality = f.make_municipality(sub)
    resident = f.make_user(home=f.make_place(municipality))
    point = f.make_sales_point(f.make_place(municipality))
    producers = [f.make_producer(f.make_place(municipality)) for _ in range(3)]
    products = [f.make_product(p, stock=1_000_000) for p in producers]
    db.session.commit()
    return resident, point.id, [p.id for p in producers], [p.id for p in products]


def _race(database_url: str, pool_size: int) -> None:
    app = _app(database_url, pool_size)
    with app.app_context():
        db.create_all()
        try:
            resident, point_id, producer_ids, product_ids = _setup()
            headers = {"Authorization": f"Bearer {issue_token(resident)}"}
            rng = random.Random(14)
            baskets = [rng.sample(product_ids, rng.randint(1, 3)) for _ in range(ORDERS)]
            bodies = [{
                "delivery_date": TUESDAY.isoformat(), "payment_method": "pay_on_pickup",
                "fulfilment": {"kind": "sales_point", "pickup_place_id": point_id},
                "items": [{"product_id": pid, "quantity": 1} for pid in basket],
            } for basket in baskets]
            db.session.commit()

            results = _fire(app, headers, bodies)

            assert Counter(status for status, _ in results) == {201: ORDERS}, results
            db.session.expire_all()
            rows = db.session.execute(select(Invoice.kind, Invoice.producer_id, Invoice.series, Invoice.number)).all()
            for index, producer_id in enumerate(producer_ids):
                sold = sum(1 for basket in baskets if product_ids[index] in basket)
                numbers = sorted(r.number for r in rows if r.kind == InvoiceKind.SALE and r.producer_id == producer_id)
                assert numbers == list(range(1, sold + 1)), (producer_id, numbers)
            platform = sorted(r.number for r in rows if r.series == "platform")
            assert platform == list(range(1, len(platform) + 1)) and len(platform) == sum(map(len, baskets))
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.mark.postgresql
@pytest.mark.slow
def test_50_simultaneous_orders_on_postgresql_number_each_producers_invoices_without_gap(db, database_url):
    pool = _postgres_connections_to_use(limit=50)
    db.session.remove()
    _race(database_url, pool_size=pool)


@pytest.mark.slow
def test_50_simultaneous_orders_on_sqlite_number_each_producers_invoices_without_gap(tmp_path):
    _race(f"sqlite:///{tmp_path / 'numbers.sqlite'}", pool_size=50)
