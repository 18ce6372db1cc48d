"""Fixtures: one database per test worker (SQLite file or a fresh PostgreSQL database), emptied after each test."""
from __future__ import annotations

import os
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from marketplace import create_app
from marketplace.extensions import db as _db

# A fixed moment for tests that do not care about the date: Monday, 2 March 2026, 09:00 UTC.
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def pytest_addoption(parser):
    parser.addoption(
        "--db", choices=("sqlite", "postgresql"), default=os.environ.get("LANDKORB_TEST_DB", "sqlite"),
        help="database to run the suite on; postgresql uses TEST_DATABASE_URL",
    )


def pytest_configure(config):
    if os.environ.get("CI", "").lower() == "true" and not os.environ.get("TEST_DATABASE_URL"):
        # In CI the PostgreSQL pass is part of the suite: missing it must fail, not skip.
        raise pytest.UsageError("CI=true needs TEST_DATABASE_URL for the PostgreSQL pass")
    config.addinivalue_line("markers", "postgresql: needs PostgreSQL (runs in the --db=postgresql pass)")
    config.addinivalue_line("markers", "sqlite: about SQLite itself (runs in the --db=sqlite pass only)")
    config.addinivalue_line("markers", "e2e: drives a real browser")
    config.addinivalue_line("markers", "slow: takes more than a few seconds")


def pytest_collection_modifyitems(config, items):
    # Tests of one database belong to that database's pass; the other pass leaves them out
    # instead of skipping them, so a skip never hides a test that did not run.
    other = "sqlite" if config.getoption("--db") == "postgresql" else "postgresql"
    kept = [item for item in items if other not in item.keywords]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if other in i.keywords])
        items[:] = kept


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def redis_test_url() -> str:
    """A Redis database of this test worker's own (REDIS_TEST_URL's number minus the worker's),
    so that one worker's flush or counters never meet another's."""
    url = urlsplit(os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15"))
    worker = _worker()
    offset = int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0
    number = max(int(url.path.strip("/") or 15) - offset, 0)
    return urlunsplit((url.scheme, url.netloc, f"/{number}", "", ""))


def postgres_admin_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        raise pytest.UsageError("--db=postgresql needs TEST_DATABASE_URL")
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


def create_postgres_database(prefix: str) -> str:
    """A new, empty PostgreSQL database on TEST_DATABASE_URL's server; returns its URL."""
    admin = make_url(postgres_admin_url())
    name = f"{prefix}_{_worker()}_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    admin = make_url(postgres_admin_url())
    name = make_url(url).database
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(request, tmp_path_factory):
    if request.config.getoption("--db") == "postgresql":
        url = create_postgres_database("lk_test")
        yield url
        drop_postgres_database(url)
    else:
        path: Path = tmp_path_factory.mktemp("db") / "landkorb.sqlite"
        yield f"sqlite:///{path}"


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def empty_all_tables() -> None:
    """Every table empty and its ids counting from 1 again, as on a new database.

    The catalogue's version row stays (and keeps counting): the page cache's keys never repeat.
    On PostgreSQL, DELETE with the foreign-key triggers off (the test role is a superuser) and
    the sequences set back: TRUNCATE of every table costs a few hundred milliseconds per test
    (new files for each table and index), the DELETEs of a test's few rows about ten."""
    tables = [t for t in reversed(_db.metadata.sorted_tables) if t.name != "catalog_versions"]
    postgresql = _db.engine.dialect.name == "postgresql"
    if postgresql:
        _db.session.execute(text("SET LOCAL session_replication_role = replica"))
    for table in tables:
        _db.session.execute(table.delete())
    if postgresql:
        _db.session.execute(text(
            "SELECT setval(seq, 1, false) FROM (SELECT pg_get_serial_sequence(quote_ident(t), c) AS seq "
            "FROM unnest(CAST(:tables AS text[]), CAST(:columns AS text[])) AS u(t, c)) AS s WHERE seq IS NOT NULL"
        ), {"tables": [t for t, _ in _serial_columns(tables)], "columns": [c for _, c in _serial_columns(tables)]})
    _db.session.commit()


def _serial_columns(tables) -> list[tuple[str, str]]:
    return [(table.name, column.name) for table in tables for column in table.primary_key.columns
            if column.autoincrement is True or (column.autoincrement == "auto" and len(table.primary_key.columns) == 1
                                                 and column.type.python_type is int)]


@pytest.fixture
def db(app):
    """The database, empty at the start of the test and emptied after it (real commits allowed)."""
    with app.app_context():
        yield _db
        _db.session.rollback()
        empty_all_tables()
        _db.session.remove()


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def demo(db):
    """The demo region as `flask demo seed` creates it."""
    from marketplace.admin.demo import seed_demo

    seed_demo(now=NOW, password_hash_method="pbkdf2:sha256:1000")
    db.session.commit()
    return db


_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(client, url: str = "/login") -> str:
    html = client.get(url).get_data(as_text=True)
    match = _TOKEN.search(html)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def login(client, email: str, password: str = "landkorb-demo"):
    token = csrf_token_from(client)
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response
