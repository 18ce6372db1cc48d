"""A producer's sales figures: revenue and quantities per ISO week (of the delivery day) and
product over a range of days, as a table, a CSV and an SVG bar chart drawn on the server.

Sold means an order line of an order that is confirmed or further on its way (confirmed,
packed, in transit, delivered, picked up); placed-but-unpaid, cancelled, expired, not collected
and returned orders do not count. Reads only; one grouped query per report.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

from marketplace.catalog.models import Product
from marketplace.catalog.services import format_price_text
from marketplace.catalog.spreadsheet import UNIT_NAMES
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderLine, OrderStatus, ProducerOrder

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
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for week in figures.weeks:
        for p in sorted(figures.products, key=lambda p: (p.name, p.product_id)):
            quantity, revenue = p.by_week.get(week.monday, (0, 0))
            if quantity:
                writer.writerow((
                    week.label, week.monday.strftime("%d.%m.%Y"), week.sunday.strftime("%d.%m.%Y"),
                    p.article_number or "", p.name, UNIT_NAMES[p.unit], quantity, format_price_text(revenue),
                ))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# --- The chart: stacked bars per week, each product a pattern (readable without colour) ------

PATTERNS = ("solid", "diagonal", "dots", "cross", "horizontal", "vertical")
SHOWN_PRODUCTS = len(PATTERNS) - 1  # the rest share the last pattern as "others"
WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 24, 48


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    pattern: str
    title: str  # product name; the template adds the amount
    revenue_cents: int


@dataclass(frozen=True)
class Bar:
    label: str
    x: float  # centre
    top: float
    total_cents: int
    segments: list[Segment]
    show_label: bool


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    plot_bottom: float
    plot_right: float
    bars: list[Bar]
    ticks: list[tuple[float, int]]  # (y, cents)
    legend: list[tuple[str, str]]  # (pattern, name); the name "" is "others"


def _nice_step(top_cents: int) -> int:
    """A round step for four or five grid lines up to `top_cents`."""
    raw = max(top_cents / 4, 100)
    magnitude = 10 ** (len(str(int(raw))) - 1)
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return int(factor * magnitude)
    return int(10 * magnitude)


def build_chart(figures: SalesFigures) -> Chart:
    shown = figures.products[:SHOWN_PRODUCTS]
    rest = figures.products[SHOWN_PRODUCTS:]
    groups = [(PATTERNS[i], p.name, [p]) for i, p in enumerate(shown)]
    if rest:
        groups.append((PATTERNS[-1], "", rest))
    highest = max((figures.week_total_cents(w) for w in figures.weeks), default=0)
    step = _nice_step(highest)
    top_cents = max(step * -(-highest // step), step)
    plot_height = HEIGHT - TOP - BOTTOM
    plot_width = WIDTH - LEFT - RIGHT
    slot = plot_width / max(len(figures.weeks), 1)
    bar_width = slot * 0.7
    every = max(1, -(-len(figures.weeks) // 14))  # at most 14 week labels under the axis
    bars = []
    for i, week in enumerate(figures.weeks):
        x = LEFT + slot * i + (slot - bar_width) / 2
        y = TOP + plot_height
        segments = []
        for pattern, name, products in groups:
            revenue = sum(p.by_week.get(week.monday, (0, 0))[1] for p in products)
            if revenue <= 0:
                continue
            height = plot_height * revenue / top_cents
            y -= height
            segments.append(Segment(round(x, 1), round(y, 1), round(bar_width, 1), round(height, 1),
                                    pattern, name, revenue))
        bars.append(Bar(week.label, round(x + bar_width / 2, 1), round(y, 1),
                        figures.week_total_cents(week), segments, i % every == 0))
    ticks = [(round(TOP + plot_height - plot_height * c / top_cents, 1), c)
             for c in range(0, top_cents + 1, step)]
    legend = [(pattern, name) for pattern, name, _ in groups]
    return Chart(WIDTH, HEIGHT, LEFT, TOP + plot_height, WIDTH - RIGHT, bars, ticks, legend)
