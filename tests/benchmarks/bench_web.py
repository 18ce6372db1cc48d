"""Web benchmark: Landkorb under `gunicorn -w 2 wsgi:app` loaded by wrk, against a bare Flask page.

Run with `make bench` (not collected by pytest). For SQLite (a seeded file in a temp dir) and
PostgreSQL (a database of its own on BENCH_POSTGRES_URL or TEST_DATABASE_URL's server, default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres, dropped at the end) it serves the app
and a bare "hello" Flask app with the same gunicorn settings and loads each with
`wrk -t2 -c4` (a client in C: a Python client caps the bare page near 2,000 requests/s on
this machine while wrk reaches several times that). It prints requests/s of the bare page,
of the anonymous catalogue page (page cache on) and of order placement
(`POST /api/v1/orders`, each answer must be 201), each as a ratio to the bare page measured
right before it, order placement's p95 latency, and the orders counted in the database.

`--db sqlite` or `--db postgresql` runs one database only; `--scaling` adds the catalogue and
search times at 1,000 and 100,000 products (page cache off, a Python client; about a minute
more on SQLite). BENCH_SECONDS (default 8) is the length of each timed run.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BIN = Path(PYTHON).parent
WORKERS = 2
WRK_THREADS, WRK_CONNECTIONS = 2, 4
LOAD_SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
TARGETS = {"catalogue": 0.5, "order placement": 0.02}
ORDER_PRODUCTS = 50  # orders cycle over this many products, as residents order different goods
SAMPLES = 31  # scaling: medians of many sequential requests (the machine is shared and noisy)

HELLO_MODULE = """
from flask import Flask
app = Flask(__name__)

@app.get("/")
def hello():
    return "hello"
"""

# Prints one JSON line after the run: requests, seconds, failed (socket errors and statuses
# >= 400), p50 and p95 in ms. Requests are numbered per wrk thread and spread over `ids`.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end

function done(summary, latency, requests)
  local e = summary.errors
  local failed = e.connect + e.read + e.write + e.status + e.timeout
  local created = 0
  for _, thread in ipairs(threads) do created = created + (thread:get("created") or 0) end
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "seconds": %.3f, "failed": %d, "created": %d, ' ..
    '"p50_ms": %.2f, "p95_ms": %.2f}\\n',
    summary.requests, summary.duration / 1e6, failed, created,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
"""

ORDER_SCRIPT = """
local ids = {ids}
local headers = {{["Content-Type"] = "application/json", ["Authorization"] = "Bearer {token}"}}
local n = 0
created = 0

function request()
  n = n + 1
  local body = string.format(
    '{{"delivery_date": "{day}", "payment_method": "pay_on_pickup", ' ..
    '"fulfilment": {{"kind": "sales_point", "pickup_place_id": {place}}}, ' ..
    '"items": [{{"product_id": %d, "quantity": 1}}]}}', ids[(n % #ids) + 1])
  return wrk.format("POST", "/api/v1/orders", headers, body)
end

function response(status, headers, body)
  if status == 201 then created = created + 1 end
end
"""


def ensure_wrk() -> str:
    """wrk from Debian: installed with apt-get when missing and running as root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (apt-get install -y wrk) …", flush=True)
        install = ["apt-get", "install", "-y", "-q", "wrk"]
        if subprocess.run(install, capture_output=True).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], capture_output=True)
            subprocess.run(install, capture_output=True)
        found = shutil.which("wrk")
        if found:
            return found
    raise SystemExit("make bench needs wrk: install it with `apt-get install wrk` (Debian/Ubuntu) "
                     "or from https://github.com/wg/wrk, then run it again")


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
    """`gunicorn -w 2 MODULE` on a free port of 127.0.0.1."""

    def __init__(self, module: str, env: dict, tmp: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(WORKERS), "-b", f"127.0.0.1:{self.port}",
             "--chdir", str(ROOT), "--pythonpath", str(tmp), "--log-level", "warning", module],
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


def wrk(binary: str, url: str, tmp: Path, script: str = "") -> dict:
    """One timed wrk run; its figures from the script's `done()`."""
    path = tmp / "bench.lua"
    path.write_text(script + WRK_SCRIPT)
    done = subprocess.run(
        [binary, f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{LOAD_SECONDS}s", "--timeout", "10s",
         "-s", str(path), url],
        capture_output=True, text=True,
    )
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("WRK_RESULT ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed:\n{done.stdout}\n{done.stderr}")
    result = json.loads(line.removeprefix("WRK_RESULT "))
    result["rate"] = result["requests"] / result["seconds"]
    return result


def postgres_admin_url() -> str:
    url = (os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_DATABASE_URL")
           or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def fresh_database(kind: str, tmp: Path) -> tuple[str, object]:
    """A SQLite file in `tmp`, or a new database on the PostgreSQL server; and how to drop it."""
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'bench.sqlite'}", lambda: None
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = make_url(postgres_admin_url())
    if admin.host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("the PostgreSQL server of the benchmark must be on this machine")
    name = f"lk_bench_{os.getpid()}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 (any driver error: say what to start)
        raise SystemExit(f"PostgreSQL at {admin.render_as_string()} is not usable ({error}); "
                         "start it, set BENCH_POSTGRES_URL, or run with --db sqlite") from None

    def drop() -> None:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    return admin.set(database=name).render_as_string(hide_password=False), drop


