"""The pages: preferences form, how an order's resident is told, the dev outbox, slips, failed messages."""
from __future__ import annotations

import pytest
from flask import g
from sqlalchemy import select

from marketplace import create_app
from marketplace.accounts.models import Role
from marketplace.extensions import db as _db
from marketplace.notifications.models import Notification
from marketplace.notifications.sender import send_due
from tests import factories as f
from tests.conftest import NOW, csrf_token_from, login
from tests.factories import TEST_PASSWORD

OUTBOX_FIELDS = {"id", "kind", "channel", "recipient", "subject", "text", "state", "attempts",
                 "deliveries", "order_id", "created_at", "sent_at"}


def _login(client, user):
    login(client, user.email, TEST_PASSWORD)


def test_the_account_page_sets_sms_and_language(client, db):
    user = f.make_user()
    db.session.commit()
    _login(client, user)
    page = client.get("/konto/benachrichtigungen")
    assert page.status_code == 200 and 'value="sms"' in page.get_data(as_text=True)
    token = csrf_token_from(client, "/konto/benachrichtigungen")
    response = client.post("/konto/benachrichtigungen", data={
        "csrf_token": token, "channels": ["sms"], "language": "en", "phone": "0151 23456789",
    })
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.notify_channels, user.locale, user.phone) == (["sms"], "en", "+4915123456789")


def test_the_account_page_refuses_sms_without_a_mobile_and_changes_nothing(client, db):
    user = f.make_user()
    db.session.commit()
    _login(client, user)
    token = csrf_token_from(client, "/konto/benachrichtigungen")
    response = client.post("/konto/benachrichtigungen", data={
        "csrf_token": token, "channels": ["sms"], "language": "de", "phone": "02636 1234",
    })
    assert response.status_code == 422
    assert "deutsche Handynummer" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert (user.notify_channels, user.phone) == (None, None)


def test_the_account_page_needs_a_login(client, db):
    assert client.get("/konto/benachrichtigungen").status_code == 302


# -- the development outbox -----------------------------------------------------------------------

