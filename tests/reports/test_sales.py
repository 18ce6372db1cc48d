"""A producer's sales figures: per week and product, own lines of sold orders only; chart, table, CSV."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest

from marketplace.accounts.models import Role
from marketplace.orders.models import OrderStatus
from marketplace.reports import charts, sales
from tests import factories as f
from tests.catalog.test_catalog import QueryCounter
from tests.conftest import login


@pytest.fixture
def shop(db):
    """Two producers; orders over three weeks of March 2026 (Tuesdays and Fridays)."""
    station = f.make_station()
    resident = f.make_user(home=station.place)
    mine, theirs = f.make_producer(station.place, name="Hof Eigen"), f.make_producer(station.place)
    eggs = f.make_product(mine, name="Eier", price_cents=300, article_number="EI")
    bread = f.make_product(mine, name="Brot", price_cents=450, unit="piece")
    foreign = f.make_product(theirs, name="Fremdhonig", price_cents=999)
    f.make_order(resident, [(eggs, 2), (bread, 1), (foreign, 5)], place=station, day=date(2026, 3, 3))
    f.make_order(resident, [(eggs, 1)], place=station, day=date(2026, 3, 6), status=OrderStatus.PICKED_UP)
    f.make_order(resident, [(eggs, 4)], place=station, day=date(2026, 3, 17))
    for status in (OrderStatus.CANCELLED, OrderStatus.EXPIRED, OrderStatus.PLACED, OrderStatus.RETURNED):
        f.make_order(resident, [(eggs, 10)], place=station, day=date(2026, 3, 10), status=status)
    f.make_order(resident, [(eggs, 7)], place=station, day=date(2026, 4, 7))  # after the range
    staff = f.make_user("hof@example.org", Role.PRODUCER, mine.id)
    f.make_user("fremd@example.org", Role.PRODUCER, theirs.id)
    db.session.commit()
    return type("Shop", (), dict(mine=mine, eggs=eggs, bread=bread, staff=staff))


def test_figures_are_per_week_and_product_of_sold_own_lines(shop):
    figures = sales.get_sales_figures(shop.mine.id, date(2026, 3, 1), date(2026, 3, 22))
    assert [w.monday for w in figures.weeks] == [date(2026, 2, 23), date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)]
    assert [(p.name, p.quantity, p.revenue_cents) for p in figures.products] == [("Eier", 7, 2100), ("Brot", 1, 450)]
    eggs = figures.products[0]
    assert eggs.by_week == {date(2026, 3, 2): (3, 900), date(2026, 3, 16): (4, 1200)}
    assert figures.total_cents == 2550
    assert [figures.week_total_cents(w) for w in figures.weeks] == [0, 1350, 0, 1200]


def test_the_csv_is_german_and_holds_one_row_per_week_and_product(shop):
    data = sales.export_sales_csv(sales.get_sales_figures(shop.mine.id, date(2026, 3, 1), date(2026, 3, 22)))
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == list(sales.CSV_HEADER)
    assert rows[1:] == [
        ["KW 10/26", "02.03.2026", "08.03.2026", "", "Brot", "Stück", "1", "4,50"],
        ["KW 10/26", "02.03.2026", "08.03.2026", "EI", "Eier", "Stück", "3", "9,00"],
        ["KW 12/26", "16.03.2026", "22.03.2026", "EI", "Eier", "Stück", "4", "12,00"],
    ]


def test_the_chart_stacks_products_with_patterns_and_labels_each_bar(shop):
    chart = sales.build_chart(sales.get_sales_figures(shop.mine.id, date(2026, 3, 1), date(2026, 3, 22)))
    assert [bar.total for bar in chart.bars] == [0, 1350, 0, 1200]
    week10 = chart.bars[1]
    assert [(s.title, s.pattern) for s in week10.segments] == [("Eier", "solid"), ("Brot", "diagonal")]
    assert week10.segments[0].height > week10.segments[1].height > 0
    assert chart.legend == [("solid", "Eier"), ("diagonal", "Brot")]
    assert chart.ticks[0][1] == 0 and chart.ticks[-1][1] >= 1350


def _one_of_each(names: list[str]) -> int:
    """A producer whose products `names` (1 €, 2 €, …) sold once each on 3 March 2026; its id."""
    station = f.make_station()
    resident = f.make_user(home=station.place)
    producer = f.make_producer(station.place)
    products = [f.make_product(producer, name=name, price_cents=100 * (i + 1)) for i, name in enumerate(names)]
    f.make_order(resident, [(p, 1) for p in products], place=station, day=date(2026, 3, 3))
    return producer.id


def test_more_than_five_products_share_the_last_pattern(db):
    producer_id = _one_of_each([f"P{i}" for i in range(7)])
    chart = sales.build_chart(sales.get_sales_figures(producer_id, date(2026, 3, 2), date(2026, 3, 8)))
    assert [name for _, name in chart.legend] == ["P6", "P5", "P4", "P3", "P2", ""]
    assert chart.bars[0].segments[-1].value == 100 + 200


def test_the_chart_svg_names_itself_and_carries_every_value(db):
    producer_id = _one_of_each([f"<b>P{i}</b>" for i in range(6)])
    chart = sales.build_chart(sales.get_sales_figures(producer_id, date(2026, 3, 2), date(2026, 3, 15)),
                              others="andere & mehr")
    svg = charts.stacked_column_chart(chart, title="Umsatz je Woche", description="Balken je Woche",
                                      legend_label='Legende "Muster"', label=lambda c: f"{c / 100:.2f} €")
    title_id, desc_id = re.search(r'aria-labelledby="([^" ]+) ([^"]+)"', svg).groups()
    assert f'<title id="{title_id}">Umsatz je Woche</title>' in svg and f'<desc id="{desc_id}">Balken je Woche</desc>' in svg
    assert "<b>" not in svg and "&lt;b&gt;P5&lt;/b&gt;" in svg and "andere &amp; mehr" in svg
    assert "<title>KW 10/26: andere &amp; mehr, 1.00 €</title>" in svg  # P0, the sixth
    assert ">21.00 €</text>" in svg and "KW 11/26" in svg  # the week's total; an empty week's label
    assert "aria-label='Legende \"Muster\"'" in svg
    assert svg.count("<li>") == 6 and "<script" not in svg


def test_a_product_name_that_starts_like_a_formula_is_guarded_in_the_csv(shop, db):
    shop.bread.name = "=HYPERLINK(1)"
    db.session.commit()
    data = sales.export_sales_csv(sales.get_sales_figures(shop.mine.id, date(2026, 3, 1), date(2026, 3, 22)))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert ["KW 10/26", "02.03.2026", "08.03.2026", "", "'=HYPERLINK(1)", "Stück", "1", "4,50"] in rows


def test_the_page_shows_chart_table_and_csv_link(client, shop):
    login(client, "hof@example.org", f.TEST_PASSWORD)
    response = client.get("/me/producer/sales?von=2026-03-01&bis=2026-03-22")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<svg" in html and 'role="img"' in html and "pat-diagonal" in html
    assert "<script" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "Fremdhonig" not in html and "Eier" in html and "KW 12/26" in html
    assert re.search(r"21,00\s*€", html)  # the eggs' revenue in the table
    download = client.get("/me/producer/sales.csv?von=2026-03-01&bis=2026-03-22")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert "Fremdhonig" not in download.get_data(as_text=True)


def test_another_producer_sees_only_its_own_figures(client, shop):
    login(client, "fremd@example.org", f.TEST_PASSWORD)
    html = client.get("/me/producer/sales?von=2026-03-01&bis=2026-03-22").get_data(as_text=True)
    assert "Fremdhonig" in html and "Eier" not in html
    assert "Eier" not in client.get("/me/producer/sales.csv?von=2026-03-01&bis=2026-03-22").get_data(as_text=True)


@pytest.mark.parametrize("query", [
    "von=2026-03-22&bis=2026-03-01",  # the wrong way round
    "von=2025-01-01&bis=2026-03-01",  # more than a year
    "von=gestern&bis=2026-03-01",
    "von=2026-03-01",
])
def test_a_bad_range_is_a_form_error(client, shop, query):
    login(client, "hof@example.org", f.TEST_PASSWORD)
    for path in ("/me/producer/sales", "/me/producer/sales.csv"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 422
        assert 'class="error"' in response.get_data(as_text=True)


def test_the_default_range_is_twelve_weeks_back_and_two_ahead(client, shop):
    assert sales.default_range(date(2026, 3, 4)) == (date(2025, 12, 15), date(2026, 3, 22))
    login(client, "hof@example.org", f.TEST_PASSWORD)
    assert client.get("/me/producer/sales").status_code == 200


def test_the_figures_are_for_producers_only(client, db):
    f.make_user("bewohner@example.org")
    db.session.commit()
    assert client.get("/me/producer/sales").status_code == 302  # to the login
    login(client, "bewohner@example.org", f.TEST_PASSWORD)
    assert client.get("/me/producer/sales").status_code == 403
    assert client.get("/me/producer/sales.csv").status_code == 403


def test_the_page_issues_the_same_queries_for_few_and_many_lines(client, db):
    station = f.make_station()
    resident = f.make_user(home=station.place)
    producer = f.make_producer(station.place)
    products = [f.make_product(producer, name=f"Ware {i:02d}") for i in range(12)]
    f.make_user("hof@example.org", Role.PRODUCER, producer.id)
    f.make_order(resident, [(products[0], 1)], place=station, day=date(2026, 3, 3))
    db.session.commit()
    login(client, "hof@example.org", f.TEST_PASSWORD)
    url = "/me/producer/sales?von=2026-01-01&bis=2026-06-30"
    db.session.expunge_all()  # every counted request starts with an empty session
    with QueryCounter(db.engine) as few:
        assert client.get(url).status_code == 200
    station, resident, products = db.session.merge(station), db.session.merge(resident), [db.session.merge(p) for p in products]
    for week in range(20):
        f.make_order(resident, [(p, 2) for p in products], place=station, day=date(2026, 1, 6) + timedelta(weeks=week))
    db.session.commit()
    db.session.expunge_all()
    with QueryCounter(db.engine) as many:
        html = client.get(url).get_data(as_text=True)
    assert "Ware 11" in html and many.count == few.count
