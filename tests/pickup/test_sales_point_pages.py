"""The sales point's staff: incoming orders, receipt, handover by code or ID card, payment, not collected."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import Role
from marketplace.delivery.models import TourStopOrder
from marketplace.delivery.services import confirm_stop_delivered
from marketplace.extensions import db
from marketplace.notifications.kinds import render
from marketplace.notifications.models import Notification
from marketplace.orders.collection import expire_uncollected
from marketplace.orders.models import OrderEvent, OrderStatus
from marketplace.pickup.collection import get_resident_pickup, get_stay
from marketplace.pickup.models import HowIdentified, PickupCode
from tests import factories as f
from tests.conftest import csrf_token_from, login

DAY = date(2026, 3, 3)
AT = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)


@pytest.fixture
def shop(app, db):
    app.config["LANDKORB_CLOCK"] = lambda: AT
    point = f.make_sales_point(name="Dorfladen Bergdorf")
    other = f.make_sales_point(name="Dorfladen Talheim")
    staff = f.make_user(role=Role.SALES_POINT_STAFF, scope_id=point.id)
    f.make_user(role=Role.SALES_POINT_STAFF, scope_id=other.id)
    driver = f.make_user(role=Role.DRIVER, scope_id=point.sub_region_id)
    resident = f.make_user()
    orders = [f.make_order(resident, [(f.make_product(), 2)], place=point, day=DAY, status=OrderStatus.IN_TRANSIT)
              for _ in range(2)]
    tour = f.make_tour(f.make_vehicle(point.sub_region), [(orders[0], point)], day=DAY)
    tour.stops[0].orders.append(TourStopOrder(order_id=orders[1].id, load_ambient=1))
    tour.driver_id = driver.id
    db.session.commit()
    confirm_stop_delivered(tour.stops[0], now=AT, actor=driver)
    db.session.commit()
    yield {"point": point, "other": other, "staff": staff, "orders": orders, "resident": resident}
    app.config.pop("LANDKORB_CLOCK", None)


@pytest.fixture
def staff_client(client, shop):
    login(client, shop["staff"].email, f.TEST_PASSWORD)
    return client


def _post(client, shop, order, action, **data):
    point = shop["point"]
    token = csrf_token_from(client, f"/sales-point/{point.id}?date={DAY}")
    return client.post(f"/sales-point/{point.id}/orders/{order.id}/{action}", data={"csrf_token": token, **data})


def test_at_a_sales_point_the_code_waits_for_the_staff_to_confirm_receipt(staff_client, shop):
    order = shop["orders"][0]
    assert db.session.scalar(select(func.count()).select_from(PickupCode)) == 0
    page = staff_client.get(f"/sales-point/{shop['point'].id}?date={DAY}").get_data(as_text=True)
    assert f'id="order-{order.number}"' in page and "Anlieferung annehmen" in page
    assert _post(staff_client, shop, order, "receive").status_code == 302
    db.session.expire_all()
    stay = get_stay(order.id)
    assert stay.received_by_id == shop["staff"].id and stay.collect_by == AT + timedelta(hours=72)
    pickup = get_resident_pickup(order, now=AT)
    told = db.session.scalars(select(Notification).where(
        Notification.order_id == order.id, Notification.kind == "pickup_ready")).all()
    assert told and all(n.place_id == shop["point"].id for n in told)  # a printed slip goes to the shop
    assert pickup.code in render("pickup_ready", told[0].context, "de").text
    assert pickup.code not in staff_client.get(f"/sales-point/{shop['point'].id}?date={DAY}").get_data(as_text=True)
    # Confirming twice changes nothing.
    _post(staff_client, shop, order, "receive")
    assert db.session.scalar(select(func.count()).select_from(PickupCode)) == 1


def test_handover_with_the_code_is_logged_and_a_wrong_code_changes_nothing(staff_client, shop):
    order = shop["orders"][0]
    _post(staff_client, shop, order, "receive")
    db.session.expire_all()
    code = get_resident_pickup(order, now=AT).code
    wrong = "0" * 8 if code != "0" * 8 else "1" * 8
    for bad in (wrong, "1234", "abcdefgh"):
        response = _post(staff_client, shop, order, "handover", identified_by="code", code=bad)
        assert response.status_code == 302
        db.session.expire_all()
        assert order.status == OrderStatus.DELIVERED and get_stay(order.id).handed_over_at is None
    _post(staff_client, shop, order, "handover", identified_by="code", code=code)
    db.session.expire_all()
    stay = get_stay(order.id)
    assert order.status == OrderStatus.PICKED_UP
    assert (stay.handed_over_by_id, stay.handed_over_at, stay.identified_by) == (shop["staff"].id, AT, HowIdentified.CODE)
    assert get_resident_pickup(order, now=AT) is None  # single use


def test_a_lost_code_hands_over_on_the_id_card_and_payment_is_recorded(staff_client, shop):
    order = shop["orders"][1]
    _post(staff_client, shop, order, "receive")
    _post(staff_client, shop, order, "paid")
    _post(staff_client, shop, order, "paid")  # once only
    _post(staff_client, shop, order, "handover", identified_by="id_card", code="")
    db.session.expire_all()
    stay = get_stay(order.id)
    assert stay.identified_by == HowIdentified.ID_CARD and order.status == OrderStatus.PICKED_UP
    assert stay.paid_cents == order.total_cents and stay.paid_recorded_by_id == shop["staff"].id
    assert db.session.scalar(select(func.count()).select_from(OrderEvent).where(
        OrderEvent.order_id == order.id, OrderEvent.kind == "paid_at_pickup")) == 1
    page = staff_client.get(f"/sales-point/{shop['point'].id}?date={DAY}").get_data(as_text=True)
    assert f"(Ausweis, {shop['staff'].name})" in page and "bezahlt" in page


def test_not_collected_then_emptied_returns_the_order(staff_client, shop):
    order = shop["orders"][0]
    _post(staff_client, shop, order, "receive")
    _post(staff_client, shop, order, "not-collected")
    db.session.expire_all()
    assert order.status == OrderStatus.NOT_COLLECTED
    page = staff_client.get(f"/sales-point/{shop['point'].id}?date={DAY}").get_data(as_text=True)
    assert f'id="empty-{order.number}"' in page
    row = page.split(f'id="empty-{order.number}"', 1)[1].split("</tr>", 1)[0]
    stay_id = get_stay(order.id).id
    assert f'action="/sales-point/{shop["point"].id}/orders/{order.id}/outcome"' in row
    assert f'<label for="outcome-{stay_id}">' in row and '<option value="moved_to_fridge">' in row
    _post(staff_client, shop, order, "outcome", outcome="moved_to_fridge")
    db.session.expire_all()
    assert order.status == OrderStatus.RETURNED and get_stay(order.id).outcome.value == "moved_to_fridge"


def test_expiry_at_a_sales_point_tells_its_staff(shop, staff_client):
    order = shop["orders"][0]
    _post(staff_client, shop, order, "receive")
    assert expire_uncollected(now=AT + timedelta(hours=73)) == 1
    db.session.commit()
    told = db.session.scalars(select(Notification).where(Notification.kind == "pickup_expired")).all()
    assert [n.recipient_id for n in told] == [shop["staff"].id]


def test_staff_see_only_their_own_sales_point(staff_client, shop):
    other, order = shop["other"], shop["orders"][0]
    assert staff_client.get(f"/sales-point/{other.id}").status_code == 404
    assert staff_client.get("/sales-point/999999").status_code == 404
    token = csrf_token_from(staff_client, f"/sales-point/{shop['point'].id}")
    for action in ("receive", "handover", "paid", "not-collected", "outcome"):
        response = staff_client.post(f"/sales-point/{other.id}/orders/{order.id}/{action}",
                                     data={"csrf_token": token, "identified_by": "id_card", "outcome": "donated"})
        assert response.status_code == 404
    db.session.expire_all()
    assert get_stay(order.id).received_at is None and order.status == OrderStatus.DELIVERED


def test_a_resident_is_refused_the_staff_pages(client, shop):
    login(client, shop["resident"].email, f.TEST_PASSWORD)
    assert client.get(f"/sales-point/{shop['point'].id}").status_code == 403


def test_the_code_is_on_the_printed_slip_for_a_resident_without_internet(staff_client, shop):
    order = shop["orders"][0]
    shop["resident"].notify_channels = ["slip"]
    db.session.commit()
    _post(staff_client, shop, order, "receive")
    db.session.expire_all()
    code = get_resident_pickup(order, now=AT).code
    slip = db.session.scalars(select(Notification).where(
        Notification.order_id == order.id, Notification.kind == "pickup_ready", Notification.channel == "slip")).one()
    page = staff_client.get(f"/zettel/{slip.id}").get_data(as_text=True)
    assert code in page
    pdf = staff_client.get(f"/zettel/{slip.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
