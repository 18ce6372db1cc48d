"""Web benchmark: Landkorb under gunicorn against a bare Flask page, and catalogue scaling.

Run with `make bench` (not collected by pytest). Everything stays on 127.0.0.1: a seeded SQLite
file database in a temp dir, the app and a bare "hello" Flask app under the same gunicorn
settings, one client (a thread pool) loading both. Prints requests/s of the catalogue page, the
product API and order placement as ratios to the bare page, then the catalogue and search time
at 1,000 and 100,000 products.
"""
from __future__ import annotations

import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BIN = Path(PYTHON).parent
WORKERS, THREADS = 2, 4
CLIENT_THREADS = 8
LOAD_SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
MAX_REQUESTS = 20_000
SAMPLES = 15
TARGETS = {"catalogue": 0.5, "order placement": 0.2}

APP_MODULE = """
import os
from marketplace import create_app
app = create_app(RATELIMIT_ENABLED=False)
if os.environ.get("BENCH_DEFERRED_READS"):
    # Experiment: reads (GET/HEAD) begin DEFERRED on SQLite instead of taking the write lock.
    from flask import has_request_context, request
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from marketplace import extensions
    event.remove(Engine, "begin", extensions._begin_immediate_on_sqlite)

    @event.listens_for(Engine, "begin")
    def _begin(connection):
        if connection.dialect.name != "sqlite":
            return
        read = has_request_context() and request.method in ("GET", "HEAD")
        connection.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")
# Until create_app registers the shop and API blueprints itself.
for module in ("marketplace.orders.views", "marketplace.api.views"):
    import importlib
    bp = importlib.import_module(module).bp
    if bp.name not in app.blueprints:
        app.register_blueprint(bp)
"""
HELLO_MODULE = """
from flask import Flask
app = Flask(__name__)

@app.get("/")
def hello():
    return "hello"
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(args: list[str], env: dict) -> str:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip()


class Server:
    def __init__(self, module: str, env: dict, tmp: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(WORKERS), "--threads", str(THREADS),
             "-b", f"127.0.0.1:{self.port}", "--chdir", str(ROOT), "--pythonpath", str(tmp),
             "--log-level", "warning", module],
            cwd=ROOT, env=env,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.url + "/", timeout=2).read()
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"{module} did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def request(url: str, data: dict | None = None, headers: dict | None = None) -> tuple[int, bytes]:
    body = json.dumps(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body, headers={
        **({"Content-Type": "application/json"} if body else {}), **(headers or {}),
    })
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def throughput(name: str, call) -> float:
    """Requests per second of `call` from CLIENT_THREADS threads for LOAD_SECONDS."""
    for _ in range(5):
        call()  # warm up
    stop_at = time.perf_counter() + LOAD_SECONDS
    count, failures = 0, 0
    lock = threading.Lock()

    def worker():
        nonlocal count, failures
        while time.perf_counter() < stop_at:
            status = call()
            with lock:
                count += 1
                failures += status >= 400
                if count >= MAX_REQUESTS:
                    return

    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        for _ in range(CLIENT_THREADS):
            pool.submit(worker)
    rate = count / (time.perf_counter() - started)
    print(f"  {name:<22} {rate:8.1f} req/s  ({count} requests, {failures} failed)")
    if failures:
        raise SystemExit(f"{name}: {failures} requests failed")
    return rate


def median_ms(url: str) -> float:
    request(url)
    times = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        status, _ = request(url)
        times.append((time.perf_counter() - started) * 1000)
        assert status == 200, (url, status)
    return statistics.median(times)


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="landkorb-bench-"))
    db_path = tmp / "bench.sqlite"
    (tmp / "bench_app.py").write_text(textwrap.dedent(APP_MODULE))
    (tmp / "bench_hello.py").write_text(textwrap.dedent(HELLO_MODULE))
    env = {
        **os.environ, "DATABASE_URL": f"sqlite:///{db_path}", "LANDKORB_ENV": "production",
        "SECRET_KEY": "bench-only-secret-key-0123456789", "PYTHONPATH": f"{ROOT}:{tmp}",
    }
    env.pop("REDIS_URL", None)
    flask = [str(BIN / "flask"), "--app", "bench_app"]
    try:
        run(flask + ["db", "upgrade"], env)
    except SystemExit:
        run([PYTHON, "-c", "from bench_app import app\nfrom marketplace.extensions import db\n"
             "with app.app_context(): db.create_all()"], env)
    print(run(flask + ["demo", "seed", "--products", "1000"], env))
    if env.get("BENCH_DEFERRED_READS"):
        print("(experiment: GET requests begin DEFERRED on SQLite)")

    app, hello = Server("bench_app:app", env, tmp), Server("bench_hello:app", env, tmp)
    try:
        base = app.url
        status, body = request(base + "/api/v1/auth/token",
                               {"email": "resident@example.org", "password": "landkorb-demo"})
        assert status == 201, body
        auth = {"Authorization": f"Bearer {json.loads(body)['token']}"}
        day = json.loads(request(base + "/api/v1/delivery-days", headers=auth)[1])["items"][0]["date"]
        places = json.loads(request(base + "/api/v1/pickup-places", headers=auth)[1])["items"]
        station = next(p for p in places if p["kind"] == "station")
        con = sqlite3.connect(db_path)
        product_id = con.execute(
            "SELECT id FROM products WHERE name = 'Kartoffeln festkochend'").fetchone()[0]
        con.execute("UPDATE products SET stock = 10000000 WHERE id = ?", (product_id,))
        con.commit()
        con.close()
        order = {"delivery_date": day, "payment_method": "pay_on_pickup",
                 "fulfilment": {"kind": "station", "pickup_place_id": station["id"]},
                 "items": [{"product_id": product_id, "quantity": 1}]}

        print(f"\nthroughput: gunicorn -w {WORKERS} --threads {THREADS}, {CLIENT_THREADS} client threads, "
              f"{LOAD_SECONDS:.0f} s each, 1,000 products")
        bare = throughput("bare Flask page", lambda: request(hello.url + "/")[0])
        rates = {
            "catalogue": throughput("catalogue /produkte", lambda: request(base + "/produkte")[0]),
            "product API": throughput("GET /api/v1/products", lambda: request(base + "/api/v1/products")[0]),
            "order placement": throughput(
                "POST /api/v1/orders", lambda: request(base + "/api/v1/orders", order, auth)[0]),
        }
        print("\nratio to the bare page:")
        for name, rate in rates.items():
            target = TARGETS.get(name)
            verdict = "" if target is None else (f"  (target ≥ {target}: "
                                                 f"{'ok' if rate / bare >= target else 'MISSED'})")
            print(f"  {name:<22} {rate / bare:6.2f}{verdict}")

        urls = {
            "catalogue page 1": "/produkte",
            "catalogue page 3": "/produkte?seite=3",
            "search 'Marmelade'": "/produkte?q=Marmelade",
            "search 'Nr. 777'": "/produkte?q=Nr.%20777",
            "API products": "/api/v1/products",
        }
        small = {name: median_ms(base + url) for name, url in urls.items()}
        print("\n" + run(flask + ["demo", "seed", "--products", "100000"], env))
        large = {name: median_ms(base + url) for name, url in urls.items()}
        print(f"\nmedian of {SAMPLES} sequential requests:")
        print(f"  {'':<22} {'1,000':>9} {'100,000':>9}  ratio (target ≤ 1.5)")
        for name in urls:
            ratio = large[name] / small[name]
            print(f"  {name:<22} {small[name]:7.1f}ms {large[name]:7.1f}ms  {ratio:5.2f}"
                  f"{'' if ratio <= 1.5 else '  MISSED'}")
    finally:
        app.stop()
        hello.stop()


if __name__ == "__main__":
    main()
