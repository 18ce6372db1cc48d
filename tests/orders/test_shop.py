"""Basket, checkout, confirmation, my orders and cancelling, through the HTML forms."""
from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.catalog.models import Product
from marketplace.orders import views
from marketplace.orders.models import CartItem, Order, OrderStatus
from marketplace.pickup.models import PickupPlace
from tests.conftest import NOW, csrf_token_from, login
from tests.factories import make_user
from tests.orders.shop_app import token_in


@pytest.fixture
def clock(monkeypatch):
    """The shop's clock, fixed at NOW (Monday 09:00 UTC) and movable by tests."""
    state = {"now": NOW}
    monkeypatch.setattr(views, "utcnow", lambda: state["now"])
    return state


@pytest.fixture
def resident(client, demo, clock):
    login(client, "resident@example.org")
    return client


def product(db, name) -> Product:
    return db.session.scalars(select(Product).where(Product.name == name)).one()


def place(db, name) -> PickupPlace:
    return db.session.scalars(select(PickupPlace).where(PickupPlace.name == name)).one()


def add(client, product_id, quantity="1"):
    token = csrf_token_from(client, f"/produkte/{product_id}")
    return client.post("/warenkorb/hinzufuegen", data={
        "product_id": str(product_id), "quantity": quantity, "csrf_token": token,
        "next": f"/produkte/{product_id}",
    })


def cart_quantities(db) -> dict[int, int]:
    db.session.expire_all()
    return dict(db.session.execute(select(CartItem.product_id, CartItem.quantity)).all())


def checkout(client, **fields):
    html = client.get("/kasse").get_data(as_text=True)
    key = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', html).group(1)
    data = {"csrf_token": token_in(html), "idempotency_key": key, **fields}
    return client.post("/kasse", data=data)


def test_anonymous_cart_asks_to_log_in(client, demo):
    html = client.get("/warenkorb").get_data(as_text=True)
    assert "Bitte melden Sie sich an" in html
    carrots = product(demo, "Möhren")
    response = client.post("/warenkorb/hinzufuegen", data={"product_id": carrots.id, "quantity": "1"})
    assert response.status_code == 400  # no CSRF token
    token = csrf_token_from(client, "/login")  # catalogue pages carry no token for anonymous visitors
    response = client.post(
        "/warenkorb/hinzufuegen",
        data={"product_id": carrots.id, "quantity": "1", "csrf_token": token},
    )
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_basket_across_producers_is_kept_in_the_database(resident, demo):
    carrots, bread = product(demo, "Möhren"), product(demo, "Eifeler Bauernbrot")
    assert add(resident, carrots.id, "2").status_code == 302
    assert add(resident, bread.id).status_code == 302
    assert add(resident, carrots.id, "1").status_code == 302
    assert cart_quantities(demo) == {carrots.id: 3, bread.id: 1}
    html = resident.get("/warenkorb").get_data(as_text=True)
    assert "Hofladen Schmitz" in html and "Bäckerei Hoffmann" in html
    assert "Zur Kasse" in html and "7 % MwSt." in html