def execute(url: str, statement: str, rows: bool = False, **params) -> object:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        result = conn.execute(text(statement), params)
        if not result.returns_rows:
            value = None
        else:
            value = result.all() if rows else result.scalar()
    engine.dispose()
    return value


def verdict(name: str, ratio: float) -> str:
    target = TARGETS.get(name)
    if target is None:
        return ""
    return f"target ≥ {target}: {'ok' if ratio >= target else 'MISSED'}"


def bench(kind: str, binary: str, tmp: Path, servers: list[Server], scaling: bool) -> dict:
    database_url, drop_database = fresh_database(kind, tmp)
    try:
        return _bench(kind, binary, tmp, database_url, servers, scaling)
    finally:
        while servers:
            servers.pop().stop()
        drop_database()


def _bench(kind, binary, tmp, database_url, servers, scaling) -> dict:
    env = {
        **os.environ, "DATABASE_URL": database_url, "LANDKORB_ENV": "production",
        "SECRET_KEY": "bench-only-secret-key-0123456789", "PYTHONPATH": f"{ROOT}:{tmp}",
        # The load test logs in once, then orders: the login limit would only measure 429s.
        "RATELIMIT_ENABLED": "false",
    }
    env.pop("REDIS_URL", None)  # each worker keeps its own page cache
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    run(flask + ["db", "upgrade"], env)
    print(f"\n== {kind} ==  " + run(flask + ["demo", "seed", "--products", "1000"], env).replace("\n", "; "))
    # Enough stock that no order runs out during the run.
    execute(database_url, "UPDATE products SET stock = 10000000 WHERE stock IS NOT NULL")
    # Room enough at the sales points (orders go to one, paid on pickup: nobody takes cash at a
    # station), so that no order meets a full place during the run.
    execute(database_url, "UPDATE pickup_places SET capacity_ambient = NULL, capacity_chilled = NULL, "
                          "capacity_frozen = NULL WHERE kind = 'sales_point'")
    ids = [row[0] for row in execute(
        database_url, "SELECT id FROM products WHERE temperature = 'ambient' AND is_active "
                      "AND available_weekday_mask = 127 AND season_start IS NULL "
                      "AND producer_id IN (SELECT id FROM producers WHERE is_approved) "
                      "ORDER BY id LIMIT :n", rows=True, n=ORDER_PRODUCTS)]

    app = Server("wsgi:app", env, tmp)
    servers.append(app)
    hello = Server("bench_hello:app", env, tmp)
    servers.append(hello)
    status, body = request(app.url + "/api/v1/auth/token",
                           {"email": "resident@example.org", "password": "landkorb-demo"})
    assert status == 201, body
    token = json.loads(body)["token"]
    auth = {"Authorization": f"Bearer {token}"}
    day = json.loads(request(app.url + "/api/v1/delivery-days", headers=auth)[1])["items"][0]["date"]
    places = json.loads(request(app.url + "/api/v1/pickup-places", headers=auth)[1])["items"]
    def warm_order(place_id: int) -> dict:
        return {"delivery_date": day, "payment_method": "pay_on_pickup",
                "fulfilment": {"kind": "sales_point", "pickup_place_id": place_id},
                "items": [{"product_id": ids[0], "quantity": 1}]}

    # The first sales point open that day takes the orders.
    place = next(p["id"] for p in places if p["kind"] == "sales_point"
                 and request(app.url + "/api/v1/orders", warm_order(p["id"]), auth)[0] == 201)
    order_script = ORDER_SCRIPT.format(
        ids="{" + ", ".join(map(str, ids)) + "}", token=token, day=day, place=place)
    for _ in range(8):  # a connection per worker and the first-use costs, before the timed runs
        assert request(app.url + "/produkte")[0] == 200
        assert request(app.url + "/api/v1/orders", warm_order(place), auth)[0] == 201
        request(hello.url + "/")

    figures: dict[str, dict] = {}
    figures["bare, before catalogue"] = wrk(binary, hello.url + "/", tmp)
    figures["catalogue"] = wrk(binary, app.url + "/produkte", tmp)
    figures["bare, before orders"] = wrk(binary, hello.url + "/", tmp)
    orders_before = execute(database_url, "SELECT count(*) FROM orders")
    figures["order placement"] = wrk(binary, app.url + "/api/v1/orders", tmp, order_script)
    orders_after = execute(database_url, "SELECT count(*) FROM orders")
    placed = orders_after - orders_before

    catalogue = figures["catalogue"]["rate"] / figures["bare, before catalogue"]["rate"]
    ordering = figures["order placement"]["rate"] / figures["bare, before orders"]["rate"]
    orders = figures["order placement"]
    print(f"gunicorn -w {WORKERS} wsgi:app, wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS}, "
          f"{LOAD_SECONDS} s each, load average {os.getloadavg()[0]:.2f}")
    rows = [
        ("bare Flask page", figures["bare, before catalogue"], None, ""),
        ("catalogue /produkte", figures["catalogue"], catalogue, verdict("catalogue", catalogue)),
        ("bare Flask page", figures["bare, before orders"], None, ""),
        ("POST /api/v1/orders", orders, ordering, verdict("order placement", ordering)),
    ]
    for label, result, ratio, note in rows:
        shown = f"ratio {ratio:6.3f}" if ratio is not None else " " * 12
        print(f"  {label:<22} {result['rate']:8.1f} req/s  {shown}  p95 {result['p95_ms']:7.2f} ms"
              f"  ({result['requests']} requests, {result['failed']} failed)  {note}")
    # wrk stops with up to one request per connection unanswered; the server still places it.
    print(f"  orders: {orders['created']} answered 201 of {orders['requests']} answered; "
          f"{placed} new in the database (≤ {WRK_CONNECTIONS} more: in flight when wrk stopped)")
    problems = [label for label, result, _, _ in rows if result["failed"]]
    if orders["created"] != orders["requests"] or not (
        orders["created"] <= placed <= orders["created"] + WRK_CONNECTIONS
    ):
        problems.append("order placement: not every request placed exactly one order")
    # A delivery day of 2,000 order lines: pick and packing list, labels, as page, JSON, CSV, PDF.
    packing = subprocess.run([PYTHON, str(ROOT / "tests/benchmarks/bench_packing.py")], env=env,
                             capture_output=True, text=True)
    print(packing.stdout.rstrip() or packing.stderr[-2000:])
    if packing.returncode:
        problems.append("packing: the benchmark of a day of 2,000 lines failed")
    if scaling:
        scale(env, flask, tmp, servers)
    return {"kind": kind, "catalogue": catalogue, "orders": ordering, "p95_ms": orders["p95_ms"],
            "problems": problems}


