"""The demo's sales-point staff has an assisted resident and her order to see after `make run`."""
from __future__ import annotations

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.admin.demo_assisted import seed_assisted_orders
from marketplace.orders.models import Order
from tests.conftest import NOW, login


def test_the_demo_sales_point_has_erna_and_her_order_once(demo, client, app, monkeypatch):
    from tests.api.conftest import Clock

    monkeypatch.setitem(app.config, "LANDKORB_CLOCK", Clock(NOW))
    assert seed_assisted_orders(NOW) == 1
    demo.session.commit()
    assert seed_assisted_orders(NOW) == 0  # idempotent
    demo.session.commit()
    erna = demo.session.scalars(select(User).where(User.name == "Erna Weber")).one()
    assert erna.email is None
    order = demo.session.scalars(select(Order).where(Order.resident_id == erna.id)).one()
    login(client, "salespoint@example.org")
    assert f"/hub/kunden/{erna.id}" in client.get("/hub?q=Erna").get_data(as_text=True)
    assert order.number in client.get(f"/hub/bestellungen/{order.id}/zettel").get_data(as_text=True)
