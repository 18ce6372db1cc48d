"""POST/GET /api/v1/orders: the same rules as the shop, as JSON problems, and nothing changed on refusal."""
from __future__ import annotations

import pytest

from marketplace.extensions import db
from tests import factories as f
from tests.api.conftest import token_for
from tests.orders.helpers import (
    AFTER_MONDAY_CUTOFF,
    FRIDAY,
    TUESDAY,
    WEDNESDAY,
    count_orders,
    stocks,
)


def _body(world, items, **kw):
    return {
        "delivery_date": kw.pop("delivery_date", TUESDAY.isoformat()),
        "fulfilment": kw.pop("fulfilment", {"kind": "sales_point", "pickup_place_id": world.chilled_sales_point.id}),
        "payment_method": "pay_on_pickup",
        "items": items,
        **kw,
    }


def _refused(client, auth, world, body, status, code, headers=None):
    before = stocks(world.bread, world.milk, world.wine)
    orders = count_orders()
    response = client.post("/api/v1/orders", json=body, headers={**auth, **(headers or {})})
    assert response.status_code == status, response.get_json()
    problem = response.get_json()
    assert problem["error"] == code and problem["detail"]
    assert set(problem) == {"error", "detail"}
    assert stocks(world.bread, world.milk, world.wine) == before and count_orders() == orders
    return problem


def test_an_order_is_placed_and_confirmed_with_lines_totals_and_vat(client, auth, world):
    response = client.post("/api/v1/orders", json=_body(world, [
        {"product_id": world.bread.id, "quantity": 2}, {"product_id": world.wine.id, "quantity": 1},
        {"product_id": world.milk.id, "quantity": 1},
    ]), headers=auth)
    assert response.status_code == 201, response.get_json()
    order = response.get_json()
    assert order["number"].startswith("LK-") and order["status"] == "confirmed"
    assert order["delivery_date"] == "2026-03-03"
    assert order["fulfilment"]["kind"] == "sales_point"
    assert order["fulfilment"]["pickup_place_id"] == world.chilled_sales_point.id
    assert order["total_cents"] == 900 + 1290 + 149
    assert order["vat"] == [
        {"rate": 7, "gross_cents": 1049, "vat_cents": 69, "net_cents": 980},
        {"rate": 19, "gross_cents": 1290, "vat_cents": 206, "net_cents": 1084},
    ]
    assert {(line["product_id"], line["quantity"], line["unit_price_cents"], line["total_cents"])
            for line in order["lines"]} == {
        (world.bread.id, 2, 450, 900), (world.wine.id, 1, 1290, 1290), (world.milk.id, 1, 149, 149),
    }
    assert order["payment"]["next_action"] == "none"
    assert stocks(world.bread, world.wine) == {world.bread.id: 18, world.wine.id: 4}


def test_a_client_sent_price_or_total_is_ignored(client, auth, world):
    body = _body(world, [{"product_id": world.bread.id, "quantity": 2, "price_cents": 1,
                          "unit_price_cents": 1, "total_cents": 2}], total_cents=1, price=0)
    order = client.post("/api/v1/orders", json=body, headers=auth).get_json()
    assert order["total_cents"] == 900 and order["lines"][0]["unit_price_cents"] == 450


@pytest.mark.parametrize("quantity", [0, -1, 1.5, "abc", 10**12, True, None, "2"])
def test_a_bad_quantity_gets_422_and_changes_nothing(client, auth, world, quantity):
    _refused(client, auth, world, _body(world, [{"product_id": world.bread.id, "quantity": quantity}]),
             422, "invalid_quantity")


@pytest.mark.parametrize("product_id", [999_999, "1", 1.0, None, True])
def test_an_unknown_product_gets_422(client, auth, world, product_id):
    _refused(client, auth, world, _body(world, [{"product_id": product_id, "quantity": 1}]),
             422, "unknown_product")


def test_an_inactive_product_gets_422(client, auth, world):
    world.wine.is_active = False
    db.session.commit()
    _refused(client, auth, world, _body(world, [
        {"product_id": world.bread.id, "quantity": 1}, {"product_id": world.wine.id, "quantity": 1},
    ]), 422, "product_unavailable")


def test_two_lines_of_one_product_above_stock_get_409_and_nothing_is_taken(client, auth, world):
    _refused(client, auth, world, _body(world, [
        {"product_id": world.bread.id, "quantity": 1},
        {"product_id": world.wine.id, "quantity": 3}, {"product_id": world.wine.id, "quantity": 3},
    ]), 409, "out_of_stock")


def test_a_date_outside_the_schedule_or_past_its_cutoff_is_refused(client, auth, world, clock):
    items = [{"product_id": world.bread.id, "quantity": 1}]
    _refused(client, auth, world, _body(world, items, delivery_date=WEDNESDAY.isoformat()), 422, "not_a_delivery_day")
    for bad in ("2026-02-30", "03.03.2026", 20260303, None):
        _refused(client, auth, world, _body(world, items, delivery_date=bad), 422, "invalid_input")
    clock.now = AFTER_MONDAY_CUTOFF
    _refused(client, auth, world, _body(world, items), 409, "cutoff_passed")
    assert client.post("/api/v1/orders", json=_body(world, items, delivery_date=FRIDAY.isoformat()),
                       headers=auth).status_code == 201


