"""A producer's sales figures: revenue and quantities per ISO week (of the delivery day) and
product over a range of days, as a table, a CSV and a stacked bar chart (reports/charts.py).

Sold means an order line of an order that is confirmed or further on its way (confirmed,
packed, in transit, delivered, picked up); placed-but-unpaid, cancelled, expired, not collected
and returned orders do not count. Reads only; one grouped query per report.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

from marketplace.catalog.models import Product
from marketplace.catalog.services import format_price_text
from marketplace.catalog.spreadsheet import UNIT_NAMES
from marketplace.core.csv_export import spreadsheet_csv
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderLine, OrderStatus, ProducerOrder
from marketplace.reports.charts import PATTERNS, Columns, stack_columns

SOLD_STATUSES = (
    OrderStatus.CONFIRMED, OrderStatus.PACKED, OrderStatus.IN_TRANSIT, OrderStatus.DELIVERED,
    OrderStatus.PICKED_UP,
)
MAX_DAYS = 371  # a year and a week: at most 54 ISO weeks in a chart
CSV_HEADER = ("Woche", "Von", "Bis", "Artikelnummer", "Produkt", "Einheit", "Menge", "Umsatz")


def monday_of(day: date) -> date:
    return day - timedelta(days=day.isoweekday() - 1)


def default_range(today: date) -> tuple[date, date]:
    """This week, the eleven before and the two after, Monday to Sunday (coming orders count
    once confirmed)."""
    start = monday_of(today) - timedelta(weeks=11)
    return start, monday_of(today) + timedelta(weeks=2, days=6)


@dataclass(frozen=True)
class Week:
    monday: date

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def label(self) -> str:
        year, week, _ = self.monday.isocalendar()
        return f"KW {week}/{year % 100:02d}"


@dataclass
class ProductSales:
    product_id: int
    name: str
    unit: str
    article_number: str | None
    quantity: int = 0
    revenue_cents: int = 0
    # Monday of the week → (quantity, revenue in cents)
    by_week: dict[date, tuple[int, int]] = field(default_factory=dict)


@dataclass
class SalesFigures:
    start: date
    end: date
    weeks: list[Week]
    products: list[ProductSales]  # by revenue, highest first

    @property
    def total_cents(self) -> int:
        return sum(p.revenue_cents for p in self.products)

    def week_total_cents(self, week: Week) -> int:
        return sum(p.by_week.get(week.monday, (0, 0))[1] for p in self.products)


def get_sales_figures(producer_id: int, start: date, end: date) -> SalesFigures:
    """The producer's own sold lines with a delivery day in [start, end], per week and product."""
    rows = db.session.execute(
        select(Order.delivery_date, OrderLine.product_id,
               func.sum(OrderLine.quantity), func.sum(OrderLine.total_cents))
        .join(OrderLine.order).join(OrderLine.producer_order)
        .where(ProducerOrder.producer_id == producer_id, Order.delivery_date >= start,
               Order.delivery_date <= end, Order.status.in_(SOLD_STATUSES))
        .group_by(Order.delivery_date, OrderLine.product_id)
    ).all()
    ids = {product_id for _, product_id, _, _ in rows}
    products = {
        p.id: ProductSales(p.id, p.name, p.unit.value, p.article_number)
        for p in db.session.scalars(select(Product).where(Product.id.in_(ids)))
    } if ids else {}
    for day, product_id, quantity, revenue in rows:
        sales = products[product_id]
        monday = monday_of(day)
        old_quantity, old_revenue = sales.by_week.get(monday, (0, 0))
        sales.by_week[monday] = (old_quantity + int(quantity), old_revenue + int(revenue))
        sales.quantity += int(quantity)
        sales.revenue_cents += int(revenue)
    weeks, monday = [], monday_of(start)
    while monday <= end:
        weeks.append(Week(monday))
        monday += timedelta(weeks=1)
    ranked = sorted(products.values(), key=lambda p: (-p.revenue_cents, p.name, p.product_id))
    return SalesFigures(start, end, weeks, ranked)


def export_sales_csv(figures: SalesFigures) -> bytes:
    """One row per week and product sold, in the catalogue spreadsheet's German convention."""
    rows: list[tuple] = [CSV_HEADER]
    for week in figures.weeks:
        for p in sorted(figures.products, key=lambda p: (p.name, p.product_id)):
            quantity, revenue = p.by_week.get(week.monday, (0, 0))
            if quantity:
                rows.append((
                    week.label, week.monday.strftime("%d.%m.%Y"), week.sunday.strftime("%d.%m.%Y"),
                    p.article_number or "", p.name, UNIT_NAMES[p.unit], quantity, format_price_text(revenue),
                ))
    return spreadsheet_csv(rows)


# --- The chart: stacked bars per week, each product a pattern (reports/charts draws it) -------

SHOWN_PRODUCTS = len(PATTERNS) - 1  # the rest share the last pattern as "others"


def build_chart(figures: SalesFigures, others: str = "") -> Columns:
    """Revenue per week, stacked by product: the five best-selling products each with its own
    pattern, the rest together under the name `others`."""
    groups = [[p] for p in figures.products[:SHOWN_PRODUCTS]]
    names = [p.name for p in figures.products[:SHOWN_PRODUCTS]]
    if figures.products[SHOWN_PRODUCTS:]:
        groups.append(figures.products[SHOWN_PRODUCTS:])
        names.append(others)
    columns = [(week.label, [sum(p.by_week.get(week.monday, (0, 0))[1] for p in group) for group in groups])
               for week in figures.weeks]
    return stack_columns(columns, names)
