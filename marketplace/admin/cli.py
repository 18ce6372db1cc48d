"""`flask demo seed`: the demo region, idempotent, scalable for benchmarks."""
from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

from marketplace.admin.demo import seed_demo
from marketplace.core.clock import utcnow
from marketplace.extensions import db

# The planner's time limit per problem for the demo's closed day: two problems per sub-region
# (collection and distribution) of a handful of stops each; a coordinator may re-plan with more.
DEMO_PLAN_SECONDS = 0.25

demo_cli = AppGroup("demo", help="Demo data for the demo region (Landkreis Mayen-Koblenz).")


def refresh_planner_statistics() -> None:
    """After a bulk load the query planner still believes the tables are small: tell it.

    PostgreSQL's autovacuum would get there within minutes; SQLite never does by itself.
    VACUUM also marks the new rows all-visible, so PostgreSQL can answer from indexes alone.
    """
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")  # not allowed in a transaction
    else:
        # Committed: SQLite keeps the statistics in tables (sqlite_stat1) like any other write.
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


@demo_cli.command("seed")
@click.option("--products", type=click.IntRange(min=0), default=0, help="Top the catalogue up to N products.")
@click.option("--residents", type=click.IntRange(min=0), default=0, help="Top up to N generated residents.")
@click.option("--orders", type=click.IntRange(min=0), default=0, help="Top up to N generated orders.")
def seed(products: int, residents: int, orders: int) -> None:
    """Create the demo region if it is missing; safe to run again."""
    started = time.perf_counter()
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    try:
        report = seed_demo(
            now=utcnow(), products=products, residents=residents, orders=orders,
            password_hash_method=method, activity=True, plan_seconds=DEMO_PLAN_SECONDS,
            solver_workers=1, osrm_url=current_app.config.get("OSRM_URL"),
        )
    except ValueError as error:
        db.session.rollback()
        raise click.UsageError(str(error)) from None
    db.session.commit()
    activity = report.activity
    if report.products_added or report.residents_added or report.orders_added or activity.orders_added:
        refresh_planner_statistics()
    click.echo(
        f"demo region {'created' if report.created_region else 'already there'}; "
        f"added {report.products_added} products, {report.residents_added + activity.residents_added} residents, "
        f"{report.orders_added + activity.orders_added} orders, published {activity.tours_published} tours "
        f"in {time.perf_counter() - started:.1f} s"
    )
    if activity.orders_refused:
        click.echo(f"{activity.orders_refused} demo orders were refused by the checkout and left out", err=True)