def test_a_pickup_place_of_another_sub_region_is_refused(client, auth, world):
    _refused(client, auth, world, _body(world, [{"product_id": world.bread.id, "quantity": 1}],
             fulfilment={"kind": "station", "pickup_place_id": world.other_station.id}),
             422, "wrong_sub_region")


def test_chilled_goods_to_an_ambient_only_place_are_refused(client, auth, world):
    _refused(client, auth, world, _body(world, [{"product_id": world.milk.id, "quantity": 1}],
             fulfilment={"kind": "sales_point", "pickup_place_id": world.sales_point.id}),
             422, "cold_chain_broken")


@pytest.mark.parametrize(("body_change", "code"), [
    ({"items": []}, "empty_order"),
    ({"items": "bread"}, "invalid_input"),
    ({"items": [5]}, "invalid_input"),
    ({"fulfilment": "station"}, "invalid_input"),
    ({"fulfilment": {"kind": "drone"}}, "invalid_fulfilment"),
    ({"fulfilment": {"kind": "station", "pickup_place_id": "1"}}, "pickup_place_unavailable"),
    ({"payment_method": "stripe"}, "payment_method_unavailable"),
    ({"payment_method": 1}, "invalid_input"),
])
def test_malformed_order_bodies_get_422(client, auth, world, body_change, code):
    body = {**_body(world, [{"product_id": world.bread.id, "quantity": 1}]), **body_change}
    _refused(client, auth, world, body, 422, code)


def test_door_delivery_through_the_api(client, auth, world):
    _refused(client, auth, world, _body(world, [{"product_id": world.bread.id, "quantity": 1}],
             fulfilment={"kind": "door"}), 422, "below_door_minimum")
    response = client.post("/api/v1/orders", json=_body(
        world, [{"product_id": world.wine.id, "quantity": 2}], fulfilment={"kind": "door", "window": "08:00-12:00"},
    ), headers=auth)
    assert response.status_code == 201
    assert response.get_json()["delivery_fee_cents"] == 390 and response.get_json()["total_cents"] == 2970


