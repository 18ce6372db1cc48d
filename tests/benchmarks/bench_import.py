"""Import benchmark: a 5,000-row catalogue CSV, checked and written in one transaction.

Run with `make bench-import` (not collected by pytest). Uses a fresh SQLite file in a temp dir,
or with BENCH_POSTGRES_URL=postgresql://…/postgres a new database on that server (dropped at the
end). Prints the seconds of: the check alone (dry run), the import that creates 5,000 products,
the same file again (all unchanged), and a file that changes every price (5,000 updated); each
a median of BENCH_REPEAT runs (default 3) on a fresh database state.
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

from sqlalchemy import create_engine, delete, text  # noqa: E402 - after the sys.path line
from sqlalchemy.engine import make_url  # noqa: E402

from marketplace import create_app  # noqa: E402
from marketplace.catalog.models import Category, Producer, Product  # noqa: E402
from marketplace.catalog.spreadsheet import HEADER, import_catalog  # noqa: E402
from marketplace.core.clock import utcnow  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.regions.models import Municipality, Place, Region, SubRegion  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "5000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
UNITS = ("kg", "Stück", "500 g", "Bund", "Liter")
TEMPERATURES = ("ungekühlt", "gekühlt", "tiefgekühlt")


def catalogue_csv(rows: int, price_cents: int = 199) -> bytes:
    lines = [";".join(HEADER)]
    for i in range(rows):
        price = price_cents + i % 300
        stock = "" if i % 7 == 0 else str(i % 90)
        lines.append(
            f"A-{i:05d};Produkt Nummer {i};Kategorie {i % 8};{UNITS[i % 5]};{price // 100},{price % 100:02d};"
            f"{7 if i % 4 else 19};{TEMPERATURES[i % 3]};0,{1 + i % 9};{stock};{'ja' if i % 11 else 'nein'};"
            f"Beschreibung {i}"
        )
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def database_url(tmp: str) -> tuple[str, callable]:
    admin = os.environ.get("BENCH_POSTGRES_URL")
    if not admin:
        return f"sqlite:///{tmp}/bench-import.sqlite", lambda: None
    admin_url = make_url(admin.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"lk_bench_import_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    return admin_url.set(database=name).render_as_string(hide_password=False), drop


def seed() -> int:
    region = Region(slug="r", name="Region")
    sub = SubRegion(region=region, slug="s", name="Teilregion")
    place = Place(municipality=Municipality(sub_region=sub, name="VG"), name="Dorf", lat=50.3, lon=7.2,
                  kind="village", postcode="56727")
    producer = Producer(slug="hof", name="Hof", place=place, is_approved=True)
    db.session.add_all([producer, *(Category(slug=f"k{i}", name=f"Kategorie {i}", position=i) for i in range(8))])
    db.session.commit()
    return producer.id


def timed(producer_id: int, data: bytes, *, dry_run: bool = False):
    db.session.expunge_all()
    producer = db.session.get(Producer, producer_id)
    started = time.perf_counter()
    result = import_catalog(producer=producer, data=data, now=utcnow(), dry_run=dry_run)
    if result.errors:
        raise SystemExit(f"unexpected errors: {result.errors[:3]}")
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return time.perf_counter() - started, result


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url, drop = database_url(tmp)
        try:
            app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
            with app.app_context():
                db.create_all()
                producer_id = seed()
                first, changed = catalogue_csv(ROWS), catalogue_csv(ROWS, price_cents=250)
                figures: dict[str, list[float]] = {"check only (dry run)": [], "create": [],
                                                   "again, all unchanged": [], "update every price": []}
                for _ in range(REPEAT):
                    db.session.execute(delete(Product))
                    db.session.commit()
                    for label, data, dry in (("check only (dry run)", first, True), ("create", first, False),
                                             ("again, all unchanged", first, False),
                                             ("update every price", changed, False)):
                        seconds, result = timed(producer_id, data, dry_run=dry)
                        figures[label].append(seconds)
                    assert result.updated == ROWS, result
                print(f"catalogue import, {ROWS} rows, {db.engine.dialect.name}, median of {REPEAT}:")
                for label, values in figures.items():
                    print(f"  {label:<22} {statistics.median(values):6.2f} s")
                db.session.remove()
                db.engine.dispose()
        finally:
            drop()


if __name__ == "__main__":
    main()
