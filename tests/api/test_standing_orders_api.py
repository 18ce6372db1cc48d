"""/api/v1/standing-orders: create, list, change, end; bad input is a 422 that changes nothing;
another resident's standing order is a 404 on every endpoint."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.orders.standing.models import StandingOrder, StandingOrderItem, StandingOrderSkip
from tests import factories as f
from tests.api.conftest import token_for
from tests.orders.standing_helpers import FRIDAY, NEXT_FRIDAY, THURSDAY_CUTOFF


def _body(world, **changes):
    body = {
        "weekday": 5, "fulfilment": {"kind": "sales_point", "pickup_place_id": world.chilled_sales_point.id},
        "payment_method": "pay_on_pickup",
        "items": [{"product_id": world.bread.id, "quantity": 2}, {"product_id": world.milk.id, "quantity": 1}],
    }
    body.update(changes)
    return body


def _snapshot(db):
    db.session.expire_all()
    rows = db.session.scalars(select(StandingOrder).order_by(StandingOrder.id)).all()
    return [
        (s.state, s.weekday, s.fulfilment, s.pickup_place_id, s.door_street, s.payment_method,
         [(i.product_id, i.quantity) for i in s.items], s.skipped_dates, s.ended_at)
        for s in rows
    ]


@pytest.fixture
def standing_id(client, auth, world):
    response = client.post("/api/v1/standing-orders", json=_body(world), headers=auth)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_create_answers_201_with_the_standing_order(client, auth, world):
    response = client.post("/api/v1/standing-orders", json=_body(world), headers=auth)
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert set(data) >= {"id", "state", "next_order_date", "weekday", "fulfilment", "payment_method", "items",
                         "skipped_dates"}
    assert (data["state"], data["next_order_date"], data["weekday"]) == ("active", FRIDAY.isoformat(), 5)
    assert data["fulfilment"]["kind"] == "sales_point"
    assert data["fulfilment"]["pickup_place_id"] == world.chilled_sales_point.id
    assert data["payment_method"] == "pay_on_pickup" and data["skipped_dates"] == []
    assert sorted((i["product_id"], i["quantity"]) for i in data["items"]) == sorted(
        [(world.bread.id, 2), (world.milk.id, 1)])
    listed = client.get("/api/v1/standing-orders", headers=auth).get_json()["items"]
    assert [s["id"] for s in listed] == [data["id"]]
    assert client.get(f"/api/v1/standing-orders/{data['id']}", headers=auth).get_json() == data


def test_a_door_standing_order(client, auth, world):
    body = _body(world, fulfilment={"kind": "door", "window": "08:00-12:00"},
                 items=[{"product_id": world.wine.id, "quantity": 3}])
    response = client.post("/api/v1/standing-orders", json=body, headers=auth)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["fulfilment"]["kind"] == "door"
    assert response.get_json()["fulfilment"]["window"] == "08:00-12:00"


@pytest.mark.parametrize("change, code", [
    ({"weekday": 3}, "not_a_delivery_weekday"),
    ({"weekday": "5"}, "not_a_delivery_weekday"),
    ({"weekday": None}, "not_a_delivery_weekday"),
    ({"items": []}, "empty_order"),
    ({"items": "bread"}, "invalid_input"),
    ({"items": [{"product_id": 999999, "quantity": 1}]}, "unknown_product"),
    ({"items": [{"product_id": 1, "quantity": 0}]}, "invalid_quantity"),
    ({"items": [{"product_id": 1}]}, "invalid_input"),
    ({"fulfilment": {"kind": "helicopter"}}, "invalid_fulfilment"),
    ({"fulfilment": "station"}, "invalid_input"),
    ({"payment_method": "stripe"}, "payment_method_unavailable"),
    ({"payment_method": "cash"}, "invalid_payment_method"),
    ({"payment_method": 5}, "invalid_input"),
])
def test_bad_input_is_a_422_problem_and_creates_nothing(client, auth, world, db, change, code):
    response = client.post("/api/v1/standing-orders", json=_body(world, **change), headers=auth)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"] == code and response.get_json()["detail"]
    assert db.session.scalar(select(func.count()).select_from(StandingOrder)) == 0


def test_the_cold_chain_and_sub_region_are_the_checkouts_rules(client, auth, world, db):
    cold = _body(world, fulfilment={"kind": "station", "pickup_place_id": world.ambient_station.id})
    assert client.post("/api/v1/standing-orders", json=cold, headers=auth).get_json()["error"] == "cold_chain_broken"
    elsewhere = _body(world, fulfilment={"kind": "station", "pickup_place_id": world.other_station.id})
    assert client.post("/api/v1/standing-orders", json=elsewhere, headers=auth).get_json()["error"] == "wrong_sub_region"
    assert client.post("/api/v1/standing-orders", data="[]", headers=auth,
                       content_type="application/json").status_code == 400
    assert db.session.scalar(select(func.count()).select_from(StandingOrder)) == 0


def test_pause_resume_skip_change_and_end(client, auth, world, standing_id, clock):
    url = f"/api/v1/standing-orders/{standing_id}"
    paused = client.patch(url, json={"state": "paused"}, headers=auth).get_json()
    assert (paused["state"], paused["next_order_date"]) == ("paused", None)
    active = client.patch(url, json={"state": "active"}, headers=auth).get_json()
    assert (active["state"], active["next_order_date"]) == ("active", FRIDAY.isoformat())
    skipped = client.patch(url, json={"skip": FRIDAY.isoformat()}, headers=auth).get_json()
    assert skipped["skipped_dates"] == [FRIDAY.isoformat()] and skipped["next_order_date"] == NEXT_FRIDAY.isoformat()
    changed = client.patch(url, json={"items": [{"product_id": world.wine.id, "quantity": 1}],
                                      "fulfilment": {"kind": "sales_point", "pickup_place_id": world.sales_point.id}},
                           headers=auth).get_json()
    assert [(i["product_id"], i["quantity"]) for i in changed["items"]] == [(world.wine.id, 1)]
    assert changed["fulfilment"]["pickup_place_id"] == world.sales_point.id
    ended = client.delete(url, headers=auth)
    assert ended.status_code == 200 and ended.get_json()["state"] == "ended"
    assert ended.get_json()["next_order_date"] is None
    again = client.patch(url, json={"state": "active"}, headers=auth)
    assert again.status_code == 409 and again.get_json()["error"] == "standing_order_ended"


@pytest.mark.parametrize("change, status, code", [
    ({}, 422, "invalid_input"),
    ({"weekday": 2}, 422, "invalid_input"),
    ({"state": "ended"}, 422, "invalid_state"),
    ({"state": 1}, 422, "invalid_state"),
    ({"skip": "2026-03-03"}, 422, "not_a_standing_order_day"),
    ({"skip": "2026-02-27"}, 422, "not_a_standing_order_day"),
    ({"skip": "06.03.2026"}, 422, "invalid_input"),
    ({"skip": "2026-02-30"}, 422, "invalid_input"),
    ({"items": [{"product_id": 999999, "quantity": 1}]}, 422, "unknown_product"),
    ({"fulfilment": {"kind": "station", "pickup_place_id": 999999}}, 422, "pickup_place_unavailable"),
    # A valid change with a bad one: neither is made.
    ({"state": "paused", "skip": "2026-03-03"}, 422, "not_a_standing_order_day"),
    ({"items": [{"product_id": 1, "quantity": 1}], "state": "stopped"}, 422, "invalid_state"),
])
def test_a_bad_change_is_refused_and_changes_nothing(client, auth, world, db, standing_id, change, status, code):
    before = _snapshot(db)
    response = client.patch(f"/api/v1/standing-orders/{standing_id}", json=change, headers=auth)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"] == code
    assert _snapshot(db) == before


def test_a_day_after_its_cut_off_cannot_be_skipped(client, auth, world, standing_id, clock):
    clock.now = THURSDAY_CUTOFF
    response = client.patch(f"/api/v1/standing-orders/{standing_id}", json={"skip": FRIDAY.isoformat()},
                            headers=auth)
    assert response.status_code == 422 and response.get_json()["error"] == "not_a_standing_order_day"


@pytest.mark.parametrize("method, suffix, body", [
    ("get", "", None), ("patch", "", {"state": "paused"}), ("patch", "", {"skip": "2026-03-06"}),
    ("patch", "", {"items": [{"product_id": 1, "quantity": 1}]}), ("delete", "", None),
])
def test_another_residents_standing_order_is_404_and_unchanged(client, auth, world, db, standing_id, method,
                                                                 suffix, body):
    other = f.make_user(home=world.resident.home_place)
    db.session.commit()
    headers = {"Authorization": f"Bearer {token_for(client, other.email)}"}
    before = _snapshot(db)
    response = getattr(client, method)(f"/api/v1/standing-orders/{standing_id}{suffix}", json=body, headers=headers)
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    assert _snapshot(db) == before
    assert client.get("/api/v1/standing-orders", headers=headers).get_json()["items"] == []


def test_without_a_token_every_endpoint_is_401(client, world, standing_id):
    for method, url in (("get", "/api/v1/standing-orders"), ("post", "/api/v1/standing-orders"),
                        ("get", f"/api/v1/standing-orders/{standing_id}"),
                        ("patch", f"/api/v1/standing-orders/{standing_id}"),
                        ("delete", f"/api/v1/standing-orders/{standing_id}")):
        assert getattr(client, method)(url, json={}).status_code == 401, (method, url)


def test_an_unknown_id_is_404(client, auth, world):
    assert client.get("/api/v1/standing-orders/999999", headers=auth).status_code == 404
    assert client.delete("/api/v1/standing-orders/999999", headers=auth).status_code == 404


def test_nothing_is_left_half_written(db, world, client, auth, standing_id):
    assert db.session.scalar(select(func.count()).select_from(StandingOrderItem)) == 2
    assert db.session.scalar(select(func.count()).select_from(StandingOrderSkip)) == 0


def test_the_staff_member_who_set_it_up_sees_it_and_other_staff_do_not(client, world, db):
    from tests.orders.standing_helpers import subscribe

    staff, other_staff = f.make_user(), f.make_user()
    db.session.commit()
    standing = subscribe(world, created_by=staff)
    url = f"/api/v1/standing-orders/{standing.id}"
    assert client.get(url, headers={"Authorization": f"Bearer {token_for(client, staff.email)}"}).status_code == 200
    assert client.get(url, headers={
        "Authorization": f"Bearer {token_for(client, other_staff.email)}"}).status_code == 404


def test_pay_on_pickup_at_a_parcel_station_is_refused_as_at_the_checkout(client, auth, world, db):
    body = _body(world, fulfilment={"kind": "station", "pickup_place_id": world.station.id})
    response = client.post("/api/v1/standing-orders", json=body, headers=auth)
    assert response.status_code == 422 and response.get_json()["error"] == "payment_method_unavailable"
    assert _snapshot(db) == []


def test_a_method_the_sub_region_switched_off_is_refused(client, auth, world, db):
    from marketplace.payments.sub_region_methods import set_payment_methods
    from tests.conftest import NOW

    set_payment_methods(sub_region=world.sub_region, changes={"pay_on_pickup": False},
                        actor=f.make_user("admin-of-methods@example.org"), now=NOW)
    db.session.commit()
    response = client.post("/api/v1/standing-orders", json=_body(world), headers=auth)
    assert response.status_code == 422 and response.get_json()["error"] == "payment_method_unavailable"
    assert _snapshot(db) == []


def test_moving_a_pay_on_pickup_standing_order_to_a_station_is_refused_and_changes_nothing(
        client, auth, world, db, standing_id):
    before = _snapshot(db)
    response = client.patch(f"/api/v1/standing-orders/{standing_id}", headers=auth, json={
        "fulfilment": {"kind": "station", "pickup_place_id": world.station.id}})
    assert response.status_code == 422 and response.get_json()["error"] == "payment_method_unavailable"
    assert _snapshot(db) == before
    moved = client.patch(f"/api/v1/standing-orders/{standing_id}", headers=auth, json={
        "fulfilment": {"kind": "door", "window": "08:00-12:00"},
        "items": [{"product_id": world.wine.id, "quantity": 3}]})
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["fulfilment"]["kind"] == "door"