def test_the_dev_outbox_lists_every_notification_with_the_interface_fields(client, db, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_DEV_FILE", str(tmp_path / "sms.jsonl"))
    user = f.make_user(phone="+4915123456789")
    queued = f.make_notification(user, channel="email")
    sent = f.make_notification(user, kind="order_confirmed", channel="sms")
    db.session.commit()
    send_due(now=NOW, limit=1)  # the e-mail is older: sent; the SMS stays queued
    items = client.get("/dev/outbox.json").get_json()["items"]
    assert [set(item) for item in items] == [OUTBOX_FIELDS, OUTBOX_FIELDS]
    by_id = {item["id"]: item for item in items}
    assert by_id[queued.id] | {"created_at": None} == {
        "id": queued.id, "kind": "order_placed", "channel": "email", "recipient": user.email,
        "subject": "Bestellung LK-WXYZ-ABCD eingegangen", "text": by_id[queued.id]["text"],
        "state": "sent", "attempts": 1, "deliveries": 1, "order_id": None, "created_at": None,
        "sent_at": NOW.isoformat(),
    }
    assert by_id[sent.id]["state"] == "queued" and by_id[sent.id]["sent_at"] is None
    assert by_id[sent.id]["text"].startswith("Landkorb: Bestellung LK-WXYZ-ABCD bestätigt")
    assert by_id[sent.id]["recipient"] == "+4915123456789"
    html = client.get("/dev/outbox").get_data(as_text=True)
    assert "Bestellung LK-WXYZ-ABCD eingegangen" in html


def test_the_dev_outbox_is_off_without_the_flag(client, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "DEV_OUTBOX", False)
    assert client.get("/dev/outbox").status_code == 404
    assert client.get("/dev/outbox.json").status_code == 404


def test_the_dev_outbox_does_not_exist_in_production(database_url):
    app = create_app("production", SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY="x" * 32)
    client = app.test_client()
    assert client.get("/dev/outbox").status_code == 404
    assert client.get("/dev/outbox.json").status_code == 404


def test_production_without_mail_or_sms_settings_turns_both_off_with_a_warning(database_url, caplog):
    from marketplace.notifications.channels import enabled_channels

    app = create_app("production", SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY="x" * 32,
                     MAIL_SERVER=None, SMS_GATEWAY="dev")
    assert [str(c) for c in enabled_channels(app.config)] == ["slip"]
    assert "e-mail notifications are off" in caplog.text
    assert "SMS notifications are off" in caplog.text


# -- how an order's resident is told --------------------------------------------------------------

def test_an_orders_page_says_how_its_resident_is_told(client, db):
    from marketplace.payments.services import submit_order
    from tests.orders.helpers import TUESDAY, make_world

    world = make_world()
    world.resident.phone = "+4915123456789"
    world.resident.notify_channels = ["sms"]
    order, _ = submit_order(resident=world.resident, items=[(world.bread.id, 1)], delivery_date=TUESDAY,
                            fulfilment=world.sales_point_choice(), payment_method="pay_on_pickup", now=NOW)
    db.session.commit()
    _login(client, world.resident)
    html = client.get(f"/bestellungen/{order.id}").get_data(as_text=True)
    assert "per SMS an +4915123456789" in html
    rows = db.session.scalars(select(Notification)).all()
    assert [(r.kind, str(r.channel), r.order_id) for r in rows] == [("order_confirmed", "sms", order.id)]


# -- printed slips --------------------------------------------------------------------------------

@pytest.fixture
def slip_world(db):
    region = f.make_region()
    sub = f.make_sub_region(region)
    home = f.make_place(f.make_municipality(sub))
    sales_point = f.make_sales_point(f.make_place(f.make_municipality(sub)))
    resident = f.make_user(home=home, notify_channels=["slip"], name="Erna Beispiel")
    notification = f.make_notification(resident, channel="slip", place_id=sales_point.id)
    staff = f.make_user(role=Role.SALES_POINT_STAFF, scope_id=sales_point.id)
    other_staff = f.make_user(role=Role.SALES_POINT_STAFF, scope_id=f.make_sales_point().id)
    admin = f.make_user(role=Role.ADMIN, scope_id=region.id)
    other_admin = f.make_user(role=Role.ADMIN, scope_id=f.make_region().id)
    db.session.commit()
    return {"notification": notification, "staff": staff, "other_staff": other_staff, "admin": admin,
            "other_admin": other_admin, "resident": resident}


def test_a_slip_renders_as_an_a6_page_and_as_a_pdf(client, slip_world):
    _login(client, slip_world["staff"])
    notification_id = slip_world["notification"].id
    page = client.get(f"/zettel/{notification_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "size: A6" in html and "Bestellung LK-WXYZ-ABCD eingegangen" in html and "Erna Beispiel" in html
    pdf = client.get(f"/zettel/{notification_id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-")
    # A6 is 105 x 148 mm: 297.64 x 419.53 points.
    assert b"/MediaBox [0 0 297.64 419.53]" in pdf.data


def test_a_slip_is_not_found_for_other_staff_and_strangers(app, slip_world):
    notification_id = slip_world["notification"].id
    stranger = f.make_user()
    _db.session.commit()
    for user in (slip_world["other_staff"], slip_world["other_admin"], stranger):
        g.pop("csrf_token", None)  # the test's app context outlives each client's session
        client = app.test_client()
        _login(client, user)
        assert client.get(f"/zettel/{notification_id}").status_code == 404
        assert client.get(f"/zettel/{notification_id}.pdf").status_code == 404


def test_staff_find_the_slips_of_their_sales_point_to_print(app, slip_world):
    notification = slip_world["notification"]
    notification.state, notification.subject, notification.text = "sent", "Bestellung LK-WXYZ-ABCD eingegangen", "…"
    notification.sent_at = NOW
    _db.session.commit()
    client = app.test_client()
    _login(client, slip_world["staff"])
    html = client.get("/zettel").get_data(as_text=True)
    assert f"/zettel/{notification.id}" in html and "Erna Beispiel" in html
    g.pop("csrf_token", None)
    other = app.test_client()
    _login(other, slip_world["other_staff"])
    assert f"/zettel/{notification.id}" not in other.get("/zettel").get_data(as_text=True)
    g.pop("csrf_token", None)
    resident = app.test_client()
    _login(resident, slip_world["resident"])
    assert resident.get("/zettel").status_code == 403


# -- failed notifications for region admins -------------------------------------------------------

def test_region_admins_see_failed_notifications_with_their_error_and_send_them_again(client, slip_world):
    notification = slip_world["notification"]
    notification.state, notification.attempts, notification.last_error = "failed", 5, "SMTPError: 550 no such user"
    _db.session.commit()
    _login(client, slip_world["admin"])
    html = client.get("/admin/notifications/failed").get_data(as_text=True)
    assert "SMTPError: 550 no such user" in html and f"#{notification.id}" in html
    token = csrf_token_from(client, "/admin/notifications/failed")
    response = client.post(f"/admin/notifications/{notification.id}/resend", data={"csrf_token": token})
    assert response.status_code == 302
    _db.session.refresh(notification)
    assert (notification.state, notification.attempts) == ("queued", 0)


def test_another_regions_admin_neither_sees_nor_resends_a_failed_notification(client, slip_world):
    notification = slip_world["notification"]
    notification.state, notification.last_error = "failed", "boom"
    _db.session.commit()
    _login(client, slip_world["other_admin"])
    assert "boom" not in client.get("/admin/notifications/failed").get_data(as_text=True)
    token = csrf_token_from(client, "/admin/notifications/failed")
    assert client.post(f"/admin/notifications/{notification.id}/resend",
                       data={"csrf_token": token}).status_code == 404
    _db.session.refresh(notification)
    assert notification.state == "failed"


def test_the_failed_page_is_for_region_admins_only(client, slip_world):
    _login(client, slip_world["staff"])
    assert client.get("/admin/notifications/failed").status_code == 403
