"""Delivery into compartments, the resident's pickup code, the locker pickup, expiry and emptying."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import Role
from marketplace.api.auth import issue_token
from marketplace.catalog.models import Temperature
from marketplace.delivery.services import confirm_stop_delivered
from marketplace.delivery.services.errors import StopAlreadyDone
from marketplace.extensions import db
from marketplace.notifications.kinds import render
from marketplace.notifications.models import Notification
from marketplace.orders.collection import expire_uncollected, record_outcome
from marketplace.orders.models import OrderStatus
from marketplace.pickup.codes import count_active_codes, guess_chance_per_year
from marketplace.pickup.collection import (
    HoldTimes,
    get_resident_pickup,
    get_stay,
    put_into_place,
    send_pickup_reminders,
)
from marketplace.pickup.device_keys import issue_device_key
from marketplace.pickup.models import (
    CompartmentReservation,
    CompartmentState,
    EmptyOutcome,
    HowIdentified,
    PickupCode,
)
from marketplace.pickup.reservations import NoCompartmentFree, reserve_compartments
from tests import factories as f
from tests.conftest import csrf_token_from, login
from tests.pickup.device_client import device_post

DAY = date(2026, 3, 3)


@pytest.fixture
def at():
    """The stop is delivered at 10:00 UTC on the delivery day."""
    return datetime(2026, 3, 3, 10, 0, tzinfo=UTC)


@pytest.fixture
def world(app, db, at):
    app.config["LANDKORB_CLOCK"] = lambda: at
    station = f.make_station(compartments=(("S", "ambient", 2), ("M", "chilled", 2)))
    sub_region = station.sub_region
    resident = f.make_user(home=station.place)
    operator = f.make_user(role=Role.OPERATOR, scope_id=station.id)
    driver = f.make_user(role=Role.DRIVER, scope_id=sub_region.id)
    chilled = f.make_product(temperature=Temperature.CHILLED, crate_units=Decimal("0.5"))
    ambient = f.make_product(crate_units=Decimal("0.5"))
    order = f.make_order(resident, [(chilled, 2), (ambient, 1)], place=station, day=DAY,
                         status=OrderStatus.IN_TRANSIT)
    reserve_compartments(station=station, delivery_date=DAY, order_id=order.id,
                         crates_by_temperature={Temperature.CHILLED: 1, Temperature.AMBIENT: Decimal("0.5")})
    vehicle = f.make_vehicle(sub_region)
    tour = f.make_tour(vehicle, [(order, station)], day=DAY)
    tour.driver_id = driver.id
    db.session.commit()
    yield {"station": station, "resident": resident, "operator": operator, "order": order,
           "stop": tour.stops[0], "driver": driver, "chilled": chilled}
    app.config.pop("LANDKORB_CLOCK", None)


def _deliver(world, at):
    confirm_stop_delivered(world["stop"], now=at, actor=world["driver"])
    db.session.commit()


def _ready_notification(order):
    return db.session.scalars(select(Notification).where(
        Notification.order_id == order.id, Notification.kind == "pickup_ready")).first()


def test_delivery_fills_the_reserved_compartments_and_tells_the_resident_the_code(world, at):
    _deliver(world, at)
    order, station = world["order"], world["station"]
    assert order.status == OrderStatus.DELIVERED
    labels = sorted(c.label for c in station.compartments if c.state == CompartmentState.OCCUPIED)
    assert labels == ["01", "03"]  # the smallest fitting ambient and chilled ones
    pickup = get_resident_pickup(order, now=at)
    assert re.fullmatch(r"[0-9]{8}", pickup.code)
    assert pickup.compartments == ["01", "03"] and pickup.place_id == station.id
    # chilled goods: 24 hours from delivery
    assert pickup.collect_by == at + timedelta(hours=24)
    # Stored only as HMAC and ciphertext: the digits appear in no column of the code's row.
    row = db.session.scalars(select(PickupCode).where(PickupCode.order_id == order.id)).one()
    assert pickup.code not in row.digest and pickup.code not in row.code_ciphertext
    notification = _ready_notification(order)
    assert pickup.code not in str(notification.context)
    texts = render("pickup_ready", notification.context, "de")
    assert pickup.code in texts.text and pickup.code in texts.sms and "01, 03" in texts.text
    assert len(texts.sms) <= 160


def test_a_second_confirmation_changes_nothing(world, at):
    _deliver(world, at)
    with pytest.raises(StopAlreadyDone):
        confirm_stop_delivered(world["stop"], now=at + timedelta(minutes=1), actor=world["driver"])
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PickupCode)) == 1


def test_an_order_without_a_reservation_gets_fitting_free_compartments(world, at):
    order = world["order"]
    db.session.query(CompartmentReservation).filter_by(order_id=order.id).delete()
    db.session.commit()
    _deliver(world, at)
    assert sorted(get_resident_pickup(order, now=at).compartments) == ["01", "03"]


def test_a_reserved_compartment_out_of_service_is_replanned(world, at):
    station = world["station"]
    broken = next(c for c in station.compartments if c.label == "03")
    broken.state, broken.out_of_service_reason = CompartmentState.OUT_OF_SERVICE, "Störung"
    db.session.commit()
    _deliver(world, at)
    assert get_resident_pickup(world["order"], now=at).compartments == ["01", "04"]


def test_no_room_for_a_replanned_order_refuses_and_changes_nothing(world, at):
    for c in world["station"].compartments:
        if c.temperature == Temperature.CHILLED:
            c.state = CompartmentState.OUT_OF_SERVICE
    db.session.commit()
    with pytest.raises(NoCompartmentFree):
        confirm_stop_delivered(world["stop"], now=at, actor=world["driver"])
    db.session.rollback()
    assert world["order"].status == OrderStatus.IN_TRANSIT
    assert get_stay(world["order"].id) is None


def test_hold_times_by_temperature_class():
    hold = HoldTimes()
    assert hold.for_classes([Temperature.AMBIENT]) == timedelta(hours=72)
    assert hold.for_classes([Temperature.AMBIENT, Temperature.FROZEN]) == timedelta(hours=24)
    assert HoldTimes.from_config({"PICKUP_HOLD_AMBIENT_H": 48, "PICKUP_HOLD_CHILLED_H": 12,
                                  "PICKUP_HOLD_FROZEN_H": 6, "PICKUP_REMINDER_H": 2}).frozen == timedelta(hours=6)


def test_the_resident_sees_code_and_qr_and_nobody_else_does(app, client, world, at):
    _deliver(world, at)
    order, resident = world["order"], world["resident"]
    code = get_resident_pickup(order, now=at).code
    body = client.get(f"/api/v1/orders/{order.id}",
                      headers={"Authorization": f"Bearer {issue_token(resident)}"}).get_json()
    assert body["pickup"] == {"code": code, "place_id": world["station"].id, "compartments": ["01", "03"],
                              "collect_by": "2026-03-04T10:00:00Z",
                              "qr_svg_url": f"/api/v1/orders/{order.id}/pickup-code.svg"}
    svg = client.get(body["pickup"]["qr_svg_url"], headers={"Authorization": f"Bearer {issue_token(resident)}"})
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    # Anyone else: no token, another resident's token, the operator's, the driver's.
    assert client.get(body["pickup"]["qr_svg_url"]).status_code == 401
    for other in (f.make_user(), world["operator"], world["driver"]):
        db.session.commit()
        headers = {"Authorization": f"Bearer {issue_token(other)}"}
        assert client.get(body["pickup"]["qr_svg_url"], headers=headers).status_code == 401
        assert client.get(f"/api/v1/orders/{order.id}", headers=headers).status_code == 404
    # The resident's web session: the order page shows the code and the QR image.
    login(client, resident.email, f.TEST_PASSWORD)
    page = client.get(f"/bestellungen/{order.id}").get_data(as_text=True)
    assert code in page and f"/api/v1/orders/{order.id}/pickup-code.svg" in page
    assert client.get(body["pickup"]["qr_svg_url"]).status_code == 200
    # …and a printable slip with the code.
    slip = client.get(f"/zettel/{get_resident_pickup(order, now=at).notification_id}.pdf")
    assert slip.status_code == 200 and slip.data.startswith(b"%PDF")


def test_the_operator_never_sees_the_code(client, world, at):
    _deliver(world, at)
    code = get_resident_pickup(world["order"], now=at).code
    login(client, world["operator"].email, f.TEST_PASSWORD)
    page = client.get(f"/operator/stations/{world['station'].id}?date={DAY.isoformat()}").get_data(as_text=True)
    assert world["order"].number in page and code not in page


def test_the_locker_opens_with_the_code_once_and_the_compartments_are_free(client, world, at):
    _deliver(world, at)
    station, order = world["station"], world["order"]
    key = issue_device_key(station, now=at)
    db.session.commit()
    code = get_resident_pickup(order, now=at).code
    first = device_post(client, station.id, key, "pickups", {"code": code}, now=at)
    assert first.status_code == 200 and first.get_json()["compartments"] == ["01", "03"]
    again = device_post(client, station.id, key, "pickups", {"code": code}, now=at)
    assert again.status_code == 404 and again.get_json()["error"] == "unknown_code"
    db.session.expire_all()
    assert order.status == OrderStatus.PICKED_UP
    assert all(c.state == CompartmentState.FREE for c in station.compartments)
    stay = get_stay(order.id)
    assert stay.handed_over_at == at and stay.identified_by == HowIdentified.LOCKER_CODE
    assert get_resident_pickup(order, now=at) is None


def test_reminder_goes_once_before_expiry(world, at):
    _deliver(world, at)
    hold = HoldTimes()
    assert send_pickup_reminders(now=at + timedelta(hours=17), hold=hold) == 0
    assert send_pickup_reminders(now=at + timedelta(hours=19), hold=hold) == 1
    assert send_pickup_reminders(now=at + timedelta(hours=20), hold=hold) == 0
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "pickup_reminder")) == 1


def test_expiry_tells_the_operator_and_emptying_frees_the_compartment(runner, world, at):
    _deliver(world, at)
    order, station = world["order"], world["station"]
    assert expire_uncollected(now=at + timedelta(hours=23)) == 0
    result = runner.invoke(args=["jobs", "tick", "--now", (at + timedelta(hours=24, minutes=5)).isoformat()])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert order.status == OrderStatus.NOT_COLLECTED
    told = db.session.scalars(select(Notification).where(Notification.kind == "pickup_expired")).all()
    assert [n.recipient_id for n in told] == [world["operator"].id]
    assert told[0].context["compartments"] == "01, 03"
    # The code no longer opens anything; the compartments wait to be emptied.
    assert get_resident_pickup(order, now=at + timedelta(hours=25)) is None
    assert {c.label for c in station.compartments if c.state == CompartmentState.OCCUPIED} == {"01", "03"}
    record_outcome(get_stay(order.id), outcome=EmptyOutcome.DONATED, actor=world["operator"],
                   now=at + timedelta(hours=26))
    db.session.commit()
    assert order.status == OrderStatus.RETURNED
    assert all(c.state == CompartmentState.FREE for c in station.compartments)
    assert get_stay(order.id).outcome == EmptyOutcome.DONATED
    assert [e.kind for e in order.events][-2:] == ["expired_at_pickup", "emptied_donated"]


def test_the_operator_records_the_outcome_on_the_station_page(client, world, at):
    _deliver(world, at)
    expire_uncollected(now=at + timedelta(hours=25))
    db.session.commit()
    login(client, world["operator"].email, f.TEST_PASSWORD)
    station, order = world["station"], world["order"]
    page = client.get(f"/operator/stations/{station.id}").get_data(as_text=True)
    assert f'id="empty-{order.number}"' in page
    row = page.split(f'id="empty-{order.number}"', 1)[1].split("</tr>", 1)[0]
    stay_id = get_stay(order.id).id
    assert "<td>01, 03</td>" in row  # the compartments to empty
    assert f'action="/operator/stations/{station.id}/orders/{order.id}/outcome"' in row
    assert f'<label for="outcome-{stay_id}">' in row and f'<select id="outcome-{stay_id}" name="outcome">' in row
    assert '<option value="donated">' in row
    token = csrf_token_from(client, f"/operator/stations/{station.id}")
    bad = client.post(f"/operator/stations/{station.id}/orders/{order.id}/outcome",
                      data={"outcome": "eaten", "csrf_token": token})
    assert bad.status_code == 302
    db.session.expire_all()
    assert order.status == OrderStatus.NOT_COLLECTED
    other = f.make_station()
    f.make_user(role=Role.OPERATOR, scope_id=other.id)
    db.session.commit()
    assert client.post(f"/operator/stations/{other.id}/orders/{order.id}/outcome",
                       data={"outcome": "donated", "csrf_token": token}).status_code == 404
    ok = client.post(f"/operator/stations/{station.id}/orders/{order.id}/outcome",
                     data={"outcome": "returned_to_producer", "csrf_token": token})
    assert ok.status_code == 302
    db.session.expire_all()
    assert order.status == OrderStatus.RETURNED
    page = client.get(f"/operator/stations/{station.id}").get_data(as_text=True)
    assert f'id="empty-{order.number}"' not in page


def test_a_station_never_has_more_active_codes_than_compartments_and_guessing_stays_under_one_percent(app, db, at):
    app.config["LANDKORB_CLOCK"] = lambda: at
    station = f.make_station(compartments=(("S", "ambient", 3),))
    product = f.make_product(crate_units=Decimal("0.5"))
    orders = [f.make_order(f.make_user(), [(product, 1)], place=station, day=DAY, status=OrderStatus.DELIVERED)
              for _ in range(4)]
    put_into_place(orders[:3], now=at)
    with pytest.raises(NoCompartmentFree):
        put_into_place(orders[3:], now=at)
    active = count_active_codes(station.id, now=at)
    assert active == 3 <= len(station.compartments)
    assert guess_chance_per_year(active, operator_releases=12) < 0.01
    app.config.pop("LANDKORB_CLOCK", None)


def test_before_delivery_and_for_the_staff_who_placed_it_there_is_no_code(client, world, at):
    order, resident = world["order"], world["resident"]
    headers = {"Authorization": f"Bearer {issue_token(resident)}"}
    assert client.get(f"/api/v1/orders/{order.id}", headers=headers).get_json()["pickup"] is None
    assert client.get(f"/api/v1/orders/{order.id}/pickup-code.svg", headers=headers).status_code == 404
    staff = f.make_user(role=Role.SALES_POINT_STAFF, scope_id=f.make_sales_point().id)
    order.placed_by_id = staff.id
    db.session.commit()
    _deliver(world, at)
    staff_headers = {"Authorization": f"Bearer {issue_token(staff)}"}
    body = client.get(f"/api/v1/orders/{order.id}", headers=staff_headers)
    assert body.status_code == 200 and body.get_json()["pickup"] is None
    assert client.get(f"/api/v1/orders/{order.id}/pickup-code.svg", headers=staff_headers).status_code == 401
    assert client.get(f"/api/v1/orders/{order.id}/pickup-code.svg",
                      headers={"Authorization": "Bearer forged"}).status_code == 401


def test_a_region_sets_its_own_hold_time(world, at):
    world["station"].sub_region.region.pickup_hold_chilled_h = 12
    db.session.commit()
    _deliver(world, at)
    assert get_resident_pickup(world["order"], now=at).collect_by == at + timedelta(hours=12)


def test_the_driver_view_refuses_a_stop_without_room_and_changes_nothing(client, world, at):
    for c in world["station"].compartments:
        if c.temperature == Temperature.CHILLED:
            c.state = CompartmentState.OUT_OF_SERVICE
    db.session.commit()
    login(client, world["driver"].email, f.TEST_PASSWORD)
    stop = world["stop"]
    token = csrf_token_from(client, f"/delivery/driver/tours/{stop.tour_id}")
    response = client.post(f"/delivery/driver/stops/{stop.id}/delivered", data={"csrf_token": token},
                           follow_redirects=True)
    assert response.status_code == 200
    assert "kein passendes Fach mehr frei" in response.get_data(as_text=True)
    # The test shares the request's app context, so the request's session is this one: end its
    # transaction as the request's teardown does, and what was committed stays.
    db.session.rollback()
    assert world["order"].status == OrderStatus.IN_TRANSIT and stop.state.value != "done"
    assert get_stay(world["order"].id) is None
    assert db.session.scalar(select(func.count()).select_from(PickupCode)) == 0


def test_a_partly_delivered_stop_puts_only_the_handed_over_orders_into_compartments(world, at):
    from marketplace.delivery.models import TourStopOrder
    from marketplace.delivery.services.driving import confirm_stop_partly

    kept = f.make_order(world["resident"], [(world["chilled"], 1)], place=world["station"], day=DAY,
                        status=OrderStatus.IN_TRANSIT)
    world["stop"].orders.append(TourStopOrder(order_id=kept.id, load_chilled=1))
    db.session.commit()
    confirm_stop_partly(world["stop"], note="Eine Kiste fehlt", returned_order_ids=[kept.id], now=at,
                        actor=world["driver"])
    db.session.commit()
    assert get_stay(world["order"].id) is not None
    assert get_stay(kept.id) is None and kept.status == OrderStatus.IN_TRANSIT
