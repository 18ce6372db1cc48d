"""In-process cost of placing an order: `POST /api/v1/orders` through Flask's test client, one at a
time, no HTTP server and no load generator (so it runs on a shared machine without disturbing it).

Run with `.venv/bin/python tests/benchmarks/bench_place_order.py` (not collected by pytest). A
fresh SQLite file in a temp dir, or with BENCH_POSTGRES_URL=postgresql+psycopg://…/postgres a new
database on that server (dropped at the end). Places BENCH_ORDERS orders (default 200, after 20
to warm up) of two products into a parcel station with enough compartments, spread over the open
delivery days, and prints the median and mean milliseconds per order, and the median CPU time of
this process per order (less disturbed by other work on a shared machine than the wall clock) and
the statements sent per order (BEGIN and COMMIT included where the driver sends them).
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, text  # noqa: E402 - after the sys.path line
from sqlalchemy.engine import make_url  # noqa: E402

from marketplace import create_app  # noqa: E402
from marketplace.api.auth import issue_token  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.orders.checkout import list_open_delivery_days  # noqa: E402
from tests import factories as f  # noqa: E402
from tests.conftest import NOW  # noqa: E402

ORDERS = int(os.environ.get("BENCH_ORDERS", "200"))
WARM_UP = 20


def database() -> tuple[str, object]:
    admin = os.environ.get("BENCH_POSTGRES_URL")
    if not admin:
        path = Path(tempfile.mkdtemp()) / "bench.sqlite"
        return f"sqlite:///{path}", lambda: None
    name = f"bench_order_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()
    return url, drop


def main() -> None:
    url, drop = database()
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, LANDKORB_CLOCK=NOW)
    try:
        with app.app_context():
            db.create_all()
            sub = f.make_sub_region()
            f.make_schedule(sub, weekdays=(2, 5))
            municipality = f.make_municipality(sub)
            resident = f.make_user(home=f.make_place(municipality))
            # Like a real station: a few dozen compartments. Each order takes one a day.
            per_day = -(-(ORDERS + WARM_UP) // 8) + 1
            station = f.make_station(f.make_place(municipality), compartments=(("M", "ambient", per_day),))
            producer = f.make_producer(f.make_place(municipality))
            bread = f.make_product(producer, name="Brot", stock=1_000_000)
            eggs = f.make_product(producer, name="Eier", stock=1_000_000)
            days = [d.date for d in list_open_delivery_days(sub, NOW)]
            db.session.commit()
            headers = {"Authorization": f"Bearer {issue_token(resident)}"}
            bodies = [{
                "delivery_date": days[i % len(days)].isoformat(), "payment_method": "pay_on_pickup",
                "fulfilment": {"kind": "station", "pickup_place_id": station.id},
                "items": [{"product_id": bread.id, "quantity": 1}, {"product_id": eggs.id, "quantity": 2}],
            } for i in range(ORDERS + WARM_UP)]
            db.session.remove()
        client = app.test_client()
        statements = [0]
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", lambda *args: statements.__setitem__(0, statements[0] + 1))
        timings, cpu = [], []
        for i, body in enumerate(bodies):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.post("/api/v1/orders", json=body, headers=headers)
            elapsed, elapsed_cpu = time.perf_counter() - started, time.process_time() - started_cpu
            if response.status_code != 201:
                raise SystemExit(f"order {i}: {response.status_code} {response.get_json()}")
            if i == WARM_UP - 1:
                statements[0] = 0
            if i >= WARM_UP:
                timings.append(elapsed * 1000)
                cpu.append(elapsed_cpu * 1000)
        print(f"{app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}: {len(timings)} orders, "
              f"median {statistics.median(timings):.2f} ms, mean {statistics.fmean(timings):.2f} ms an order; "
              f"this process's CPU: median {statistics.median(cpu):.2f} ms; "
              f"{statements[0] / len(timings):.1f} statements an order")
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop()


if __name__ == "__main__":
    main()