def median_ms(url: str) -> tuple[float, int]:
    """Median time of SAMPLES sequential requests after a warm-up, and the products shown."""
    for _ in range(16):
        request(url)
    times = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        status, body = request(url)
        times.append((time.perf_counter() - started) * 1000)
        assert status == 200, (url, status)
    shown = body.count(b'class="card product-card"') or body.count(b'"producer":')
    return statistics.median(times), shown


def scale(env: dict, flask: list[str], tmp: Path, servers: list[Server]) -> None:
    """Catalogue and search at 1,000 and 100,000 products, page cache off (the queries)."""
    uncached = Server("wsgi:app", {**env, "PAGE_CACHE_SECONDS": "0"}, tmp)
    servers.append(uncached)
    urls = {
        "catalogue page 1": "/produkte",
        "catalogue page 3": "/produkte?seite=3",
        "search 'Marmelade'": "/produkte?q=Marmelade",
        "search 'festkochend'": "/produkte?q=festkochend",
        "API products": "/api/v1/products",
    }
    small = {name: median_ms(uncached.url + url) for name, url in urls.items()}
    print("  " + run(flask + ["demo", "seed", "--products", "100000"], env))
    large = {name: median_ms(uncached.url + url) for name, url in urls.items()}
    print(f"  median of {SAMPLES} sequential requests, page cache off, 1,000 → 100,000 products:")
    for name in urls:
        (small_ms, small_shown), (large_ms, large_shown) = small[name], large[name]
        ratio = large_ms / small_ms
        mark = "" if ratio <= 1.5 else "  MISSED (target ≤ 1.5)"
        print(f"    {name:<22} {small_ms:7.1f} ms → {large_ms:7.1f} ms  {ratio:5.2f}  "
              f"({small_shown} / {large_shown} shown){mark}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--scaling", action="store_true", help="also time 1,000 vs 100,000 products")
    args = parser.parse_args()
    binary = ensure_wrk()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    tmp = Path(tempfile.mkdtemp(prefix="landkorb-bench-"))
    (tmp / "bench_hello.py").write_text(textwrap.dedent(HELLO_MODULE))
    servers: list[Server] = []
    results = []
    try:
        for kind in kinds:
            results.append(bench(kind, binary, tmp, servers, args.scaling))
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print("\nratios to the bare page (targets: catalogue ≥ 0.5, order placement ≥ 0.02):")
    for result in results:
        print(f"  {result['kind']:<11} catalogue {result['catalogue']:.3f}  "
              f"order placement {result['orders']:.3f} (p95 {result['p95_ms']:.1f} ms)")
    problems = [f"{r['kind']}: {p}" for r in results for p in r["problems"]]
    missed = [f"{r['kind']}: {name} {ratio:.3f} < {TARGETS[name]}" for r in results
              for name, ratio in (("catalogue", r["catalogue"]), ("order placement", r["orders"]))
              if ratio < TARGETS[name]]
    for line in problems + missed:
        print("  " + line)
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
