"""Assisted ordering's services: a resident without e-mail, consent as given, orders placed by
staff for residents of their own sub-region only, every action logged, the account taken over."""
from __future__ import annotations

import pytest

from marketplace.accounts.services import authenticate
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.orders.models import OrderStatus
from marketplace.payments import assisted
from marketplace.payments.providers import PaymentMethodUnavailable
from tests.assisted.conftest import counts, new_resident_fields
from tests.conftest import NOW
from tests.orders.helpers import TUESDAY

SECRET = "test-secret"


def _register(hub, **changes):
    fields = new_resident_fields(hub, **changes)
    return assisted.register_assisted_resident(staff=hub.staff, now=NOW, **fields)


def test_staff_register_a_resident_without_email_with_the_consent_as_given(hub):
    resident = _register(hub)
    db.session.commit()
    assert resident.email is None and resident.phone == "+491712345678"
    assert resident.home_sub_region.id == hub.world.sub_region.id
    assert resident.notify_channels == ["sms"] and resident.roles() == {assisted.Role.RESIDENT}
    consent = assisted.ResidentConsent.query.filter_by(resident_id=resident.id).one()
    assert (consent.given_by.value, consent.text_version, consent.recorded_by_id) == ("phone", "2026-12", hub.staff.id)
    assert [a.action for a in assisted.AssistedAction.query.filter_by(resident_id=resident.id)] == ["registered"]


@pytest.mark.parametrize(("changes", "code"), [
    ({"town": "OTHER"}, "outside_sub_region"),
    ({"text_version": "1999-01"}, "unknown_consent_text"),
    ({"given_by": "letter"}, "invalid_input"),
    ({"name": "  "}, "invalid_input"),
    ({"phone": "not a number"}, "invalid_input"),
    ({"phone": "", "channel": "sms"}, "invalid_input"),
    ({"channel": "pigeon"}, "invalid_input"),
    ({"street": ""}, "invalid_input"),
])
def test_a_refused_registration_creates_nothing(hub, changes, code):
    if changes.get("town") == "OTHER":
        changes["town"] = hub.other_home_name
    before = counts()
    with pytest.raises(DomainError) as refused:
        _register(hub, **changes)
    db.session.rollback()
    assert refused.value.code == code
    assert refused.value.status == 422
    assert counts() == before


def _order(hub, resident, **changes):
    fields = {"items": [(hub.world.bread.id, 2)], "delivery_date": TUESDAY,
              "fulfilment": hub.world.sales_point_choice(), "payment_method": "pay_on_pickup", **changes}
    return assisted.place_assisted_order(staff=hub.staff, resident=resident, now=NOW, **fields)


def test_staff_order_for_a_resident_the_order_is_marked_and_logged(hub):
    resident = _register(hub)
    order, payment = _order(hub, resident)
    db.session.commit()
    assert order.resident_id == resident.id and order.placed_by_id == hub.staff.id
    assert order.status == OrderStatus.CONFIRMED and payment.next_action == "none"
    actions = assisted.AssistedAction.query.filter_by(resident_id=resident.id).order_by("id").all()
    assert [(a.action, a.order_id, a.staff_id) for a in actions] == [
        ("registered", None, hub.staff.id), ("order_placed", order.id, hub.staff.id)]


def test_staff_cannot_order_for_a_resident_of_another_sub_region(hub):
    before = counts()
    with pytest.raises(assisted.OutsideSubRegion):
        _order(hub, hub.other_resident, fulfilment=hub.world.sales_point_choice())
    db.session.rollback()
    assert counts() == before


def test_assisted_orders_are_paid_on_pickup_or_by_invoice_never_online(hub):
    resident = hub.world.resident
    before = counts()
    for method in ("stripe", "bitcoin"):
        with pytest.raises(PaymentMethodUnavailable):
            _order(hub, resident, payment_method=method)
        db.session.rollback()
    assert counts() == before


def test_the_resident_takes_the_account_over_once(hub):
    resident = _register(hub)
    token = assisted.invite_to_take_over(staff=hub.staff, resident=resident, secret_key=SECRET, now=NOW)
    db.session.commit()
    with pytest.raises(assisted.WeakPassword):
        assisted.take_over_account(token=token, email="erna@example.org", password="short", secret_key=SECRET, now=NOW)
    db.session.rollback()
    assisted.take_over_account(token=token, email=" Erna@Example.org ", password="a-long-password",
                               secret_key=SECRET, now=NOW)
    db.session.commit()
    assert authenticate("erna@example.org", "a-long-password").id == resident.id
    with pytest.raises(assisted.InvalidInvitation):
        assisted.resident_of_invitation(token, secret_key=SECRET)
    with pytest.raises(assisted.InvalidInvitation):
        assisted.resident_of_invitation(token[:-2] + "xx", secret_key=SECRET)


def test_an_invitation_cannot_take_an_email_address_in_use(hub):
    resident = _register(hub)
    token = assisted.invite_to_take_over(staff=hub.staff, resident=resident, secret_key=SECRET, now=NOW)
    db.session.commit()
    with pytest.raises(assisted.EmailTaken):
        assisted.take_over_account(token=token, email=hub.world.resident.email, password="a-long-password",
                                   secret_key=SECRET, now=NOW)
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(assisted.User, resident.id).email is None
