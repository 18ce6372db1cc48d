"""A notification that carries a secret (a pickup code, an invitation link) is read by its
recipient and, as a printed slip, by the staff of the slip's sales point; the resident's
coordinators and region admins see that it was sent, not what it says."""
from __future__ import annotations

import pytest
from flask import g

from marketplace.accounts.models import Role
from marketplace.extensions import db as _db
from marketplace.notifications.kinds import KINDS
from marketplace.notifications.queries import can_read_notification, can_see_notification
from marketplace.pickup.server_keys import pickup_code_cipher
from tests import factories as f
from tests.conftest import NOW, login
from tests.factories import TEST_PASSWORD

CODE = "48151623"


def _client(app, user):
    g.pop("csrf_token", None)  # the test's app context outlives each client's session
    client = app.test_client()
    login(client, user.email, TEST_PASSWORD)
    return client


def _ready(resident, *, channel="slip", place_id=None, sent=False):
    sample = dict(KINDS["pickup_ready"].sample)
    sample["code_token"] = pickup_code_cipher().encrypt(CODE.encode()).decode()
    notification = f.make_notification(resident, kind="pickup_ready", channel=channel, context=sample,
                                       place_id=place_id)
    if sent:  # the copy of a sent text holds the digits, as the message did
        notification.state, notification.sent_at = "sent", NOW
        notification.subject, notification.text = "Bestellung liegt bereit", f"Ihr Abholcode: {CODE}"
    return notification


@pytest.fixture
def people(db):
    region = f.make_region()
    sub, other_sub = f.make_sub_region(region), f.make_sub_region(region)
    resident = f.make_user(home=f.make_place(f.make_municipality(sub)), notify_channels=["slip"],
                           name="Erna Beispiel")
    sales_point = f.make_sales_point(f.make_place(f.make_municipality(sub)))
    people = {
        "resident": resident, "sales_point": sales_point,
        "coordinator": f.make_user(role=Role.COORDINATOR, scope_id=sub.id),
        "other_coordinator": f.make_user(role=Role.COORDINATOR, scope_id=other_sub.id),
        "admin": f.make_user(role=Role.ADMIN, scope_id=region.id),
        "staff": f.make_user(role=Role.SALES_POINT_STAFF, scope_id=sales_point.id),
    }
    db.session.commit()
    return people


@pytest.mark.parametrize("sent", [False, True], ids=["queued", "sent"])
def test_a_coordinator_sees_a_ready_notification_was_sent_but_not_its_code(app, people, sent):
    notification = _ready(people["resident"], sent=sent)
    _db.session.commit()
    for who in ("coordinator", "admin"):
        client = _client(app, people[who])
        page = client.get(f"/zettel/{notification.id}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert CODE not in html and "pickup_ready" in html and "Erna Beispiel" in html
        assert "nur für die Empfängerin oder den Empfänger" in html
        assert client.get(f"/zettel/{notification.id}.pdf").status_code == 404


@pytest.mark.parametrize("sent", [False, True], ids=["queued", "sent"])
def test_the_resident_reads_their_ready_notification_with_its_code(app, people, sent):
    notification = _ready(people["resident"], sent=sent)
    _db.session.commit()
    client = _client(app, people["resident"])
    assert CODE in client.get(f"/zettel/{notification.id}").get_data(as_text=True)
    pdf = client.get(f"/zettel/{notification.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")


def test_another_sub_regions_coordinator_gets_404(app, people):
    notification = _ready(people["resident"])
    _db.session.commit()
    client = _client(app, people["other_coordinator"])
    assert client.get(f"/zettel/{notification.id}").status_code == 404
    assert client.get(f"/zettel/{notification.id}.pdf").status_code == 404


def test_the_sales_points_staff_read_the_slip_they_hand_over_but_not_the_email(app, people):
    point_id = people["sales_point"].id
    slip = _ready(people["resident"], place_id=point_id)
    email = _ready(people["resident"], channel="email", place_id=point_id)
    _db.session.commit()
    staff = people["staff"]
    assert can_read_notification(staff, slip)
    assert can_see_notification(staff, email) and not can_read_notification(staff, email)
    client = _client(app, staff)
    assert CODE in client.get(f"/zettel/{slip.id}").get_data(as_text=True)
    assert CODE not in client.get(f"/zettel/{email.id}").get_data(as_text=True)
    assert client.get(f"/zettel/{email.id}.pdf").status_code == 404


def test_a_coordinator_still_reads_a_notification_without_a_secret(app, people):
    notification = f.make_notification(people["resident"], kind="order_confirmed", channel="slip")
    _db.session.commit()
    assert can_read_notification(people["coordinator"], notification)
    client = _client(app, people["coordinator"])
    assert "LK-WXYZ-ABCD" in client.get(f"/zettel/{notification.id}").get_data(as_text=True)
    assert client.get(f"/zettel/{notification.id}.pdf").status_code == 200


def test_the_slip_list_offers_a_coordinator_no_print_of_a_slip_with_a_code(app, people):
    notification = _ready(people["resident"], sent=True)
    _db.session.commit()
    html = _client(app, people["coordinator"]).get("/zettel").get_data(as_text=True)
    assert f"/zettel/{notification.id}\"" in html  # it is listed: the coordinator sees it was sent
    assert f"/zettel/{notification.id}.pdf" not in html


def test_every_kind_whose_context_holds_a_code_token_or_link_is_secret(app):  # the app registers every kind
    hints = ("code", "token", "url", "link", "password")
    for name, kind in KINDS.items():
        carries = any(hint in key for key in kind.sample for hint in hints)
        assert kind.secret == carries, name
    assert {"pickup_ready", "pickup_reminder", "staff_invitation", "sub_region_invitation"} <= {
        name for name, kind in KINDS.items() if kind.secret}