@pytest.mark.parametrize("bad", ["0", "-1", "1.5", "abc", "10" + "0" * 12, "", "1e3", "１"])
def test_bad_quantity_to_add_is_a_form_error_and_changes_nothing(resident, demo, bad):
    carrots = product(demo, "Möhren")
    add(resident, carrots.id, "2")
    response = add(resident, carrots.id, bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "ganze Zahl von 1 bis 999" in html and f'value="{bad}"' in html
    assert cart_quantities(demo) == {carrots.id: 2}


@pytest.mark.parametrize("bad", ["0", "-1", "1.5", "abc", "1000000000000"])
def test_bad_quantity_in_the_basket_is_shown_next_to_the_line(resident, demo, bad):
    carrots = product(demo, "Möhren")
    add(resident, carrots.id, "2")
    token = csrf_token_from(resident, "/warenkorb")
    response = resident.post(f"/warenkorb/{carrots.id}", data={"quantity": bad, "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="qty-{carrots.id}-error"' in html and f'value="{bad}"' in html
    assert cart_quantities(demo) == {carrots.id: 2}


def test_more_than_in_stock_is_refused(resident, demo):
    beets = product(demo, "Rote Bete")  # 3 in stock
    response = add(resident, beets.id, "4")
    assert response.status_code == 422 and "nicht mehr genug" in response.get_data(as_text=True)
    assert cart_quantities(demo) == {}


def test_change_and_remove_basket_lines(resident, demo):
    carrots = product(demo, "Möhren")
    add(resident, carrots.id)
    token = csrf_token_from(resident, "/warenkorb")
    assert resident.post(f"/warenkorb/{carrots.id}", data={"quantity": "5", "csrf_token": token}).status_code == 302
    assert cart_quantities(demo) == {carrots.id: 5}
    assert resident.post(f"/warenkorb/{carrots.id}/entfernen", data={"csrf_token": token}).status_code == 302
    assert cart_quantities(demo) == {}


def test_checkout_happy_path_to_a_sales_point(resident, demo):
    carrots, bread = product(demo, "Möhren"), product(demo, "Eifeler Bauernbrot")
    stock_before = carrots.stock
    add(resident, carrots.id, "2")
    add(resident, bread.id, "1")
    html = resident.get("/kasse").get_data(as_text=True)
    assert "Dienstag, 3. März 2026" in html and "Bestellschluss" in html
    assert "Dorfbüro Monreal" in html and "km von Ihnen" in html
    station = place(demo, "Dorfbüro Monreal")
    response = checkout(resident, delivery_date="2026-03-03", fulfilment=f"sales_point:{station.id}")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    order = demo.session.scalars(select(Order)).one()
    assert order.delivery_date.isoformat() == "2026-03-03" and order.pickup_place_id == station.id
    assert order.total_cents == 2 * carrots.price_cents + bread.price_cents
    assert order.status == OrderStatus.CONFIRMED
    demo.session.refresh(carrots)
    assert carrots.stock == stock_before - 2
    assert cart_quantities(demo) == {}
    confirmation = resident.get(response.headers["Location"]).get_data(as_text=True)
    assert order.number in confirmation and "Dorfbüro Monreal" in confirmation
    assert "Möhren" in confirmation and "Eifeler Bauernbrot" in confirmation and "7 % MwSt." in confirmation
    mine = resident.get("/bestellungen").get_data(as_text=True)
    assert order.number in mine and "bestätigt" in mine
    detail = resident.get(f"/bestellungen/{order.id}").get_data(as_text=True)
    assert "Verlauf" in detail and "Bestellung stornieren" in detail


def test_checkout_sent_twice_places_one_order(resident, demo):
    carrots = product(demo, "Möhren")
    add(resident, carrots.id)
    html = resident.get("/kasse").get_data(as_text=True)
    key = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', html).group(1)
    station = place(demo, "Dorfbüro Monreal")
    data = {"csrf_token": token_in(html), "idempotency_key": key, "delivery_date": "2026-03-03",
            "fulfilment": f"sales_point:{station.id}"}
    first = resident.post("/kasse", data=data)
    assert first.status_code == 302
    add(resident, carrots.id)  # the basket filled again; the same form sent again
    second = resident.post("/kasse", data=data)
    assert second.headers.get("Location") == first.headers["Location"]
    assert demo.session.scalar(select(func.count()).select_from(Order)) == 1


def test_cold_goods_disable_an_ambient_only_place(resident, demo):
    milk = product(demo, "Frische Vollmilch")
    add(resident, milk.id)
    monreal = place(demo, "Dorfbüro Monreal")
    html = resident.get("/kasse").get_data(as_text=True)
    assert re.search(rf'value="sales_point:{monreal.id}"[^>]*disabled', html)
    assert "kalt gelagert" in html
    response = checkout(resident, delivery_date="2026-03-03", fulfilment=f"sales_point:{monreal.id}")
    assert response.status_code == 422
    assert "Abholorte" in response.get_data(as_text=True)
    assert demo.session.scalar(select(func.count()).select_from(Order)) == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"delivery_date": "2026-03-04"}, "angebotenen Liefertage"),
        ({"delivery_date": "morgen"}, "angebotenen Liefertage"),
        ({"fulfilment": "station:999999"}, "möglichen Abholorte"),
        ({"fulfilment": ""}, "möglichen Abholorte"),
    ],
)
def test_checkout_errors_are_shown_next_to_the_field(resident, demo, fields, message):
    carrots = product(demo, "Möhren")
    add(resident, carrots.id)
    station = place(demo, "Dorfbüro Monreal")
    data = {"delivery_date": "2026-03-03", "fulfilment": f"sales_point:{station.id}", **fields}
    response = checkout(resident, **data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert demo.session.scalar(select(func.count()).select_from(Order)) == 0
    assert cart_quantities(demo) == {carrots.id: 1}


def test_cutoff_passing_during_checkout_is_a_day_error(resident, demo, clock):
    carrots = product(demo, "Möhren")
    add(resident, carrots.id)
    station = place(demo, "Dorfbüro Monreal")
    html = resident.get("/kasse").get_data(as_text=True)
    key = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', html).group(1)
    clock["now"] = NOW + timedelta(hours=9)  # past Monday 18:00 local
    response = resident.post("/kasse", data={
        "csrf_token": token_in(html), "idempotency_key": key, "delivery_date": "2026-03-03",
        "fulfilment": f"sales_point:{station.id}",
    })
    assert response.status_code == 422
    assert demo.session.scalar(select(func.count()).select_from(Order)) == 0


def test_checkout_without_csrf_token_is_400(resident, demo):
    add(resident, product(demo, "Möhren").id)
    assert resident.post("/kasse", data={"delivery_date": "2026-03-03"}).status_code == 400


def test_checkout_without_address_in_the_region(client, demo, clock):
    stranger = make_user("fern@example.org")
    demo.session.commit()
    login(client, stranger.email, "correct-horse-battery")
    add(client, product(demo, "Möhren").id)
    html = client.get("/kasse").get_data(as_text=True)
    assert "Adresse angeben" in html


def place_one(resident, demo) -> Order:
    add(resident, product(demo, "Möhren").id, "2")
    station = place(demo, "Dorfbüro Monreal")
    assert checkout(resident, delivery_date="2026-03-03", fulfilment=f"sales_point:{station.id}").status_code == 302
    return demo.session.scalars(select(Order)).one()


def test_cancel_before_the_cutoff_gives_stock_back(resident, demo):
    carrots = product(demo, "Möhren")
    before = carrots.stock
    order = place_one(resident, demo)
    assert "Ja, stornieren" in resident.get(f"/bestellungen/{order.id}/stornieren").get_data(as_text=True)
    token = csrf_token_from(resident, f"/bestellungen/{order.id}/stornieren")
    response = resident.post(f"/bestellungen/{order.id}/stornieren", data={"csrf_token": token})
    assert response.status_code == 302
    demo.session.expire_all()
    assert demo.session.get(Order, order.id).status == OrderStatus.CANCELLED
    assert demo.session.get(Product, carrots.id).stock == before
    html = resident.get(f"/bestellungen/{order.id}").get_data(as_text=True)
    assert "storniert" in html


def test_cancel_after_the_cutoff_is_refused_with_a_clear_message(resident, demo, clock):
    order = place_one(resident, demo)
    token = csrf_token_from(resident, f"/bestellungen/{order.id}")
    clock["now"] = NOW + timedelta(hours=9)
    page = resident.get(f"/bestellungen/{order.id}").get_data(as_text=True)
    assert "Bestellung stornieren" not in page and "nicht mehr storniert" in page
    response = resident.post(f"/bestellungen/{order.id}/stornieren", data={"csrf_token": token})
    assert response.status_code == 302
    html = resident.get(response.headers["Location"]).get_data(as_text=True)
    assert "Bestellschluss für diesen Liefertag ist vorbei" in html
    demo.session.expire_all()
    assert demo.session.get(Order, order.id).status == OrderStatus.CONFIRMED


def test_cancel_without_csrf_token_is_400(resident, demo):
    order = place_one(resident, demo)
    assert resident.post(f"/bestellungen/{order.id}/stornieren").status_code == 400


def test_other_residents_order_is_404(client, demo, clock):
    login(client, "resident@example.org")
    order = place_one(client, demo)
    client.post("/logout", data={"csrf_token": csrf_token_from(client, "/")})
    other = make_user("nachbar@example.org", home=order.pickup_place.place)
    demo.session.commit()
    login(client, other.email, "correct-horse-battery")
    assert client.get(f"/bestellungen/{order.id}").status_code == 404
    assert client.get(f"/bestellungen/{order.id}/danke").status_code == 404
    token = csrf_token_from(client, "/bestellungen")
    assert client.post(f"/bestellungen/{order.id}/stornieren", data={"csrf_token": token}).status_code == 404
    assert order.number not in client.get("/bestellungen").get_data(as_text=True)


def test_order_pages_need_login(client, demo):
    for path in ("/bestellungen", "/kasse", "/bestellungen/1"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_sales_point_closed_on_the_chosen_day_is_shown_disabled_and_refused(resident, demo):
    from marketplace.pickup.models import OpeningHours, SalesPoint

    point = demo.session.scalars(
        select(SalesPoint).where(SalesPoint.name == "Dorfladen Kehrig")).one()
    # Closed on Tuesdays (3 March is the first delivery day offered), open on Fridays.
    point.opening_hours = [h for h in point.opening_hours if h.weekday != 2] or [
        OpeningHours(weekday=5, opens=time(8), closes=time(12))]
    demo.session.commit()
    bread = product(demo, "Eifeler Bauernbrot")
    add(resident, bread.id)
    html = resident.get("/kasse").get_data(as_text=True)
    choice = re.search(rf'<div class="choice disabled"[^>]*>\s*<input[^>]*value="sales_point:{point.id}"[^>]*>', html)
    assert choice and " disabled" in choice.group(0)
    assert "Geschlossen am:" in html and "Dienstag, 3. März 2026" in html
    orders_before = demo.session.scalar(select(func.count()).select_from(Order))
    response = checkout(resident, delivery_date="2026-03-03", fulfilment=f"sales_point:{point.id}")
    assert response.status_code == 422
    assert "hat am 03.03.2026 geschlossen" in response.get_data(as_text=True)
    assert demo.session.scalar(select(func.count()).select_from(Order)) == orders_before


def test_door_delivery_to_another_address_is_checked_against_the_sub_region(resident, demo):
    wine = demo.session.scalars(select(Product).where(Product.price_cents >= 1000, Product.stock > 3)).first()
    add(resident, wine.id, "3")  # above the door minimum
    base = {"delivery_date": "2026-03-03", "fulfilment": "door", "door_window": ""}
    # Andernach lies in Pellenz-Rhein, not in the resident's Eifel: refused, nothing ordered.
    response = checkout(resident, **base, door_street="Markt 1", door_postcode="56626", door_town="Andernach")
    assert response.status_code == 422
    assert "außerhalb Ihres Liefergebiets" in response.get_data(as_text=True)
    assert demo.session.scalar(select(func.count()).select_from(Order)) == 0
    # Mayen lies in the Eifel: the order goes to that door.
    response = checkout(resident, **base, door_street="Marktplatz 2", door_postcode="56727", door_town="Mayen")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    order = demo.session.scalars(select(Order)).one()
    assert (order.door_street, order.door_town) == ("Marktplatz 2", "Mayen")