def test_the_same_idempotency_key_and_body_return_the_same_order(client, auth, world):
    body = _body(world, [{"product_id": world.bread.id, "quantity": 2}])
    headers = {**auth, "Idempotency-Key": "abc-123"}
    first = client.post("/api/v1/orders", json=body, headers=headers)
    again = client.post("/api/v1/orders", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json()["id"] == again.get_json()["id"]
    assert count_orders() == 1 and stocks(world.bread) == {world.bread.id: 18}
    other = _body(world, [{"product_id": world.bread.id, "quantity": 3}])
    _refused(client, auth, world, other, 422, "idempotency_mismatch", headers={"Idempotency-Key": "abc-123"})


def test_a_resident_without_a_home_cannot_order(client, world):
    user = f.make_user()
    db.session.commit()
    headers = {"Authorization": f"Bearer {token_for(client, user.email)}"}
    _refused(client, headers, world, _body(world, [{"product_id": world.bread.id, "quantity": 1}]),
             422, "no_home_address")


def _place(client, auth, world, quantity=1):
    response = client.post("/api/v1/orders", json=_body(world, [{"product_id": world.bread.id, "quantity": quantity}]), headers=auth)
    assert response.status_code == 201
    return response.get_json()


def test_my_orders_are_listed_newest_first_with_their_history(client, auth, world):
    first = _place(client, auth, world)
    second = _place(client, auth, world)
    listing = client.get("/api/v1/orders?per_page=1", headers=auth).get_json()
    assert listing["total"] == 2 and listing["pages"] == 2 and len(listing["items"]) == 1
    page2 = client.get("/api/v1/orders?per_page=1&page=2", headers=auth).get_json()
    assert {listing["items"][0]["id"], page2["items"][0]["id"]} == {first["id"], second["id"]}
    detail = client.get(f"/api/v1/orders/{first['id']}", headers=auth).get_json()
    assert [e["kind"] for e in detail["events"]] == ["placed", "confirmed"]


@pytest.mark.parametrize("query", ["per_page=101", "per_page=0", "page=0", "page=abc", "per_page=1.5", "page=-1"])
def test_bad_paging_gets_422(client, auth, world, query):
    response = client.get(f"/api/v1/orders?{query}", headers=auth)
    assert response.status_code == 422 and response.get_json()["error"] == "invalid_input"


def test_someone_elses_order_is_404_and_cannot_be_cancelled(client, auth, world):
    order = _place(client, auth, world)
    neighbour = f.make_user(home=world.resident.home_place)
    db.session.commit()
    theirs = {"Authorization": f"Bearer {token_for(client, neighbour.email)}"}
    assert client.get(f"/api/v1/orders/{order['id']}", headers=theirs).status_code == 404
    response = client.post(f"/api/v1/orders/{order['id']}/cancel", headers=theirs)
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    assert client.get("/api/v1/orders", headers=theirs).get_json()["total"] == 0
    assert client.get(f"/api/v1/orders/{order['id']}", headers=auth).get_json()["status"] == "confirmed"
    assert stocks(world.bread) == {world.bread.id: 19}


def test_cancel_before_the_cutoff_gives_stock_back(client, auth, world):
    order = _place(client, auth, world, quantity=4)
    assert stocks(world.bread) == {world.bread.id: 16}
    response = client.post(f"/api/v1/orders/{order['id']}/cancel", headers=auth)
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    assert stocks(world.bread) == {world.bread.id: 20}
    again = client.post(f"/api/v1/orders/{order['id']}/cancel", headers=auth)
    assert again.status_code == 409 and again.get_json()["error"] == "invalid_transition"
    assert stocks(world.bread) == {world.bread.id: 20}


def test_cancel_after_the_cutoff_gets_409_and_changes_nothing(client, auth, world, clock):
    order = _place(client, auth, world, quantity=4)
    clock.now = AFTER_MONDAY_CUTOFF
    response = client.post(f"/api/v1/orders/{order['id']}/cancel", headers=auth)
    assert response.status_code == 409 and response.get_json()["error"] == "cutoff_passed"
    detail = client.get(f"/api/v1/orders/{order['id']}", headers=auth).get_json()
    assert detail["status"] == "confirmed" and len(detail["events"]) == 2
    assert stocks(world.bread) == {world.bread.id: 16}


@pytest.mark.parametrize("bad_id", [0, -3, 2**63, 10**30])
def test_ids_out_of_any_range_are_an_unknown_product_or_place_not_a_500(client, auth, world, bad_id):
    _refused(client, auth, world, _body(world, [{"product_id": bad_id, "quantity": 1}]),
             422, "unknown_product")
    _refused(client, auth, world, _body(world, [{"product_id": world.bread.id, "quantity": 1}],
                                        fulfilment={"kind": "station", "pickup_place_id": bad_id}),
             422, "pickup_place_unavailable")


def test_a_sales_point_closed_that_weekday_gets_409_pickup_place_closed(client, auth, world):
    friday_only = f.make_sales_point(f.make_place(world.station.place.municipality),
                                     hours=((5, "08:00", "12:00"),))
    db.session.commit()
    body = _body(world, [{"product_id": world.bread.id, "quantity": 1}],
                 fulfilment={"kind": "sales_point", "pickup_place_id": friday_only.id})
    _refused(client, auth, world, body, 409, "pickup_place_closed")
    body["delivery_date"] = FRIDAY.isoformat()
    assert client.post("/api/v1/orders", json=body, headers=auth).status_code == 201


def test_door_delivery_to_another_address_is_located_and_refused_outside_the_sub_region(client, auth, world):
    inside = f.make_place(world.station.place.municipality, name="Feldheim", lat=50.33, lon=7.2)
    outside = f.make_place(f.make_municipality(world.other_sub_region), name="Fernau", lat=50.33, lon=7.2)
    db.session.commit()
    items = [{"product_id": world.wine.id, "quantity": 2}]
    away = {"kind": "door", "street": "Am Markt 1", "postcode": "56727", "town": outside.name}
    _refused(client, auth, world, _body(world, items, fulfilment=away), 422, "address_outside_sub_region")
    nowhere = {"kind": "door", "street": "Weg 1", "postcode": "00000", "town": "Nirgendwo"}
    _refused(client, auth, world, _body(world, items, fulfilment=nowhere), 422, "address_not_found")
    there = {"kind": "door", "street": "Feldweg 3", "postcode": "56727", "town": inside.name}
    response = client.post("/api/v1/orders", json=_body(world, items, fulfilment=there), headers=auth)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["fulfilment"]["town"] == "Feldheim"
    from marketplace.orders.models import Order
    order = db.session.get(Order, response.get_json()["id"])
    assert (order.door_lat, order.door_lon) != (world.resident.home_lat, world.resident.home_lon)


def test_an_order_placed_by_staff_is_seen_by_them_and_the_resident_but_nobody_else(client, auth, world, now):
    from marketplace.payments.services import submit_order

    staff = f.make_user()
    order, _ = submit_order(resident=world.resident, placed_by=staff, items=[(world.bread.id, 1)],
                            delivery_date=TUESDAY, fulfilment=world.sales_point_choice(),
                            payment_method="pay_on_pickup", now=now)
    stranger = f.make_user()
    db.session.commit()
    for user, status in ((staff, 200), (world.resident, 200), (stranger, 404)):
        headers = {"Authorization": f"Bearer {token_for(client, user.email)}"}
        assert client.get(f"/api/v1/orders/{order.id}", headers=headers).status_code == status
