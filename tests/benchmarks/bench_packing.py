"""Packing benchmark: a delivery day with 2,000 order lines of one producer, its pick and packing
list rendered (the page, the API's JSON, the CSV and the PDFs), timed and its queries counted.

Run by `bench_web.py` (`make bench`) against its seeded database, in process through Flask's
test client (the production config, over https so the session cookie is sent); or alone:
`DATABASE_URL=… LANDKORB_ENV=production SECRET_KEY=… python tests/benchmarks/bench_packing.py`
after `flask demo seed`. Prints one line per document: median of 5 requests, the queries of one.
"""
from __future__ import annotations

import os
import re
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import event, select, update  # noqa: E402

from marketplace import create_app  # noqa: E402
from marketplace.catalog.models import Producer, Product, Temperature  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.orders.models import Order, OrderLine, ProducerOrder  # noqa: E402

LINES = 2000
PER_ORDER = 5
PRODUCER = "hofladen-schmitz"
HTTPS = {"base_url": "https://localhost"}
TARGET_S = 1.0


def _timed(client, engine, url, **kw) -> tuple[float, float, int, int]:
    """Median wall and CPU seconds of 5 requests (in process: the CPU time is the request's,
    also on a loaded machine), after one whose statements are counted; and the size."""
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get(url, **HTTPS, **kw)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    times, cpu = [], []
    for _ in range(5):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, **HTTPS, **kw)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), statistics.median(cpu), len(statements), len(response.data)


def main() -> int:
    app = create_app()
    client = app.test_client()
    with app.app_context():
        engine = db.engine
        producer_id = db.session.scalars(select(Producer.id).where(Producer.slug == PRODUCER)).one()
        ids = list(db.session.scalars(
            select(Product.id).where(Product.producer_id == producer_id, Product.is_active,
                                     Product.temperature == Temperature.AMBIENT,
                                     Product.available_weekday_mask == 127, Product.season_start.is_(None))
            .order_by(Product.id).limit(PER_ORDER)))
        db.session.execute(update(Product).where(Product.id.in_(ids)).values(stock=10_000_000))
        db.session.commit()  # bench data: enough stock for every order
        db.session.remove()
    token = client.post("/api/v1/auth/token", json={"email": "resident@example.org", "password": "landkorb-demo"},
                        **HTTPS).get_json()["token"]
    resident = {"Authorization": f"Bearer {token}"}
    days = client.get("/api/v1/delivery-days", headers=resident, **HTTPS).get_json()["items"]
    day = days[1]["date"]
    places = client.get("/api/v1/pickup-places", headers=resident, **HTTPS).get_json()["items"]
    def order(place_id: int):
        return client.post("/api/v1/orders", headers=resident, **HTTPS, json={
            "delivery_date": day, "payment_method": "pay_on_pickup",
            "fulfilment": {"kind": "sales_point", "pickup_place_id": place_id},
            "items": [{"product_id": i, "quantity": 1} for i in ids]})

    # Paid on pickup at the first sales point open that day (bench_web.py gave sales points room).
    started = time.perf_counter()
    place = next(p["id"] for p in places if p["kind"] == "sales_point" and order(p["id"]).status_code == 201)
    for _ in range(LINES // PER_ORDER - 1):
        answer = order(place)
        assert answer.status_code == 201, answer.get_json()
    placed_s = time.perf_counter() - started
    with app.app_context():
        lines = db.session.scalar(
            select(db.func.count()).select_from(OrderLine).join(ProducerOrder).join(Order)
            .where(ProducerOrder.producer_id == producer_id, Order.delivery_date == date.fromisoformat(day)))
        db.session.remove()

    page = client.get("/login", **HTTPS).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    login = client.post("/login", data={"email": "producer@example.org", "password": "landkorb-demo",
                                        "csrf_token": csrf}, headers={"Referer": "https://localhost/login"}, **HTTPS)
    assert login.status_code == 302, login.status_code
    ptoken = client.post("/api/v1/auth/token", json={"email": "producer@example.org", "password": "landkorb-demo"},
                         **HTTPS).get_json()["token"]
    print(f"  packing: {lines} lines of {PRODUCER} on {day} ({LINES // PER_ORDER} orders placed in {placed_s:.1f} s)")
    slowest = 0.0
    for label, url, kw in (
        ("day page (pick + packing list)", f"/me/producer/tage/{day}", {}),
        ("print page", f"/me/producer/tage/{day}/drucken", {}),
        ("labels page (QR codes)", f"/me/producer/tage/{day}/etiketten", {}),
        ("API GET /producer/days/{date}", f"/api/v1/producer/days/{day}", {"headers": {"Authorization": f"Bearer {ptoken}"}}),
        ("pick list CSV", f"/me/producer/tage/{day}/pickliste.csv", {}),
        ("packing list CSV", f"/me/producer/tage/{day}/packliste.csv", {}),
        ("lists PDF", f"/me/producer/tage/{day}/packliste.pdf", {}),
        ("labels PDF", f"/me/producer/tage/{day}/etiketten.pdf", {}),
    ):
        seconds, cpu, queries, size = _timed(client, engine, url, **kw)
        if label.startswith(("day page", "API", "pick list", "print")):
            slowest = max(slowest, seconds)
        print(f"    {label:<32} {seconds * 1000:8.1f} ms ({cpu * 1000:7.1f} ms CPU)  {queries:3d} queries"
              f"  {size / 1024:8.0f} KiB")
    verdict = "✔" if slowest < TARGET_S else "✘"
    print(f"  pick and packing list of {lines} lines: slowest {slowest * 1000:.0f} ms (target < 1 s {verdict}), "
          f"load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
